-- A token whose user no longer exists (deleted while the JWT is still valid) counts as not
-- signed in: TU401 (docs/errors.md), the same as a token without a user id, for the invite
-- and list functions.
begin;
select plan(5);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('gone@example.test') as gone \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select token from tutela.invite_guardian(:'student', 'gone@example.test') \gset
select token as student_token
from tutela.invite_student(:'org', 'Claimable', 'gone@example.test') \gset

-- sign in as gone, then the account is deleted; the token stays valid until it expires
select tutela_tests.clear_authentication();
delete from auth.users where id = :'gone';
select tutela_tests.authenticate_as(:'gone');
select set_config(
  'request.jwt.claims',
  json_build_object('sub', :'gone', 'role', 'authenticated', 'email', 'gone@example.test')::text,
  true
);

select throws_ok(
  'select * from tutela.guardian_list_children()',
  'TU401', null, 'guardian_list_children: a deleted user is not signed in'
);
select throws_ok(
  'select * from tutela.student_list_guardians()',
  'TU401', null, 'student_list_guardians: a deleted user is not signed in'
);
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'token'),
  'TU401', null, 'accept_guardian_invite: a deleted user is not signed in'
);
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'student_token'),
  'TU401', null, 'accept_student_invite: a deleted user is not signed in'
);
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'x@example.test') $$, :'student'),
  'TU401', null, 'invite_guardian: a deleted user is not signed in'
);

select * from finish();
rollback;
