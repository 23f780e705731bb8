-- performance_decline (tutela_private.run_early_warnings()): the student's last 3 grades (by
-- graded_at) average at least 10 points below the 5 grades before them; it needs 8 grades.
-- Sent to guardians with `grades`, once per latest grade.
--   at_10   80 x5, then 70 x3: exactly 10 below          -> warned
--   at_9_9  80 x5, then 70.1 x3: 9.9 below               -> not warned
--   seven   80 x4, then 50 x3: only 7 grades             -> not warned
--   ninth   100 (9th back), 78 x5, then 70 x3: 8 below the 5 before (the 9th does not
--           count; with it the 6 before would average 81.7)  -> not warned
begin;
select plan(6);

select tutela_tests.create_user('mum-031@ntf.test') as u_mum \gset
select tutela_tests.create_user('noperm-031@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug)
values ('Ntf 031', 'ntf-031') returning id as org \gset
insert into tutela.students (organization_id, display_name)
select
  :'org' as organization_id,
  n as display_name
from unnest(array['at_10', 'at_9_9', 'seven', 'ninth']) as n;
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
select
  s.id as student_id,
  :'u_mum' as guardian_id,
  'active' as status,
  'staff' as created_via,
  now() as activated_at,
  tutela_hidden.default_link_permissions() as permissions
from tutela.students as s
where s.organization_id = :'org';
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
select
  s.id as student_id,
  :'u_noperm' as guardian_id,
  'active' as status,
  'staff' as created_via,
  now() as activated_at,
  tutela_hidden.default_link_permissions() || '{"grades": false}' as permissions
from tutela.students as s
where s.organization_id = :'org';
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title, passing_percent)
select
  :'org' as organization_id,
  :'course' as course_id,
  'T' || n as title,
  0 as passing_percent
from generate_series(1, 9) as n;

-- (student, assignment number, score): T1 graded first, T9 last
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
with
students as (
  select
    id,
    organization_id,
    display_name
  from tutela.students
  where organization_id = :'org'
),

assignments as (
  select
    id,
    title
  from tutela.assignments
  where course_id = :'course'
),

grades (student, n, score) as (
  values
  ('at_10', 1, 80.0), ('at_10', 2, 80), ('at_10', 3, 80), ('at_10', 4, 80), ('at_10', 5, 80),
  ('at_10', 6, 70), ('at_10', 7, 70), ('at_10', 8, 70),
  ('at_9_9', 1, 80), ('at_9_9', 2, 80), ('at_9_9', 3, 80), ('at_9_9', 4, 80),
  ('at_9_9', 5, 80), ('at_9_9', 6, 70.1), ('at_9_9', 7, 70.1), ('at_9_9', 8, 70.1),
  ('seven', 1, 80), ('seven', 2, 80), ('seven', 3, 80), ('seven', 4, 80),
  ('seven', 5, 50), ('seven', 6, 50), ('seven', 7, 50),
  ('ninth', 1, 100), ('ninth', 2, 78), ('ninth', 3, 78), ('ninth', 4, 78),
  ('ninth', 5, 78), ('ninth', 6, 78), ('ninth', 7, 70), ('ninth', 8, 70), ('ninth', 9, 70)
)

select
  s.id as student_id,
  s.organization_id,
  a.id as assignment_id,
  'graded' as status,
  g.score,
  now() - interval '20 days' + g.n * interval '1 day' as graded_at
from grades as g
inner join students as s on g.student = s.display_name
inner join assignments as a on 'T' || g.n = a.title;

prepare warned as
select s.display_name
from (
  select student_id from tutela.alerts
  where type = 'performance_decline' and recipient_id = :'u_mum'
) as a
inner join tutela.students as s on a.student_id = s.id;

select tutela_private.run_early_warnings();
select results_eq('warned', $$ values ('at_10') $$, 'only the student exactly 10 points down');
select results_eq(
  $$ select (data ->> 'recent_average')::numeric, (data ->> 'previous_average')::numeric,
       severity, dedupe_key
     from tutela.alerts where type = 'performance_decline' $$,
  format(
    $$ select 70.0::numeric, 80.0::numeric, 'warning'::text, 'performance_decline:' || s.id
       from tutela.submissions as s join tutela.students as st on st.id = s.student_id
       join tutela.assignments as a on a.id = s.assignment_id
       where st.display_name = 'at_10' and a.title = 'T8' and st.organization_id = %L $$,
    :'org'
  ),
  'the alert: both averages, a warning, keyed by the latest grade'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'performance_decline' and channel = 'email'
  ),
  1,
  'with an email (default channels in_app and email)'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_noperm' and type = 'performance_decline'
  ),
  0,
  'a guardian without grades is not warned'
);

select tutela_private.run_early_warnings();
select is(
  (select count(*)::integer from tutela.alerts where type = 'performance_decline'),
  1,
  'a second run adds nothing'
);

-- a new, still low, grade is a new latest grade: warned again
insert into tutela.assignments (organization_id, course_id, title, passing_percent)
values (:'org', :'course', 'T10', 0) returning id as t10 \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  s.id as student_id,
  :'org' as organization_id,
  :'t10' as assignment_id,
  'graded' as status,
  60 as score,
  now() as graded_at
from tutela.students as s
where s.organization_id = :'org' and s.display_name = 'at_10';
select tutela_private.run_early_warnings();
select is(
  (select count(*)::integer from tutela.alerts where type = 'performance_decline'),
  2,
  'after a new grade (70, 70, 60 against 80 x4 and 70) the next run warns again'
);

select * from finish();
rollback;
