-- student_progress(): only a signed-in student, for their own progress. A guardian (even with
-- the progress and journal permissions), staff, an admin and a stranger are refused with
-- TU403; a token without a user id and the service key with TU401; anon 42501.
begin;
select plan(9);

select tutela_tests.create_user('student-060@world.test') as u_student \gset
select tutela_tests.create_user('other-060@world.test') as u_other \gset
select tutela_tests.create_user('guardian-060@world.test') as u_guardian \gset
select tutela_tests.create_user('staff-060@world.test') as u_staff \gset
select tutela_tests.create_user('admin-060@world.test') as u_admin \gset
select tutela_tests.create_user('stranger-060@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('World 060', 'world-060')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values (
  :'student', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true, "journal": true}'
);

prepare progress as select tutela.student_progress();

select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.student_progress() ->> 'student_id', :'student',
  'the student gets their own progress'
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  tutela.student_progress() ->> 'student_id', :'other',
  'another student gets their own progress, never the first one''s'
);
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('progress', 'TU403', null, 'an active guardian with every permission is refused');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('progress', 'TU403', null, 'staff of the organisation are refused');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('progress', 'TU403', null, 'an admin of the organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('progress', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select set_config('role', 'authenticated', true);
select throws_ok('progress', 'TU401', null, 'a token without a user id is not signed in');
select tutela_tests.as_service_role();
select throws_ok('progress', 'TU401', null, 'the service key carries no user: not signed in');
select tutela_tests.as_anon();
select throws_ok('progress', '42501', null, 'anon has no grant');

select * from finish();
rollback;
