-- set_alert_threshold is for active guardians whose link grants `grades`: a guardian without
-- grades, a pending or a revoked guardian, another child's guardian, the student, staff and a
-- stranger get TU403; an unknown (or null) student TU403; the service key without a user
-- TU401; anon 42501. Nothing is stored.
begin;
select plan(12);

select tests.create_user('noperm-011@ntf.test') as u_noperm \gset
select tests.create_user('pending-011@ntf.test') as u_pending \gset
select tests.create_user('revoked-011@ntf.test') as u_revoked \gset
select tests.create_user('kims-011@ntf.test') as u_kims \gset
select tests.create_user('student-011@ntf.test') as u_student \gset
select tests.create_user('staff-011@ntf.test') as u_staff \gset
select tests.create_user('stranger-011@ntf.test') as u_stranger \gset
insert into public.organizations (name, slug, max_guardians_per_student)
values ('Ntf 011', 'ntf-011', 10) returning id as org \gset
insert into public.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into public.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student') returning id as sam \gset
insert into public.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into public.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'sam', :'u_noperm', 'active', 'staff', now(), null,
  private.default_link_permissions() || '{"grades": false}'
),
(
  :'sam', :'u_pending', 'pending', 'code', null, null,
  private.default_link_permissions()
),
(
  :'sam', :'u_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  private.default_link_permissions()
),
(
  :'kim', :'u_kims', 'active', 'staff', now(), null,
  private.default_link_permissions()
);

prepare set_sam as select public.set_alert_threshold(:'sam', 'assignment_grade_low', 60);

select tests.authenticate_as(:'u_noperm');
select throws_ok('set_sam', 'TU403', null, 'a guardian without grades');
select tests.authenticate_as(:'u_pending');
select throws_ok('set_sam', 'TU403', null, 'a pending guardian');
select tests.authenticate_as(:'u_revoked');
select throws_ok('set_sam', 'TU403', null, 'a revoked guardian');
select tests.authenticate_as(:'u_kims');
select throws_ok('set_sam', 'TU403', null, 'another child''s guardian');
select tests.authenticate_as(:'u_student');
select throws_ok('set_sam', 'TU403', null, 'the student');
select tests.authenticate_as(:'u_staff');
select throws_ok('set_sam', 'TU403', null, 'staff of the organisation');
select tests.authenticate_as(:'u_stranger');
select throws_ok('set_sam', 'TU403', null, 'a stranger');

select tests.authenticate_as(:'u_kims');
select throws_ok(
  format(
    $$ select public.set_alert_threshold(%L, 'assignment_grade_low', 60) $$, gen_random_uuid()
  ),
  'TU403', null, 'an unknown student'
);
select throws_ok(
  $$ select public.set_alert_threshold(null, 'assignment_grade_low', 60) $$,
  'TU403', null, 'no student'
);
select tests.as_service_role();
select throws_ok('set_sam', 'TU401', null, 'the service key: no user');
select tests.as_anon();
select throws_ok('set_sam', '42501', null, 'anon');

select tests.clear_authentication();
select is_empty('select * from public.alert_thresholds', 'nothing was stored');

select * from finish();
rollback;
