-- accept_guardian_invite: only the addressee. A signed-in user with another email is TU403
-- (even staff or the student), anon has no grant (42501); the invite stays pending for the
-- right person.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('grandma@example.test') as grandma \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select
  invite_id,
  token
from tutela.invite_guardian(:'student', 'gran@example.test') \gset

\set accept 'select tutela.accept_guardian_invite(' :'token' ')'

select tutela_tests.authenticate_as(:'grandma');
select throws_ok(:'accept', 'TU403', null, 'a user with another email: TU403');

select tutela_tests.authenticate_as(:'admin');
select throws_ok(:'accept', 'TU403', null, 'the staff who sent it: TU403');

select tutela_tests.authenticate_as(:'kid');
select throws_ok(:'accept', 'TU403', null, 'the student: TU403');

select tutela_tests.as_anon();
select throws_ok(:'accept', '42501', null, 'anon may not call it');

select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where id = :'invite_id'),
  'pending',
  'the refused attempts leave the invite pending'
);
select is_empty('select 1 from tutela.guardian_links', 'and create no link');

select tutela_tests.authenticate_as(:'gran');
select lives_ok(:'accept', 'the addressee can still accept');

select * from finish();
rollback;
