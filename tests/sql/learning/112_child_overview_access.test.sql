-- get_child_overview: who may read a student's overview. Allowed: the student (with a login),
-- staff and admins of the organisation, an active guardian with the progress permission.
-- Refused with TU403: a guardian whose link lacks progress (even with card_content), a pending
-- or revoked guardian, another student, a stranger, staff of another organisation.
-- anon: 42501. An unknown student is TU403.
begin;
select plan(13);

-- The world: organisation A (admin, staff, the student with a login, another student), the
-- student's guardians in every state, staff of organisation B, a stranger.
select tutela_tests.create_user('student-112@world.test') as u_student \gset
select tutela_tests.create_user('other-student-112@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-112@world.test') as u_guardian \gset
select tutela_tests.create_user('guardian-noperm-112@world.test') as u_guardian_noperm \gset
select tutela_tests.create_user('guardian-pending-112@world.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian-revoked-112@world.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff-112@world.test') as u_staff \gset
select tutela_tests.create_user('admin-112@world.test') as u_admin \gset
select tutela_tests.create_user('other-staff-112@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-112@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 112', 'world-112', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other world 112', 'other-world-112')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values
(:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Student') returning id as student \gset
select tutela_tests.attach_student_login(:'student', :'u_student');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'student', :'u_guardian', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian_noperm', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(
  :'student', :'u_guardian_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
);
select tutela_tests.clear_authentication();
insert into tutela.activity_events (student_id, kind, minutes)
values (:'student', 'lesson', 10);

prepare overview as
select
  o ->> 'student_id' as student_id,
  (o -> 'kpis' ->> 'minutes_7d')::integer as minutes_7d
from tutela.get_child_overview(:'student') as o;
prepare expected as
values (:'student'::text, 10);

-- allowed
select tutela_tests.authenticate_as(:'u_student');
select results_eq('overview', 'expected', 'the student reads their overview');
select tutela_tests.authenticate_as(:'u_staff');
select results_eq('overview', 'expected', 'staff of the organisation read the overview');
select tutela_tests.authenticate_as(:'u_admin');
select results_eq('overview', 'expected', 'an admin of the organisation reads the overview');
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq('overview', 'expected', 'an active guardian with progress reads the overview');

-- refused
select tutela_tests.clear_authentication();
select is(
  (
    select permissions -> 'card_content' from tutela.guardian_links
    where guardian_id = :'u_guardian_noperm'
  ),
  'true'::jsonb,
  'the guardian without progress has card_content'
);
select tutela_tests.authenticate_as(:'u_guardian_noperm');
select throws_ok(
  'overview', 'TU403', null, 'a guardian without progress is refused (card_content is not enough)'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
select throws_ok('overview', 'TU403', null, 'a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select throws_ok('overview', 'TU403', null, 'a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok('overview', 'TU403', null, 'another student of the organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('overview', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('overview', 'TU403', null, 'staff of another organisation are refused');
select tutela_tests.as_anon();
select throws_ok('overview', '42501', null, 'anon may not call it');

select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format('select tutela.get_child_overview(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403'
);

select * from finish();
rollback;
