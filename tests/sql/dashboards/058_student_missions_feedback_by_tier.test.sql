-- student_missions(): the reviewer's score and written feedback come only with a tier that
-- includes reviewer_feedback_detail (professional). On free and starter the keys are absent
-- from every mission (not null: absent); on professional every mission has both keys (null
-- when there is no submission).
begin;
select plan(8);

select tutela_tests.create_user('student-058@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 058', 'world-058')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'student', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Essay', now() - interval '2 days') returning id as essay \gset
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Story', now() + interval '2 days');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, reviewer_score, feedback,
  graded_at
)
values (:'student', :'org', :'essay', 'graded', 80, 85, 'Well argued', now());

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_missions() as free_missions \gset
select ok(
  not jsonb_path_exists(:'free_missions'::jsonb, '$.**.feedback'),
  'free: no feedback key anywhere'
);
select ok(
  not jsonb_path_exists(:'free_missions'::jsonb, '$.**.reviewer_score'),
  'free: no reviewer_score key anywhere'
);
select is(
  jsonb_path_query_array(:'free_missions'::jsonb, '$[*].score'), '[80, null]'::jsonb,
  'free: the score itself is shown'
);

select tutela_tests.clear_authentication();
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id as plan_id,
  :'student' as student_id
from tutela.plans as p where p.code = 'starter'
returning id as sub \gset
select tutela_tests.authenticate_as(:'u_student');
select tutela.student_missions() as starter_missions \gset
select ok(
  not jsonb_path_exists(:'starter_missions'::jsonb, '$.**.feedback'),
  'starter: no feedback key anywhere'
);
select ok(
  not jsonb_path_exists(:'starter_missions'::jsonb, '$.**.reviewer_score'),
  'starter: no reviewer_score key anywhere'
);

select tutela_tests.clear_authentication();
update tutela.subscriptions
set plan_id = (select p.id from tutela.plans as p where p.code = 'professional')
where id = :'sub';
select tutela_tests.authenticate_as(:'u_student');
select tutela.student_missions() as pro_missions \gset
select is(
  jsonb_path_query_array(:'pro_missions'::jsonb, '$[*].feedback'),
  '["Well argued", null]'::jsonb,
  'professional: every mission has feedback (null without a submission)'
);
select is(
  jsonb_path_query_array(:'pro_missions'::jsonb, '$[*].reviewer_score'),
  '[85, null]'::jsonb,
  'professional: every mission has the reviewer''s score'
);
select is(
  tutela.student_dashboard() -> 'masked', '[]'::jsonb,
  'professional: nothing masked on the dashboard either'
);

select * from finish();
rollback;
