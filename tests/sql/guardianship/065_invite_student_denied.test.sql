-- invite_student: only staff and admins of the organisation. A guardian, a student, a stranger
-- and an admin of another organisation get TU403; anon has no grant (42501). Nothing is made.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'other_admin');
select tutela.create_organization('Other', 'other-org');

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');

\set invite 'select tutela.invite_student(' :'org' '::uuid, ''New'', ''new@example.test'')'

select tutela_tests.authenticate_as(:'mum');
select throws_ok(:'invite', 'TU403', null, 'a (primary) guardian: TU403');

select tutela_tests.authenticate_as(:'kid');
select throws_ok(:'invite', 'TU403', null, 'a student of the organisation: TU403');

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(:'invite', 'TU403', null, 'a stranger: TU403');

select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(:'invite', 'TU403', null, 'an admin of another organisation: TU403');

select tutela_tests.as_anon();
select throws_ok(:'invite', '42501', null, 'anon may not call it');

select tutela_tests.clear_authentication();
select is_empty(
  $$ select 1 from tutela.students where display_name = 'New' $$,
  'no student record was created'
);
select is_empty('select 1 from tutela.student_invites', 'no student invite was stored');

select * from finish();
rollback;
