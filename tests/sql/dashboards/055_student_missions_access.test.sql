-- student_missions(p_status): only a signed-in student, for their own missions. A guardian,
-- staff, an admin and a stranger (no student record) are refused with TU403, with or without
-- a status filter; a token without a user id and the service key with TU401; anon 42501.
begin;
select plan(10);

select tutela_tests.create_user('student-055@world.test') as u_student \gset
select tutela_tests.create_user('other-055@world.test') as u_other \gset
select tutela_tests.create_user('guardian-055@world.test') as u_guardian \gset
select tutela_tests.create_user('staff-055@world.test') as u_staff \gset
select tutela_tests.create_user('admin-055@world.test') as u_admin \gset
select tutela_tests.create_user('stranger-055@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('World 055', 'world-055')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());
insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'student', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Essay') returning id as essay \gset

prepare missions as select tutela.student_missions();
prepare pending_missions as select tutela.student_missions(array['pending']);

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_missions(), '$[*].assignment_id'),
  jsonb_build_array(:'essay'),
  'the student gets their own missions'
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  tutela.student_missions(), '[]'::jsonb,
  'another student (not enrolled) gets an empty list, never the first student''s'
);
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('missions', 'TU403', null, 'an active guardian is refused');
select throws_ok('pending_missions', 'TU403', null, 'an active guardian is refused (filtered)');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('missions', 'TU403', null, 'staff of the organisation are refused');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('missions', 'TU403', null, 'an admin of the organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('missions', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select set_config('role', 'authenticated', true);
select throws_ok('missions', 'TU401', null, 'a token without a user id is not signed in');
select tutela_tests.as_service_role();
select throws_ok('missions', 'TU401', null, 'the service key carries no user: not signed in');
select tutela_tests.as_anon();
select throws_ok('missions', '42501', null, 'anon has no grant');

select * from finish();
rollback;
