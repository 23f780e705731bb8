-- student_missions(p_status): null lists every mission; an array keeps the missions whose
-- status (the submission's, 'pending' when there is none) is in it. An unknown status, a
-- status in the wrong case or a null element is invalid input: TU422.
begin;
select plan(8);

select tutela_tests.create_user('student-057@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 057', 'world-057')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'student', :'org', :'course');
-- one assignment per status, due one day apart in this order
insert into tutela.assignments (organization_id, course_id, title, due_at)
select
  :'org' as organization_id,
  :'course' as course_id,
  v.status as title,
  now() + make_interval(days => v.n) as due_at
from (
  values
  (1, 'pending'), (2, 'in_progress'), (3, 'submitted'), (4, 'in_review'), (5, 'graded'),
  (6, 'returned')
) as v (n, status);
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'student' as student_id,
  a.organization_id,
  a.id as assignment_id,
  a.title as status,
  case when a.title in ('graded', 'returned') then 80 end as score,
  case when a.title in ('graded', 'returned') then now() end as graded_at
from tutela.assignments as a
where a.course_id = :'course' and a.title <> 'pending';

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_missions(null), '$[*].status'),
  '["pending", "in_progress", "submitted", "in_review", "graded", "returned"]'::jsonb,
  'null: every mission'
);
select is(
  jsonb_path_query_array(tutela.student_missions(array['graded', 'returned']), '$[*].status'),
  '["graded", "returned"]'::jsonb,
  'graded and returned'
);
select is(
  jsonb_path_query_array(tutela.student_missions(array['pending']), '$[*].status'),
  '["pending"]'::jsonb,
  'pending: the assignment without a submission'
);
select is(
  jsonb_path_query_array(
    tutela.student_missions(array['in_progress', 'submitted', 'in_review']), '$[*].status'
  ),
  '["in_progress", "submitted", "in_review"]'::jsonb,
  'three statuses'
);
select throws_ok(
  $$select tutela.student_missions(array['done'])$$, 'TU422', null,
  'an unknown status is invalid'
);
select throws_ok(
  $$select tutela.student_missions(array['graded', 'late'])$$, 'TU422', null,
  'one unknown status among known ones is invalid'
);
select throws_ok(
  $$select tutela.student_missions(array['Graded'])$$, 'TU422', null,
  'statuses are lower case'
);
select throws_ok(
  $$select tutela.student_missions(array['graded', null])$$, 'TU422', null,
  'a null element is invalid'
);

select * from finish();
rollback;
