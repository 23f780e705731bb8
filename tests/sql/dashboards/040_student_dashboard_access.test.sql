-- student_dashboard(): only a signed-in user with a student record has a student dashboard,
-- and it is always their own. A guardian, staff, an admin and a stranger (no student record)
-- are refused with TU403; a token without a user id, a token of a deleted user and the
-- service key (no user) with TU401; anon has no grant (42501).
begin;
select plan(10);

select tutela_tests.create_user('student-040@world.test') as u_student \gset
select tutela_tests.create_user('other-student-040@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-040@world.test') as u_guardian \gset
select tutela_tests.create_user('staff-040@world.test') as u_staff \gset
select tutela_tests.create_user('admin-040@world.test') as u_admin \gset
select tutela_tests.create_user('stranger-040@world.test') as u_stranger \gset
select tutela_tests.create_user('gone-040@world.test') as u_gone \gset
insert into tutela.organizations (name, slug) values ('World 040', 'world-040')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());

prepare dashboard as select tutela.student_dashboard();

-- allowed: each student gets their own dashboard
select tutela_tests.authenticate_as(:'u_student');
select is(
  (select tutela.student_dashboard() ->> 'student_id'), :'student',
  'the student gets their own dashboard'
);
select tutela_tests.authenticate_as(:'u_other_student');
select is(
  (select tutela.student_dashboard() ->> 'student_id'), :'other_student',
  'another student gets their own dashboard, never the first one''s'
);

-- refused: signed in without a student record
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('dashboard', 'TU403', null, 'an active guardian of the student is refused');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('dashboard', 'TU403', null, 'staff of the student''s organisation are refused');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('dashboard', 'TU403', null, 'an admin of the organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('dashboard', 'TU403', null, 'a signed-in stranger is refused');

-- refused: no user
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select set_config('role', 'authenticated', true);
select throws_ok('dashboard', 'TU401', null, 'a token without a user id is not signed in');
select tutela_tests.clear_authentication();
delete from auth.users where id = :'u_gone';
select set_config(
  'request.jwt.claims',
  json_build_object('sub', :'u_gone', 'role', 'authenticated')::text, true
);
select set_config('role', 'authenticated', true);
select throws_ok('dashboard', 'TU401', null, 'a token of a deleted user is not signed in');
select tutela_tests.as_service_role();
select throws_ok('dashboard', 'TU401', null, 'the service key carries no user: not signed in');
select tutela_tests.as_anon();
select throws_ok('dashboard', '42501', null, 'anon has no grant');

select * from finish();
rollback;
