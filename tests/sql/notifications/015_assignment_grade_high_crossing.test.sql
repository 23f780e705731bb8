-- assignment_grade_high fires, for the guardian who set it, when an assignment grade reaches
-- the threshold (at or above) after a grade below it, or with the student's first grade; not
-- again for the next high grade; again after a grade below. Default channel: in_app only.
-- With both thresholds set, a jump from below low to above high fires high, and a fall from
-- above high to below low fires low.
begin;
select plan(6);

select tutela_tests.create_user('mum-015@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-015@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 015', 'ntf-015') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
select
  :'org' as organization_id,
  :'course' as course_id,
  'Quiz ' || n as title
from generate_series(1, 9) as n;

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_alert_threshold(:'sam', 'assignment_grade_high', 80);
select tutela_tests.authenticate_as(:'u_dad');
select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 50);
select tutela.set_alert_threshold(:'sam', 'assignment_grade_high', 90);
select tutela_tests.clear_authentication();

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
prepare mums_highs as
select a.title from tutela.alerts as a
where a.recipient_id = :'u_mum' and a.type = 'assignment_grade_high'
order by a.title;

execute grade (1, 85);
select results_eq(
  'mums_highs',
  $$ values ('Quiz 1: 85.0% reached your 80.00% threshold') $$,
  'the first grade, at or above the threshold, fires'
);
execute grade (2, 90);
execute grade (3, 79.99);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_mum' and type = 'assignment_grade_high'
  ),
  1,
  'the next high grade does not fire again, nor does a fall below'
);
execute grade (4, 80);
execute grade (5, 70);
execute grade (6, 95);
select results_eq(
  'mums_highs',
  $$ values ('Quiz 1: 85.0% reached your 80.00% threshold'),
     ('Quiz 4: 80.0% reached your 80.00% threshold'),
     ('Quiz 6: 95.0% reached your 80.00% threshold') $$,
  'exactly at the threshold after a lower grade fires; after another fall, again'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_mum'
  ),
  0,
  'no outbox message: assignment_grade_high (and child_graded) go in-app only by default'
);

-- dad: low 50, high 90. Quiz 1..6 = 85, 90, 79.99, 80, 70, 95: high at Quiz 2, Quiz 6
execute grade (7, 40);
execute grade (8, 100);
execute grade (9, 45);
select results_eq(
  format(
    $$ select type, (data ->> 'value')::numeric from tutela.alerts
       where recipient_id = %L and type like 'assignment_grade_%%'
       order by title $$,
    :'u_dad'
  ),
  $$ values ('assignment_grade_high'::text, 90.0::numeric), ('assignment_grade_high', 95.0),
     ('assignment_grade_low', 40.0), ('assignment_grade_high', 100.0),
     ('assignment_grade_low', 45.0) $$,
  'another guardian''s own thresholds: highs and lows fire on each crossing'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_mum' and type = 'assignment_grade_high'
  ),
  4,
  'the jump from 40 to 100 fires mum''s high threshold too'
);

select * from finish();
rollback;
