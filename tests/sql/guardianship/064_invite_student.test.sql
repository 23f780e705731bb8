-- invite_student: staff and admins create a student record and invite the student by email to
-- claim a login. It returns (student_id, token, expires_at); student_invites keeps only
-- sha256(token); a 'student_invite' email is queued in the outbox.
begin;
select plan(13);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"student_invite_ttl": "2 days"}');
select
  student_id as kid,
  token,
  expires_at
from tutela.invite_student(:'org', 'Kid', ' Kid@Example.TEST') \gset

select tutela_tests.authenticate_as(:'staff');
select student_id as kid2 from tutela.invite_student(:'org', 'Kid Two', 'kid2@example.test') \gset

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select organization_id, display_name, email, user_id, invite_accepted_at, created_by
       from tutela.students where id = %L $$,
    :'kid'
  ),
  format(
    $$ values (%L::uuid, 'Kid'::text, 'kid@example.test'::text, null::uuid, null::timestamptz,
       %L::uuid) $$,
    :'org', :'admin'
  ),
  'an admin''s invite creates the student record, without a login yet'
);
select is(
  (select organization_id from tutela.students where id = :'kid2'),
  :'org'::uuid,
  'staff invite students too'
);
select is(length(:'token'), 43, 'the token is 43 characters long');
select matches(:'token'::text, '^[A-Za-z0-9_-]{43}$', 'the token is base64url without padding');
select is(
  :'expires_at'::timestamptz,
  now() + interval '2 days',
  'expires_at is now() plus the organisation''s student_invite_ttl'
);
select results_eq(
  format(
    $$ select email, status, invited_by, expires_at from tutela.student_invites
       where student_id = %L $$,
    :'kid'
  ),
  format(
    $$ values ('kid@example.test'::text, 'pending'::text, %L::uuid, %L::timestamptz) $$,
    :'admin', :'expires_at'
  ),
  'one pending student invite is stored for the new student'
);
select is(
  (select token_hash from tutela.student_invites where student_id = :'kid'),
  sha256(convert_to(:'token', 'UTF8')),
  'the invite stores sha256 of the token'
);
select is_empty(
  format(
    $$ select 1 from tutela.student_invites as i where strpos(to_jsonb(i)::text, %L) > 0 $$,
    :'token'
  ),
  'no column of student_invites holds the plain token'
);
select results_eq(
  format(
    $$ select recipient_email, student_id, payload ->> 'token'
       from tutela_private.notification_outbox
       where kind = 'student_invite' and student_id = %L $$,
    :'kid'
  ),
  format($$ values ('kid@example.test'::text, %L::uuid, %L::text) $$, :'kid', :'token'),
  'a student_invite email with the token is queued to the student'
);
select is(
  (select count(*) from tutela_private.notification_outbox where kind = 'student_invite'),
  2::bigint,
  'one email per invite'
);
select is(
  (
    select count(*) from tutela_private.notification_outbox
    where kind not in ('student_invite', 'member_invite')
  ),
  0::bigint,
  'no other notification is queued'
);

-- the hash is not readable through the API
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  'select token_hash from tutela.student_invites',
  '42501', null, 'authenticated users cannot read token_hash'
);
select is(
  (select count(*) from tutela.student_invites),
  2::bigint,
  'staff read the organisation''s student invites'
);

select * from finish();
rollback;
