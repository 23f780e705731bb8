-- min_severity filters by the type's severity: a guardian whose min_severity is above a
-- type's severity gets nothing of that type (neither alert nor outbox message); at or below
-- it, everything as usual. child_graded is 'info', child_absent 'warning'.
begin;
select plan(6);

select tutela_tests.create_user('mum-005@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-005@ntf.test') as u_dad \gset
select tutela_tests.create_user('gran-005@ntf.test') as u_gran \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 005', 'ntf-005', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now()),
(:'sam', :'u_gran', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as quiz1 \gset
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Live 1', now() - interval '2 hours', now() - interval '1 hour')
returning id as live \gset

-- mum: warning and up, for both types; dad: critical only; gran: everything (info)
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference(
  'child_graded', array['in_app', 'email'], p_min_severity => 'warning'
);
select tutela.set_notification_preference(
  'child_absent', array['in_app', 'email'], p_min_severity => 'warning'
);
select tutela_tests.authenticate_as(:'u_dad');
select tutela.set_notification_preference(
  'child_absent', array['in_app', 'email'], p_min_severity => 'critical'
);
select tutela_tests.authenticate_as(:'u_gran');
select tutela.set_notification_preference(
  'child_graded', array['in_app', 'email'], p_min_severity => 'info'
);
select tutela_tests.clear_authentication();

insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz1', 'graded', 85, now());
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'sam', :'org', :'live', 'missed');

select results_eq(
  $$ select recipient_id from tutela.alerts where type = 'child_graded' order by 1 $$,
  format(
    $$ select x from (values (%L::uuid), (%L::uuid)) as v (x) order by 1 $$,
    :'u_dad', :'u_gran'
  ),
  'an info event: no alert for the guardian who wants warning and up'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_mum' and kind = 'child_graded'
  ),
  0,
  'nor an outbox message'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_gran' and kind = 'child_graded'
  ),
  1,
  'min_severity info lets it through, on the chosen email channel too'
);
select results_eq(
  $$ select recipient_id from tutela.alerts where type = 'child_absent' order by 1 $$,
  format(
    $$ select x from (values (%L::uuid), (%L::uuid)) as v (x) order by 1 $$,
    :'u_mum', :'u_gran'
  ),
  'a warning event reaches min_severity warning, not critical'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_dad' and kind = 'child_absent'
  ),
  0,
  'no outbox message for the guardian who wants critical only'
);
select is(
  (select severity from tutela.alerts where type = 'child_absent' and recipient_id = :'u_mum'),
  'warning',
  'the alert carries the type''s severity'
);

select * from finish();
rollback;
