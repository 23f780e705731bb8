-- student_dashboard() -> upcoming_lessons: the student's next 5 scheduled lessons from now on,
-- soonest first, each with lesson_id, scheduled_at, duration_minutes, topic and the coach's
-- display name ('Coach' when the lesson has no coach). Past, cancelled and completed lessons
-- and other students' lessons are left out.
begin;
select plan(4);

select tutela_tests.create_user('student-043@world.test') as u_student \gset
select tutela_tests.create_user('other-043@world.test') as u_other \gset
select tutela_tests.create_user(
  'coach-043@world.test', '{"display_name": "Casey Coach"}'
) as u_coach \gset
insert into tutela.organizations (name, slug) values ('World 043', 'world-043')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_coach', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset

-- six scheduled lessons ahead (inserted out of order), the sixth beyond the cut; a past one,
-- a cancelled and a completed one ahead, and another student's sooner lesson
insert into tutela.lessons (
  student_id, organization_id, coach_id, scheduled_at, duration_minutes, status, topic
)
values
(:'student', :'org', :'u_coach', now() + interval '3 days', 45, 'scheduled', 'Third'),
(:'student', :'org', :'u_coach', now() + interval '1 day', 30, 'scheduled', 'First'),
(:'student', :'org', :'u_coach', now() + interval '6 days', 60, 'scheduled', 'Sixth'),
(:'student', :'org', null, now() + interval '2 days', 60, 'scheduled', 'Second'),
(:'student', :'org', :'u_coach', now() + interval '5 days', 60, 'scheduled', 'Fifth'),
(:'student', :'org', :'u_coach', now() + interval '4 days', 60, 'scheduled', 'Fourth'),
(:'student', :'org', :'u_coach', now() - interval '1 hour', 60, 'scheduled', 'Past'),
(:'student', :'org', :'u_coach', now() + interval '1 hour', 60, 'cancelled', 'Cancelled'),
(:'student', :'org', :'u_coach', now() + interval '2 hours', 60, 'completed', 'Completed'),
(:'other', :'org', :'u_coach', now() + interval '3 hours', 60, 'scheduled', 'Other''s');

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'upcoming_lessons' as lessons \gset

select is(
  jsonb_path_query_array(:'lessons'::jsonb, '$[*].topic'),
  '["First", "Second", "Third", "Fourth", "Fifth"]'::jsonb,
  'the next five scheduled lessons, soonest first'
);
select is(
  :'lessons'::jsonb -> 0,
  (
    select
      jsonb_build_object(
        'lesson_id', l.id, 'scheduled_at', l.scheduled_at, 'duration_minutes', 30,
        'topic', 'First', 'coach', 'Casey Coach'
      )
    from tutela.lessons as l where l.topic = 'First'
  ),
  'a lesson: id, time, duration, topic and the coach''s display name'
);
select is(
  :'lessons'::jsonb -> 1 ->> 'coach', 'Coach',
  'a lesson without a coach names the coach ''Coach'''
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.upcoming_lessons[*].topic'),
  '["Other''s"]'::jsonb,
  'another student sees only their own lesson'
);

select * from finish();
rollback;
