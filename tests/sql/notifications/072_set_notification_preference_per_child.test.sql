-- A per-child preference is for one of the caller's own children (an active link, whatever
-- its permissions) or for the caller's own student record; anyone else's student, a child of
-- a pending or revoked link, or an unknown id is TU403, and nothing is stored.
-- get_notification_preferences needs a user: TU401 without, 42501 for anon.
begin;
select plan(11);

select tutela_tests.create_user('mum-072@ntf.test') as u_mum \gset
select tutela_tests.create_user('student-072@ntf.test') as u_student \gset
select tutela_tests.create_user('staff-072@ntf.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 072', 'ntf-072', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Pat') returning id as pat \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Lou') returning id as lou \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Max') returning id as max \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'sam', :'u_mum', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": false, "grades": false}'
),
(:'pat', :'u_mum', 'pending', 'code', null, null, tutela_hidden.default_link_permissions()),
(
  :'lou', :'u_mum', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions()
);

select tutela_tests.authenticate_as(:'u_mum');
select lives_ok(
  format(
    $$ select tutela.set_notification_preference('child_graded', p_student_id => %L) $$,
    :'sam'
  ),
  'a guardian: for their own child (an active link, even without permissions)'
);
select throws_ok(
  format(
    $$ select tutela.set_notification_preference('child_graded', p_student_id => %L) $$,
    :'kim'
  ),
  'TU403', null, 'not for a student they are not linked to'
);
select throws_ok(
  format(
    $$ select tutela.set_notification_preference('child_graded', p_student_id => %L) $$,
    :'pat'
  ),
  'TU403', null, 'not for a child of a pending link'
);
select throws_ok(
  format(
    $$ select tutela.set_notification_preference('child_graded', p_student_id => %L) $$,
    :'lou'
  ),
  'TU403', null, 'not for a child of a revoked link'
);
select throws_ok(
  format(
    $$ select tutela.set_notification_preference('child_graded', p_student_id => %L) $$,
    gen_random_uuid()
  ),
  'TU403', null, 'not for an unknown id'
);
select tutela_tests.authenticate_as(:'u_student');
select lives_ok(
  format(
    $$ select tutela.set_notification_preference('milestone_reached', p_student_id => %L) $$,
    :'sam'
  ),
  'a student: for their own record'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format(
    $$ select tutela.set_notification_preference('child_graded', p_student_id => %L) $$,
    :'max'
  ),
  'TU403', null, 'staff: not for a student of their organisation'
);

select tutela_tests.clear_authentication();
select results_eq(
  'select user_id, student_id, type from tutela.notification_preferences order by type',
  format(
    $$ values (%L::uuid, %L::uuid, 'child_graded'::text), (%L, %L, 'milestone_reached') $$,
    :'u_mum', :'sam', :'u_student', :'sam'
  ),
  'only the two allowed preferences were stored'
);
select tutela_tests.authenticate_as(:'u_mum');
select is(
  (select count(*)::integer from tutela.notification_preferences),
  1,
  'each user reads only their own preferences'
);
select tutela_tests.as_service_role();
select throws_ok(
  'select * from tutela.get_notification_preferences()', 'TU401', null,
  'get_notification_preferences: the service key, no user'
);
select tutela_tests.as_anon();
select throws_ok(
  'select * from tutela.get_notification_preferences()', '42501', null,
  'get_notification_preferences: anon'
);

select * from finish();
rollback;
