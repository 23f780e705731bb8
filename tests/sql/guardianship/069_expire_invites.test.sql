-- tutela_private.expire_invites() (run by a scheduled job as the owner): pending guardian and
-- student
-- invites whose expires_at has passed become 'expired'; it returns how many. Invites not yet
-- due, and invites no longer pending, are left alone. The API roles cannot call it.
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as s1 from tutela.create_student(:'org', 'One') \gset
select id as s2 from tutela.create_student(:'org', 'Two') \gset
select invite_id as g_due from tutela.invite_guardian(:'s1', 'a@example.test') \gset
select invite_id as g_now from tutela.invite_guardian(:'s1', 'b@example.test') \gset
select invite_id as g_future from tutela.invite_guardian(:'s1', 'c@example.test') \gset
select invite_id as g_withdrawn from tutela.invite_guardian(:'s1', 'd@example.test') \gset
select tutela.withdraw_guardian_invite(:'g_withdrawn');
select
  invite_id as g_accepted,
  token
from tutela.invite_guardian(:'s2', 'gran@example.test') \gset
select student_id as k_due from tutela.invite_student(:'org', 'Due', 'due@example.test') \gset
select student_id as k_future
from tutela.invite_student(:'org', 'Future', 'future@example.test') \gset
select tutela_tests.authenticate_as(:'gran');
select tutela.accept_guardian_invite(:'token');

select tutela_tests.clear_authentication();
update tutela.guardian_invites set expires_at = now() - interval '1 hour'
where id in (:'g_due', :'g_withdrawn', :'g_accepted');
update tutela.guardian_invites set expires_at = now() where id = :'g_now';
update tutela.student_invites set expires_at = now() - interval '1 hour'
where student_id = :'k_due';

select is(tutela_private.expire_invites(), 3, 'it expires three invites and says so');

select is(
  (select status from tutela.guardian_invites where id = :'g_due'),
  'expired',
  'a past-due pending guardian invite is expired'
);
select is(
  (select status from tutela.guardian_invites where id = :'g_now'),
  'expired',
  'a guardian invite due right now is expired'
);
select is(
  (select status from tutela.student_invites where student_id = :'k_due'),
  'expired',
  'a past-due pending student invite is expired'
);
select is(
  (select status from tutela.guardian_invites where id = :'g_future'),
  'pending',
  'a guardian invite not yet due stays pending'
);
select is(
  (select status from tutela.student_invites where student_id = :'k_future'),
  'pending',
  'a student invite not yet due stays pending'
);
select results_eq(
  format(
    $$ select status from tutela.guardian_invites where id in (%L, %L) order by status $$,
    :'g_accepted', :'g_withdrawn'
  ),
  $$ values ('accepted'::text), ('withdrawn'::text) $$,
  'accepted and withdrawn invites keep their status even when past due'
);
select is(tutela_private.expire_invites(), 0, 'a second run finds nothing to do');

select tutela_tests.authenticate_as(:'admin');
select throws_ok('select tutela_private.expire_invites()', '42501', null, 'a user may not call it');
select tutela_tests.as_anon();
select throws_ok('select tutela_private.expire_invites()', '42501', null, 'anon may not call it');

select * from finish();
rollback;
