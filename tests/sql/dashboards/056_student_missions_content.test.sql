-- student_missions(): every assignment of the student's active and completed enrollments
-- (dropped courses left out), by due date (undated last), each with its course and module,
-- due date, maximum and passing percent, the status of the student's submission ('pending'
-- when there is none), submitted_at, score, auto_score, percent (of max_score, one decimal),
-- passed (null until scored), graded_at, overdue (past due and still pending or in progress;
-- false when undated or handed in) and competencies (assignment_skills -> skills, by category
-- and name).
begin;
select plan(9);

select tutela_tests.create_user('student-056@world.test') as u_student \gset
select tutela_tests.create_user('other-056@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 056', 'world-056')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.skills (organization_id, category, name)
values (:'org', 'Writing', 'Grammar') returning id as grammar \gset
insert into tutela.skills (organization_id, category, name)
values (:'org', 'Writing', 'Argument') returning id as argument \gset
insert into tutela.skills (organization_id, category, name)
values (:'org', 'Maths', 'Algebra') returning id as algebra \gset

insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as english \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Maths')
returning id as maths \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Art')
returning id as art \gset
insert into tutela.enrollments (student_id, organization_id, course_id, status, completed_at)
values
(:'student', :'org', :'english', 'active', null),
(:'student', :'org', :'maths', 'completed', now()),
(:'student', :'org', :'art', 'dropped', null);
insert into tutela.course_modules (organization_id, course_id, title)
values (:'org', :'english', 'Unit 1') returning id as unit1 \gset

insert into tutela.assignments (organization_id, course_id, module_id, title, kind, due_at)
values (:'org', :'english', :'unit1', 'Essay', 'assignment', now() - interval '2 days')
returning id as essay, due_at as essay_due \gset
insert into tutela.assignments (
  organization_id, course_id, title, kind, due_at, max_score, passing_percent
)
values (:'org', :'english', 'Quiz', 'quiz', now() - interval '1 day', 50, 60)
returning id as quiz, due_at as quiz_due \gset
insert into tutela.assignments (organization_id, course_id, title, kind, due_at)
values
(:'org', :'english', 'Exam', 'exam', now() - interval '3 days'),
(:'org', :'english', 'Late draft', 'assignment', now() - interval '30 hours'),
(:'org', :'english', 'Mission', 'mission', now() + interval '3 days'),
(:'org', :'english', 'Project', 'project', null),
(:'org', :'maths', 'Final', 'exam', now() - interval '10 days'),
(:'org', :'art', 'Sketch', 'project', now() - interval '1 day');
insert into tutela.assignment_skills (assignment_id, skill_id, organization_id)
values
(:'essay', :'grammar', :'org'), (:'essay', :'argument', :'org');
insert into tutela.assignment_skills (assignment_id, skill_id, organization_id)
select
  a.id as assignment_id,
  :'algebra' as skill_id,
  a.organization_id
from tutela.assignments as a where a.title = 'Final' and a.organization_id = :'org';

insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, submitted_at, score, auto_score,
  graded_at
)
select
  :'student' as student_id,
  :'org' as organization_id,
  (select a.id from tutela.assignments as a where a.title = v.title) as assignment_id,
  v.status,
  now() - interval '2 days' as submitted_at,
  v.score,
  v.auto_score,
  case when v.score is not null then now() - interval '1 day' end as graded_at
from (
  values
  ('Quiz', 'graded', 45, 40), ('Exam', 'graded', 20, 15), ('Final', 'graded', 100, 100),
  ('Late draft', 'in_progress', null, null), ('Mission', 'in_progress', null, null),
  ('Sketch', 'submitted', null, null)
) as v (title, status, score, auto_score);
-- the other student handed in the essay: that is not the student's submission
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'other', :'org', :'english');
insert into tutela.submissions (student_id, organization_id, assignment_id, status)
values (:'other', :'org', :'essay', 'submitted');

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_missions() as missions \gset

select is(
  jsonb_path_query_array(:'missions'::jsonb, '$[*].title'),
  '["Final", "Exam", "Essay", "Late draft", "Quiz", "Mission", "Project"]'::jsonb,
  'active and completed courses'' assignments by due date, undated last; not the dropped course'
);
select is(
  jsonb_path_query_first(:'missions'::jsonb, '$[*] ? (@.title == "Essay")'),
  jsonb_build_object(
    'assignment_id', :'essay', 'title', 'Essay', 'kind', 'assignment',
    'course_id', :'english', 'course', 'English', 'module', 'Unit 1',
    'due_at', :'essay_due'::timestamptz, 'max_score', 100, 'passing_percent', 60,
    'status', 'pending', 'submitted_at', null, 'score', null, 'auto_score', null,
    'percent', null, 'passed', null, 'graded_at', null, 'overdue', true,
    'competencies', jsonb_build_array(
      jsonb_build_object('skill_id', :'argument', 'name', 'Argument', 'category', 'Writing'),
      jsonb_build_object('skill_id', :'grammar', 'name', 'Grammar', 'category', 'Writing')
    )
  ),
  'no submission: pending, nothing scored, overdue, with its competencies by name'
);
select is(
  jsonb_path_query_first(:'missions'::jsonb, '$[*] ? (@.title == "Quiz")'),
  jsonb_build_object(
    'assignment_id', :'quiz', 'title', 'Quiz', 'kind', 'quiz',
    'course_id', :'english', 'course', 'English', 'module', null,
    'due_at', :'quiz_due'::timestamptz, 'max_score', 50, 'passing_percent', 60,
    'status', 'graded', 'submitted_at', now() - interval '2 days', 'score', 45,
    'auto_score', 40, 'percent', 90.0, 'passed', true, 'graded_at', now() - interval '1 day',
    'overdue', false, 'competencies', '[]'::jsonb
  ),
  'graded 45 of 50: 90.0 percent, passed, not overdue, no competencies'
);
select is(
  (
    select jsonb_build_array(x -> 'percent', x -> 'passed', x -> 'status')
    from jsonb_path_query_first(:'missions'::jsonb, '$[*] ? (@.title == "Exam")') as x
  ),
  '[20.0, false, "graded"]'::jsonb,
  'graded 20 of 100 with 60 to pass: 20.0 percent, not passed'
);
select is(
  jsonb_path_query_array(
    :'missions'::jsonb, '$[*] ? (@.title == "Late draft" || @.title == "Mission").overdue'
  ),
  '[true, false]'::jsonb,
  'in progress: overdue once past due, not before'
);
select is(
  jsonb_path_query_first(:'missions'::jsonb, '$[*] ? (@.title == "Project").overdue'),
  'false'::jsonb,
  'pending without a due date: not overdue (false, not null)'
);
select is(
  jsonb_path_query_first(:'missions'::jsonb, '$[*] ? (@.title == "Final")')
  - 'assignment_id' - 'course_id' - 'due_at' - 'submitted_at' - 'graded_at' - 'competencies',
  '{
    "title": "Final", "kind": "exam", "course": "Maths", "module": null, "max_score": 100,
    "passing_percent": 60, "status": "graded", "score": 100, "auto_score": 100,
    "percent": 100.0, "passed": true, "overdue": false
  }'::jsonb,
  'a completed course''s graded exam'
);
select is(
  jsonb_path_query_array(:'missions'::jsonb, '$[*] ? (@.title == "Final").competencies[*]'),
  jsonb_build_array(
    jsonb_build_object('skill_id', :'algebra', 'name', 'Algebra', 'category', 'Maths')
  ),
  'the exam''s competency'
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  jsonb_path_query_array(
    tutela.student_missions(), '$[*] ? (@.title == "Essay").status'
  ),
  '["submitted"]'::jsonb,
  'the other student sees their own submission''s status, the first student''s stays theirs'
);

select * from finish();
rollback;
