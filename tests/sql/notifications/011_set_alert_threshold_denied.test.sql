-- set_alert_threshold is for active guardians whose link grants `grades`: a guardian without
-- grades, a pending or a revoked guardian, another child's guardian, the student, staff and a
-- stranger get TU403; an unknown (or null) student TU403; the service key without a user
-- TU401; anon 42501. Nothing is stored.
begin;
select plan(12);

select tutela_tests.create_user('noperm-011@ntf.test') as u_noperm \gset
select tutela_tests.create_user('pending-011@ntf.test') as u_pending \gset
select tutela_tests.create_user('revoked-011@ntf.test') as u_revoked \gset
select tutela_tests.create_user('kims-011@ntf.test') as u_kims \gset
select tutela_tests.create_user('student-011@ntf.test') as u_student \gset
select tutela_tests.create_user('staff-011@ntf.test') as u_staff \gset
select tutela_tests.create_user('stranger-011@ntf.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 011', 'ntf-011', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'sam', :'u_noperm', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"grades": false}'
),
(
  :'sam', :'u_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions()
),
(
  :'sam', :'u_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions()
),
(
  :'kim', :'u_kims', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions()
);

prepare set_sam as select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 60);

select tutela_tests.authenticate_as(:'u_noperm');
select throws_ok('set_sam', 'TU403', null, 'a guardian without grades');
select tutela_tests.authenticate_as(:'u_pending');
select throws_ok('set_sam', 'TU403', null, 'a pending guardian');
select tutela_tests.authenticate_as(:'u_revoked');
select throws_ok('set_sam', 'TU403', null, 'a revoked guardian');
select tutela_tests.authenticate_as(:'u_kims');
select throws_ok('set_sam', 'TU403', null, 'another child''s guardian');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('set_sam', 'TU403', null, 'the student');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('set_sam', 'TU403', null, 'staff of the organisation');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('set_sam', 'TU403', null, 'a stranger');

select tutela_tests.authenticate_as(:'u_kims');
select throws_ok(
  format(
    $$ select tutela.set_alert_threshold(%L, 'assignment_grade_low', 60) $$, gen_random_uuid()
  ),
  'TU403', null, 'an unknown student'
);
select throws_ok(
  $$ select tutela.set_alert_threshold(null, 'assignment_grade_low', 60) $$,
  'TU403', null, 'no student'
);
select tutela_tests.as_service_role();
select throws_ok('set_sam', 'TU401', null, 'the service key: no user');
select tutela_tests.as_anon();
select throws_ok('set_sam', '42501', null, 'anon');

select tutela_tests.clear_authentication();
select is_empty('select * from tutela.alert_thresholds', 'nothing was stored');

select * from finish();
rollback;
