-- invite_guardian queues one 'guardian_invite' email in tutela_private.notification_outbox,
-- addressed
-- to the invitee (lower-cased) and carrying what the email needs: the token and the invite.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Riverside', 'riverside') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select
  invite_id,
  token,
  expires_at
from tutela.invite_guardian(:'student', '  Gran@Example.TEST ', 'Gran', 'other') \gset

select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela_private.notification_outbox where kind = 'guardian_invite'),
  1::bigint,
  'one guardian_invite notification is queued'
);
select is(
  (select recipient_email from tutela_private.notification_outbox where kind = 'guardian_invite'),
  'gran@example.test',
  'it goes to the invited address, trimmed and lower-cased'
);
select is(
  (select student_id from tutela_private.notification_outbox where kind = 'guardian_invite'),
  :'student'::uuid,
  'it names the student'
);
select is(
  (select dispatched_at from tutela_private.notification_outbox where kind = 'guardian_invite'),
  null,
  'it waits for the dispatcher'
);
select is(
  (
    select payload ->> 'token'
    from tutela_private.notification_outbox
    where kind = 'guardian_invite'
  ),
  :'token',
  'the payload carries the token the email links to'
);
select is(
  (
    select payload ->> 'invite_id' from tutela_private.notification_outbox
    where kind = 'guardian_invite'
  ),
  :'invite_id',
  'the payload names the invite'
);
select is(
  (select email from tutela.guardian_invites where id = :'invite_id'),
  'gran@example.test',
  'the invite stores the same normalised address'
);

select * from finish();
rollback;
