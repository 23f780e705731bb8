-- assignment_grade_low fires, for the guardian who set the threshold, when an assignment
-- grade falls below it: the student's first grade counts as a crossing; a grade below the
-- threshold after one at or above it fires; the next low grade does not fire again, nor does
-- a grade exactly at the threshold; after a recovery the next low grade fires again.
-- "Previous" is the student's previous graded assignment. Other guardians hear nothing of it,
-- nor does a guardian whose link no longer grants grades. Default channels: in_app and email.
begin;
select plan(8);

select tutela_tests.create_user('mum-014@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-014@ntf.test') as u_dad \gset
select tutela_tests.create_user('gran-014@ntf.test') as u_gran \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 014', 'ntf-014', 10) returning id as org \gset
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
select
  :'org' as organization_id,
  :'course' as course_id,
  'Quiz ' || n as title
from generate_series(1, 7) as n;

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 60);
select tutela_tests.authenticate_as(:'u_gran');
select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 60);
select tutela_tests.clear_authentication();
-- gran's link stops granting grades; her threshold row stays
update tutela.guardian_links
set permissions = tutela_hidden.default_link_permissions() || '{"grades": false}'
where guardian_id = :'u_gran';

-- one grade per quiz, in order, each graded a minute after the one before
prepare grade (integer, numeric) as
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'sam' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  'graded' as status,
  $2 as score,
  now() - interval '1 hour' + $1 * interval '1 minute' as graded_at
from tutela.assignments as a
where a.title = 'Quiz ' || $1;
prepare lows as
select (data ->> 'value')::numeric from tutela.alerts
where recipient_id = :'u_mum' and type = 'assignment_grade_low'
order by (data ->> 'value')::numeric desc;

execute grade (1, 50);
select results_eq('lows', 'values (50.0)', 'the first grade, below the threshold, fires');
execute grade (2, 40);
select results_eq('lows', 'values (50.0)', 'the next low grade does not fire again');
execute grade (3, 60);
execute grade (4, 59.99);
select results_eq(
  'lows', 'values (60.0), (50.0)',
  'a grade at the threshold is a recovery; the low grade after it fires (59.99 shown as 60.0)'
);
execute grade (5, 30);
execute grade (6, 75);
execute grade (7, 10);
select results_eq(
  'lows', 'values (60.0), (50.0), (10.0)',
  'still low: nothing; after the next recovery: again'
);

select results_eq(
  format(
    $$ select severity, (data ->> 'threshold')::numeric, title
       from tutela.alerts
       where recipient_id = %L and type = 'assignment_grade_low'
         and (data ->> 'value')::numeric = 10 $$,
    :'u_mum'
  ),
  $$ values ('warning'::text, 60.00::numeric, 'Quiz 7: 10.0% is below your 60.00% threshold') $$,
  'the alert: a warning naming the assignment, the grade and the threshold'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_mum' and kind = 'assignment_grade_low' and channel = 'email'
  ),
  3,
  'an email for each (default channels in_app and email)'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_dad' and type like 'assignment_grade_%'
  ),
  0,
  'a guardian without a threshold hears nothing of it'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_gran' and type like 'assignment_grade_%'
  ),
  0,
  'nor does a guardian whose link no longer grants grades'
);

select * from finish();
rollback;
