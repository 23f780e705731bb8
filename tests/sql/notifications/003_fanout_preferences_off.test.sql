-- Preferences turn a type off: set_notification_preference(type, enabled => false) for all
-- children, or for one child (an override). The per-child row wins over the general one in
-- both directions: general off with one child on notifies for that child only; general on
-- with one child off notifies for the other child only. Other types and other guardians are
-- not affected.
begin;
select plan(7);

select tutela_tests.create_user('mum-003@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-003@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 003', 'ntf-003') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now()),
(:'kim', :'u_dad', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as quiz1 \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 2') returning id as quiz2 \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 3') returning id as quiz3 \gset

prepare mums_graded as
select student_id from tutela.alerts
where recipient_id = :'u_mum' and type = 'child_graded';

-- general: off
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('child_graded', p_enabled => false);
select tutela_tests.clear_authentication();
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values
(:'sam', :'org', :'quiz1', 'graded', 70, now()),
(:'kim', :'org', :'quiz1', 'graded', 70, now());
select is_empty('mums_graded', 'type off for all children: no alert for either child');
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_dad' and type = 'child_graded'
  ),
  2,
  'the other guardian still hears of both'
);
select is(
  (
    select count(*)::integer
    from tutela_private.notification_outbox
    where recipient_user_id = :'u_mum'
  ),
  0,
  'and no outbox message for the guardian who turned it off'
);

-- general off, Kim on: only Kim
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('child_graded', p_student_id => :'kim');
select tutela_tests.clear_authentication();
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values
(:'sam', :'org', :'quiz2', 'graded', 70, now()),
(:'kim', :'org', :'quiz2', 'graded', 70, now());
select results_eq(
  'mums_graded',
  format($$ values (%L::uuid) $$, :'kim'),
  'general off, Kim''s override on: an alert for Kim only'
);

-- general on, Kim off: only Sam
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('child_graded');
select tutela.set_notification_preference(
  'child_graded', p_enabled => false, p_student_id => :'kim'
);
select tutela_tests.clear_authentication();
delete from tutela.alerts;
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values
(:'sam', :'org', :'quiz3', 'graded', 70, now()),
(:'kim', :'org', :'quiz3', 'graded', 70, now());
select results_eq(
  'mums_graded',
  format($$ values (%L::uuid) $$, :'sam'),
  'general on, Kim''s override off: an alert for Sam only'
);

-- another type is not affected by child_graded's preferences
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Live 1', now() - interval '2 hours', now() - interval '1 hour')
returning id as live \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'kim', :'org', :'live', 'missed');
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_mum' and type = 'child_absent' and student_id = :'kim'
  ),
  1,
  'another type about Kim still reaches the guardian'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_dad' and type = 'child_graded'
  ),
  2,
  'the other guardian''s preferences are untouched: both grades of the last round'
);

select * from finish();
rollback;
