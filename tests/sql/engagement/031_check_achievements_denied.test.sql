-- check_achievements(p_student_id) refuses everyone else with TU403: a guardian (even active
-- with the progress permission), another student, a stranger, staff and admins of another
-- organisation. anon lacks the grant (42501). An unknown student is TU403.
begin;
select plan(11);

select tutela_tests.create_user('student-031@world.test') as u_student \gset
select tutela_tests.create_user('other-student-031@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-031@world.test') as u_guardian \gset
select tutela_tests.create_user('staff-031@world.test') as u_staff \gset
select tutela_tests.create_user('other-staff-031@world.test') as u_other_staff \gset
select tutela_tests.create_user('other-admin-031@world.test') as u_other_admin \gset
select tutela_tests.create_user('stranger-031@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('Academy 031', 'academy-031')
returning id as org \gset
insert into tutela.organizations (name, slug) values ('Elsewhere 031', 'elsewhere-031')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values
(:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff'),
(:'other_org', :'u_other_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Kim', :'u_other_student');
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());
insert into tutela.certificates (student_id, organization_id, title)
values (:'student', :'org', 'Club referee');

prepare chk as select * from tutela.check_achievements(:'student');
prepare chk_unknown as select * from tutela.check_achievements(gen_random_uuid());

select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('chk', 'TU403', null, 'an active guardian with progress is refused');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok('chk', 'TU403', null, 'another student of the organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('chk', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('chk', 'TU403', null, 'staff of another organisation is refused');
select tutela_tests.authenticate_as(:'u_other_admin');
select throws_ok('chk', 'TU403', null, 'an admin of another organisation is refused');
select tutela_tests.as_anon();
select throws_ok('chk', '42501', null, 'anon is refused (no grant)');

select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('chk_unknown', 'TU403', null, 'staff: an unknown student is TU403');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('chk_unknown', 'TU403', null, 'a stranger: an unknown student is TU403');
select tutela_tests.as_service_role();
select throws_ok('chk_unknown', 'TU404', null, 'the service role: an unknown student is TU404');

select tutela_tests.clear_authentication();
select is_empty(
  $$ select 1 from tutela.student_achievements $$,
  'the refused calls awarded nothing'
);
select is(
  (select count(*)::integer from tutela_private.achievement_queue where student_id = :'student'), 1,
  'the refused calls left the student queued'
);

select * from finish();
rollback;
