-- parent_dashboard(): an urgent `low_grade` item for each grade (graded or returned) of the
-- last 14 days below the assignment's passing percent, newest first. Older failures, passes
-- (including exactly at the passing percent) and ungraded work are not urgent.
begin;
select plan(9);

select tutela_tests.create_user('guardian-d007@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 007', 'academy-d007')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'mia', :'org', :'course');

-- title, max score, passing percent, status, score, graded days ago
create temporary table graded (
  title text, max_score numeric, passing numeric, status text, score numeric, days_ago integer
);
insert into graded values
('Quiz 1', 100, 60, 'graded', 40, 2),      -- failed 2 days ago: urgent
('Quiz 2', 100, 60, 'graded', 50, 20),     -- failed 20 days ago: too old
('Quiz 3', 100, 60, 'graded', 75, 1),      -- passed
('Quiz 4', 100, 80, 'graded', 70, 3),      -- 70 % below its own 80 %: urgent
('Quiz 5', 100, 60, 'graded', 60, 1),      -- exactly the passing percent: passed
('Quiz 6', 20, 60, 'returned', 10, 5),     -- returned at 50 %: urgent
('Quiz 7', 100, 60, 'graded', 35, 13),     -- failed 13 days ago: urgent
('Quiz 8', 100, 60, 'submitted', null, null); -- handed in, not graded
insert into tutela.assignments (
  organization_id, course_id, title, max_score, passing_percent, due_at
)
select
  :'org'::uuid as organization_id,
  :'course'::uuid as course_id,
  g.title,
  g.max_score,
  g.passing,
  now() - interval '21 days' as due_at
from graded as g;
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, submitted_at, score, reviewer_score,
  feedback, graded_at
)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  (select g.status from graded as g where g.title = a.title) as status,
  now() - interval '21 days' as submitted_at,
  (select g.score from graded as g where g.title = a.title) as score,
  (select g.score from graded as g where g.title = a.title) as reviewer_score,
  'See me about ' || a.title as feedback,
  now() - make_interval(days => (select g.days_ago from graded as g where g.title = a.title))
    as graded_at
from tutela.assignments as a
where a.course_id = :'course';

select tutela_tests.authenticate_as(:'u_guardian');
select
  jsonb_path_query_array(
    tutela.parent_dashboard(), '$.children[0].urgent[*] ? (@.kind == "low_grade")'
  ) as low
\gset
select tutela_tests.clear_authentication();

select is(
  jsonb_path_query_array(:'low'::jsonb, '$[*].title'),
  '["Quiz 1", "Quiz 4", "Quiz 6", "Quiz 7"]'::jsonb,
  'the failed grades of the last 14 days, newest first'
);
select is(
  jsonb_path_query_array(:'low'::jsonb, '$[*].percent'),
  '[40.0, 70.0, 50.0, 35.0]'::jsonb,
  'each with its percent'
);
select is(
  jsonb_path_query_array(:'low'::jsonb, '$[*].passed'),
  '[false, false, false, false]'::jsonb,
  'each marked as not passed'
);
select is(
  (:'low'::jsonb -> 0) - 'submission_id' - 'assignment_id' - 'graded_at',
  '{"kind": "low_grade", "title": "Quiz 1", "course": "Algebra", "score": 40.00,
    "max_score": 100.00, "percent": 40.0, "passed": false, "status": "graded"}'::jsonb,
  'a low_grade item: title, course, score out of the maximum, percent, status'
);
select ok(
  not jsonb_path_exists(:'low'::jsonb, '$[*] ? (@.title == "Quiz 2")'),
  'a failure older than 14 days is not urgent'
);
select ok(
  not jsonb_path_exists(:'low'::jsonb, '$[*] ? (@.title == "Quiz 3")'),
  'a pass is not urgent'
);
select ok(
  not jsonb_path_exists(:'low'::jsonb, '$[*] ? (@.title == "Quiz 5")'),
  'exactly the passing percent is a pass'
);
select ok(
  not jsonb_path_exists(:'low'::jsonb, '$[*] ? (@.title == "Quiz 8")'),
  'ungraded work is not urgent'
);
select ok(
  not jsonb_path_exists(:'low'::jsonb, '$[*].feedback')
  and not jsonb_path_exists(:'low'::jsonb, '$[*].reviewer_score'),
  'no reviewer feedback or reviewer score on the card'
);

select * from finish();
rollback;
