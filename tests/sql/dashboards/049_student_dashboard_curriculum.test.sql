-- student_dashboard() -> curriculum: the courses of the student's active and completed
-- enrollments (active first, then by title; dropped courses left out), each with status,
-- progress_percent and its modules by position, each module with the number of its
-- assignments and of those the student has handed in (submitted, in review, graded or
-- returned; not pending or in progress). Other students' submissions never count.
begin;
select plan(2);

select tutela_tests.create_user('student-049@world.test') as u_student \gset
select tutela_tests.create_user('other-049@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 049', 'world-049')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset

insert into tutela.courses (organization_id, title) values (:'org', 'Biology')
returning id as biology \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Art')
returning id as art \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as algebra \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Chemistry')
returning id as chemistry \gset
insert into tutela.enrollments (
  student_id, organization_id, course_id, status, progress_percent, completed_at
)
values
(:'student', :'org', :'biology', 'completed', 100, now()),
(:'student', :'org', :'art', 'active', 10, null),
(:'student', :'org', :'algebra', 'active', 40, null),
(:'student', :'org', :'chemistry', 'dropped', 5, null),
(:'other', :'org', :'algebra', 'active', 90, null);

-- Algebra: "Equations" (position 2, one assignment) and "Numbers" (position 1, four
-- assignments), and an assignment outside any module; Art: one empty module
insert into tutela.course_modules (organization_id, course_id, position, title)
values (:'org', :'algebra', 2, 'Equations') returning id as equations \gset
insert into tutela.course_modules (organization_id, course_id, position, title)
values (:'org', :'algebra', 1, 'Numbers') returning id as numbers \gset
insert into tutela.course_modules (organization_id, course_id, position, title)
values (:'org', :'art', 1, 'Colour') returning id as colour \gset
insert into tutela.course_modules (organization_id, course_id, position, title)
values (:'org', :'chemistry', 1, 'Atoms');
insert into tutela.assignments (organization_id, course_id, module_id, title)
values
(:'org', :'algebra', :'numbers', 'Submitted'),
(:'org', :'algebra', :'numbers', 'Graded'),
(:'org', :'algebra', :'numbers', 'Returned'),
(:'org', :'algebra', :'numbers', 'In progress'),
(:'org', :'algebra', :'equations', 'Not started'),
(:'org', :'algebra', null, 'Outside modules');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'student' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  case
    when a.title = 'Outside modules' then 'graded' else lower(replace(a.title, ' ', '_'))
  end as status,
  case when a.title in ('Graded', 'Returned', 'Outside modules') then 50 end as score,
  case when a.title in ('Graded', 'Returned', 'Outside modules') then now() end as graded_at
from tutela.assignments as a
where
  a.organization_id = :'org'
  and a.title in ('Submitted', 'Graded', 'Returned', 'In progress', 'Outside modules');
-- the other student handed in the Equations assignment: not the student's
insert into tutela.submissions (student_id, organization_id, assignment_id, status)
select
  :'other' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  'submitted' as status
from tutela.assignments as a where a.title = 'Not started' and a.organization_id = :'org';

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.curriculum[*].title'),
  '["Algebra", "Art", "Biology"]'::jsonb,
  'active courses by title, then completed ones; the dropped course is left out'
);
select is(
  tutela.student_dashboard() -> 'curriculum',
  jsonb_build_array(
    jsonb_build_object(
      'course_id', :'algebra', 'title', 'Algebra', 'status', 'active',
      'progress_percent', 40,
      'modules', jsonb_build_array(
        jsonb_build_object(
          'module_id', :'numbers', 'title', 'Numbers', 'position', 1,
          'assignments', 4, 'completed', 3
        ),
        jsonb_build_object(
          'module_id', :'equations', 'title', 'Equations', 'position', 2,
          'assignments', 1, 'completed', 0
        )
      )
    ),
    jsonb_build_object(
      'course_id', :'art', 'title', 'Art', 'status', 'active', 'progress_percent', 10,
      'modules', jsonb_build_array(
        jsonb_build_object(
          'module_id', :'colour', 'title', 'Colour', 'position', 1,
          'assignments', 0, 'completed', 0
        )
      )
    ),
    jsonb_build_object(
      'course_id', :'biology', 'title', 'Biology', 'status', 'completed',
      'progress_percent', 100, 'modules', '[]'::jsonb
    )
  ),
  'each course with its modules by position, their assignments and the student''s handed-in '
  || 'ones'
);

select * from finish();
rollback;
