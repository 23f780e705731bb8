-- child_overview(student): refused with TU403 for a revoked guardian, a pending guardian, a
-- signed-in stranger, staff of another organisation, the guardian of another child and
-- another student of the organisation; an unknown or null student is TU403 (even for a
-- guardian or staff); a token without a user id is TU401; anon has no grant (42501).
begin;
select plan(13);

select tutela_tests.create_user('revoked-d029@world.test') as u_revoked \gset
select tutela_tests.create_user('pending-d029@world.test') as u_pending \gset
select tutela_tests.create_user('stranger-d029@world.test') as u_stranger \gset
select tutela_tests.create_user('other-staff-d029@world.test') as u_other_staff \gset
select tutela_tests.create_user('staff-d029@world.test') as u_staff \gset
select tutela_tests.create_user('other-guardian-d029@world.test') as u_other_guardian \gset
select tutela_tests.create_user('other-student-d029@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-d029@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 029', 'academy-d029', 5) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other 029', 'other-d029')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'other_org', :'u_other_staff', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Leo', :'u_other_student') returning id as leo \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values
(:'mia', :'u_guardian', 'active', 'staff', now(), null),
(:'mia', :'u_revoked', 'revoked', 'code', now() - interval '3 days', now()),
(:'mia', :'u_pending', 'pending', 'code', null, null),
(:'leo', :'u_other_guardian', 'active', 'staff', now(), null);

prepare overview as select tutela.child_overview(:'mia');
prepare unknown as select tutela.child_overview(gen_random_uuid());
prepare nobody as select tutela.child_overview(null);

select tutela_tests.authenticate_as(:'u_revoked');
select throws_ok('overview', 'TU403', null, 'a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_pending');
select throws_ok('overview', 'TU403', null, 'a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('overview', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('overview', 'TU403', null, 'an admin of another organisation is refused');
select tutela_tests.authenticate_as(:'u_other_guardian');
select throws_ok('overview', 'TU403', null, 'the guardian of another child is refused');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok('overview', 'TU403', null, 'another student of the organisation is refused');
select tutela_tests.as_anon();
select throws_ok('overview', '42501', null, 'anon has no grant');
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select set_config('role', 'authenticated', true);
select throws_ok('overview', 'TU401', null, 'a token without a user id: TU401');
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('unknown', 'TU403', null, 'an unknown student: TU403 (guardian)');
select throws_ok('nobody', 'TU403', null, 'a null student: TU403 (guardian)');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('unknown', 'TU403', null, 'an unknown student: TU403 (staff)');
select throws_ok('nobody', 'TU403', null, 'a null student: TU403 (staff)');
-- the allowed guardian and staff do get it (the refusals are about the actor)
select tutela_tests.authenticate_as(:'u_guardian');
select lives_ok('overview', 'control: the active guardian gets the overview');

select * from finish();
rollback;
