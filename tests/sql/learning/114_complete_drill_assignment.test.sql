-- complete_drill_assignment: the student and staff (or an admin) of their organisation mark a
-- drill assignment completed; completing it again changes nothing (completed_at is set once)
-- and nothing else of the assignment changes. Refused with TU403: a guardian (even active with
-- progress), another student, a stranger, staff of another organisation. An unknown assignment
-- is TU404; anon gets 42501.
begin;
select plan(17);

-- The world: organisation A (admin, staff, the student with a login, another student), the
-- student's guardians in every state, staff of organisation B, a stranger.
select tutela_tests.create_user('student-114@world.test') as u_student \gset
select tutela_tests.create_user('other-student-114@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-114@world.test') as u_guardian \gset
select tutela_tests.create_user('guardian-noperm-114@world.test') as u_guardian_noperm \gset
select tutela_tests.create_user('guardian-pending-114@world.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian-revoked-114@world.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff-114@world.test') as u_staff \gset
select tutela_tests.create_user('admin-114@world.test') as u_admin \gset
select tutela_tests.create_user('other-staff-114@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-114@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 114', 'world-114', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other world 114', 'other-world-114')
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
insert into tutela.drills (organization_id, title)
values (:'org', 'Serve 50 balls') returning id as drill \gset
insert into tutela.drill_assignments (
  drill_id, student_id, organization_id, assigned_by, due_at, notes
)
values (:'drill', :'student', :'org', :'u_staff', now() + interval '2 days', 'Slowly')
returning id as a_student \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id)
values (:'drill', :'student', :'org') returning id as a_staff \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id)
values (:'drill', :'student', :'org') returning id as a_admin \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id)
values (:'drill', :'student', :'org') returning id as a_refused \gset

-- the student
select tutela_tests.authenticate_as(:'u_student');
select is(
  (tutela.complete_drill_assignment(:'a_student')).completed_at,
  now(),
  'the student completes their drill: completed_at is now'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select drill_id, student_id, organization_id, assigned_by, due_at, notes
       from tutela.drill_assignments where id = %L $$,
    :'a_student'
  ),
  format(
    $$ values (%L::uuid, %L::uuid, %L::uuid, %L::uuid, now() + interval '2 days', 'Slowly') $$,
    :'drill', :'student', :'org', :'u_staff'
  ),
  'nothing else of the assignment changed'
);

-- completed an hour ago: completing again keeps that time
update tutela.drill_assignments set completed_at = now() - interval '1 hour'
where id = :'a_student';
select tutela_tests.authenticate_as(:'u_student');
select is(
  (tutela.complete_drill_assignment(:'a_student')).completed_at,
  now() - interval '1 hour',
  'completing again returns the assignment with its first completed_at'
);
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.drill_assignments where id = :'a_student'),
  now() - interval '1 hour',
  'the stored completed_at was not moved'
);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  (tutela.complete_drill_assignment(:'a_student')).completed_at,
  now() - interval '1 hour',
  'staff completing it again change nothing either'
);

-- staff and an admin
select is(
  (tutela.complete_drill_assignment(:'a_staff')).completed_at,
  now(),
  'staff of the organisation complete a drill'
);
select tutela_tests.authenticate_as(:'u_admin');
select is(
  (tutela.complete_drill_assignment(:'a_admin')).completed_at,
  now(),
  'an admin of the organisation completes a drill'
);

-- refused
prepare complete_refused as select tutela.complete_drill_assignment(:'a_refused');
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  'complete_refused', 'TU403', null, 'an active guardian with progress is refused'
);
select tutela_tests.authenticate_as(:'u_guardian_noperm');
select throws_ok('complete_refused', 'TU403', null, 'a guardian without progress is refused');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select throws_ok('complete_refused', 'TU403', null, 'a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok(
  'complete_refused', 'TU403', null, 'another student of the organisation is refused'
);
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('complete_refused', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('complete_refused', 'TU403', null, 'staff of another organisation are refused');
select tutela_tests.as_anon();
select throws_ok('complete_refused', '42501', null, 'anon may not call it');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok(
  format('select tutela.complete_drill_assignment(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown assignment is TU403'
);
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok(
  format('select tutela.complete_drill_assignment(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown assignment is TU403 for anyone'
);

select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.drill_assignments where id = :'a_refused'),
  null,
  'after the refusals the assignment is still open'
);

select * from finish();
rollback;
