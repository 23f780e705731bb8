-- child_overview(student), `grades` section: `recent_grades` is the ten newest graded or
-- returned submissions, newest first, each with score, maximum, percent (one decimal) and
-- whether it passed the assignment's passing percent. Work not yet graded is not a grade.
begin;
select plan(8);

select tutela_tests.create_user('guardian-d018@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 018', 'academy-d018')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset

-- twelve graded quizzes, 'Quiz 1' graded a day ago ... 'Quiz 12' twelve days ago; score 5 * n
-- out of 60 (passing 60 %); 'Quiz 3' is returned rather than graded
insert into tutela.assignments (organization_id, course_id, title, max_score)
select
  :'org'::uuid as organization_id,
  :'course'::uuid as course_id,
  'Quiz ' || n as title,
  60 as max_score
from generate_series(1, 12) as n;
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  case when a.title = 'Quiz 3' then 'returned' else 'graded' end as status,
  5 * substr(a.title, 6)::integer as score,
  now() - make_interval(days => substr(a.title, 6)::integer) as graded_at
from tutela.assignments as a
where a.course_id = :'course';
-- handed in today, not graded yet
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Essay') returning id as essay \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Report') returning id as report \gset
insert into tutela.submissions (student_id, organization_id, assignment_id, status, submitted_at)
values
(:'mia', :'org', :'essay', 'submitted', now()),
(:'mia', :'org', :'report', 'in_review', now());

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') #> '{sections,recent_grades}' as grades \gset
select tutela_tests.clear_authentication();

select is(jsonb_array_length(:'grades'::jsonb), 10, 'ten grades');
select is(
  jsonb_path_query_array(:'grades'::jsonb, '$[*].title'),
  '["Quiz 1", "Quiz 2", "Quiz 3", "Quiz 4", "Quiz 5", "Quiz 6", "Quiz 7", "Quiz 8",
    "Quiz 9", "Quiz 10"]'::jsonb,
  'the ten newest, newest first: the two oldest are left out'
);
select is(
  jsonb_path_query_array(:'grades'::jsonb, '$[*].percent'),
  '[8.3, 16.7, 25.0, 33.3, 41.7, 50.0, 58.3, 66.7, 75.0, 83.3]'::jsonb,
  'each with its percent, one decimal'
);
select is(
  jsonb_path_query_array(:'grades'::jsonb, '$[*].passed'),
  '[false, false, false, false, false, false, false, true, true, true]'::jsonb,
  'passed from 60 % up (36 of 60)'
);
select is(
  (:'grades'::jsonb -> 2) - 'submission_id' - 'assignment_id',
  jsonb_build_object(
    'title', 'Quiz 3', 'course', 'Algebra', 'score', 15.00, 'max_score', 60.00,
    'percent', 25.0, 'passed', false, 'graded_at', now() - interval '3 days',
    'status', 'returned'
  ),
  'a returned submission is a grade too'
);
select is(
  (:'grades'::jsonb -> 0 ->> 'submission_id')::uuid,
  (
    select s.id from tutela.submissions as s
    inner join tutela.assignments as a on s.assignment_id = a.id
    where a.title = 'Quiz 1'
  ),
  'each grade names its submission'
);
select ok(
  not jsonb_path_exists(:'grades'::jsonb, '$[*] ? (@.title == "Essay" || @.title == "Report")'),
  'submitted and in-review work is not a grade'
);
select ok(
  not jsonb_path_exists(:'grades'::jsonb, '$[*] ? (@.title == "Quiz 11" || @.title == "Quiz 12")'),
  'the eleventh and twelfth newest grades are not listed'
);

select * from finish();
rollback;
