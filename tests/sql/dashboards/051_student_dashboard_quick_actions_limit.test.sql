-- student_dashboard() -> quick_actions is cut to the tier's quick_actions_limit after ranking:
-- free 3, starter 5, professional 10. With 12 actions (4 overdue assignments, 3 due soon, a
-- streak at risk, flashcards due, 2 drills, unread messages) each tier keeps the head of the
-- ranked list.
begin;
select plan(4);

select tutela_tests.create_user('student-051@world.test') as u_student \gset
select tutela_tests.create_user('staff-051@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('World 051', 'world-051')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset

insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'student', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values
(:'org', :'course', 'O3', now() - interval '2 days'),
(:'org', :'course', 'O1', now() - interval '4 days'),
(:'org', :'course', 'O4', now() - interval '1 day'),
(:'org', :'course', 'O2', now() - interval '3 days'),
(:'org', :'course', 'S2', now() + interval '2 hours'),
(:'org', :'course', 'S1', now() + interval '1 hour'),
(:'org', :'course', 'S3', now() + interval '3 hours');
insert into tutela.activity_events (student_id, kind, occurred_at)
values (:'student', 'study', now() - interval '2 days'),
(:'student', 'study', now() - interval '1 day');
insert into tutela.flashcards (student_id, subject, question, answer, due_at)
values (:'student', 'English', 'q', 'a', now() - interval '1 day');
insert into tutela.drills (organization_id, title) values (:'org', 'D1') returning id as d1 \gset
insert into tutela.drills (organization_id, title) values (:'org', 'D2') returning id as d2 \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at)
values
(:'d2', :'student', :'org', now() + interval '1 hour'),
(:'d1', :'student', :'org', now() - interval '1 hour');
select tutela_tests.authenticate_as(:'u_staff');
select tutela.start_conversation('student_staff', :'student', array[:'u_student']::uuid[]);

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.quick_actions[*].title'),
  '["O1", "O2", "O3"]'::jsonb,
  'free (no subscription): the first 3 actions'
);

select tutela_tests.clear_authentication();
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id as plan_id,
  :'student' as student_id
from tutela.plans as p where p.code = 'starter'
returning id as sub \gset
select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.quick_actions[*].title'),
  '["O1", "O2", "O3", "O4", "S1"]'::jsonb,
  'starter: the first 5 actions'
);

select tutela_tests.clear_authentication();
update tutela.subscriptions
set plan_id = (select p.id from tutela.plans as p where p.code = 'professional')
where id = :'sub';
select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.quick_actions[*].title'),
  '[
    "O1", "O2", "O3", "O4", "S1", "S2", "S3", "Keep your 2-day streak",
    "1 flashcards to review", "D1"
  ]'::jsonb,
  'professional: the first 10 actions (the second drill and the unread messages cut)'
);
select is(
  tutela.student_dashboard() -> 'subscription' ->> 'tier', 'professional',
  'the tier in force is professional'
);

select * from finish();
rollback;
