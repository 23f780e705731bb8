-- course_grade_low and course_grade_high watch each course's average
-- (tutela_private.course_averages:
-- the mean percent of the student's graded submissions in that course, and how many there
-- are). They fire for the guardian who set them when the average crosses the threshold: the
-- first average counts as a crossing; staying on the same side fires nothing; a re-score
-- moves the average like any new grade. Low goes in_app and email, high in_app only.
begin;
select plan(9);

select tutela_tests.create_user('mum-017@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-017@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 017', 'ntf-017') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'Physics') returning id as physics \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'History') returning id as history \gset
insert into tutela.assignments (organization_id, course_id, title, passing_percent)
select
  :'org' as organization_id,
  :'algebra' as course_id,
  'Algebra ' || n as title,
  0 as passing_percent
from generate_series(1, 7) as n;

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_alert_threshold(:'sam', 'course_grade_low', 60);
select tutela.set_alert_threshold(:'sam', 'course_grade_high', 85);
select tutela_tests.clear_authentication();

prepare grade (text, numeric) as
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'sam' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  'graded' as status,
  $2 as score,
  now() as graded_at
from tutela.assignments as a
where a.title = $1;
prepare course_alerts as
select
  type,
  (data ->> 'value')::numeric as value,
  (data ->> 'course_id')::uuid as course_id
from tutela.alerts
where recipient_id = :'u_mum' and type like 'course_grade_%';

execute grade ('Algebra 1', 50);
select results_eq(
  'course_alerts',
  format($$ values ('course_grade_low'::text, 50.0::numeric, %L::uuid) $$, :'algebra'),
  'the first average (50) is below 60: it fires'
);
select results_eq(
  format(
    $$ select average_percent, graded from tutela_private.course_averages
       where student_id = %L and course_id = %L $$,
    :'sam', :'algebra'
  ),
  $$ values (50.00::numeric(6, 2), 1) $$,
  'the course average is kept in tutela_private.course_averages'
);
execute grade ('Algebra 2', 60);
select is(
  (select count(*)::integer from tutela.alerts where type like 'course_grade_%'),
  1,
  'the average moves to 55, still below: nothing'
);
execute grade ('Algebra 3', 100);
execute grade ('Algebra 4', 100);
execute grade ('Algebra 5', 100);
select is(
  (select count(*)::integer from tutela.alerts where type like 'course_grade_%'),
  1,
  'up to 70 and 82, between the thresholds: nothing'
);
-- a re-score: Algebra 2 from 60 to 75 makes the average 85
update tutela.submissions as s set score = 75
from tutela.assignments as a
where a.id = s.assignment_id and a.title = 'Algebra 2';
select results_eq(
  format(
    $$ select average_percent, graded from tutela_private.course_averages
       where student_id = %L and course_id = %L $$,
    :'sam', :'algebra'
  ),
  $$ values (85.00::numeric(6, 2), 5) $$,
  'a re-score moves the average (85 over the same 5 grades)'
);
select bag_eq(
  'course_alerts',
  format(
    $$ values ('course_grade_low'::text, 50.0::numeric, %L::uuid),
       ('course_grade_high', 85.0, %L) $$,
    :'algebra', :'algebra'
  ),
  'reaching 85 exactly crosses the high threshold'
);
execute grade ('Algebra 6', 100);
select is(
  (select count(*)::integer from tutela.alerts where type like 'course_grade_%'),
  2,
  'up to 87.5, still above: nothing'
);

-- other courses: each its own average; the first one counts as a crossing
insert into tutela.assignments (organization_id, course_id, title)
values
(:'org', :'physics', 'Physics 1'),
(:'org', :'history', 'History 1');
execute grade ('Physics 1', 90);
execute grade ('History 1', 70);
select bag_eq(
  'course_alerts',
  format(
    $$ values ('course_grade_low'::text, 50.0::numeric, %L::uuid),
       ('course_grade_high', 85.0, %L), ('course_grade_high', 90.0, %L) $$,
    :'algebra', :'algebra', :'physics'
  ),
  'a first average of 90 in another course fires high; 70 in a third fires nothing'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_dad' and type like 'course_grade_%'
  ),
  0,
  'a guardian without thresholds hears nothing of them'
);

select * from finish();
rollback;
