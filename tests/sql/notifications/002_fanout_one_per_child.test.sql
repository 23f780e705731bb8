-- A guardian of two children hears of each child's grade on its own: one alert per child,
-- naming that child, even when both are graded by one statement. The co-guardian of only one
-- child hears only of that child.
begin;
select plan(4);

select tutela_tests.create_user('mum-002@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-002@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 002', 'ntf-002') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_dad', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as quiz1 \gset

insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values
(:'sam', :'org', :'quiz1', 'graded', 70, now()),
(:'kim', :'org', :'quiz1', 'graded', 90, now());

select bag_eq(
  format(
    $$ select student_id from tutela.alerts
       where recipient_id = %L and type = 'child_graded' $$,
    :'u_mum'
  ),
  format($$ values (%L::uuid), (%L::uuid) $$, :'sam', :'kim'),
  'the guardian of both children gets one alert per child'
);
select results_eq(
  format(
    $$ select (data ->> 'percent')::numeric from tutela.alerts
       where recipient_id = %L and student_id = %L $$,
    :'u_mum', :'kim'
  ),
  $$ values (90.0::numeric) $$,
  'each alert carries that child''s own grade'
);
select results_eq(
  format(
    $$ select student_id from tutela.alerts
       where recipient_id = %L and type = 'child_graded' $$,
    :'u_dad'
  ),
  format($$ values (%L::uuid) $$, :'kim'),
  'the guardian of one child hears only of that child'
);
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_graded'),
  3,
  'three alerts in all'
);

select * from finish();
rollback;
