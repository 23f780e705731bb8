-- student_progress() -> goals: every goal of the student (own and family goals, any status),
-- each with goal_id, title, kind, category, progress_percent, status, target_date and
-- completed_at; ordered by status, then target date (undated last), then title. Another
-- student's goals never appear.
begin;
select plan(2);

select tutela_tests.create_user('student-064@world.test') as u_student \gset
select tutela_tests.create_user('other-064@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 064', 'world-064')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.goals (
  student_id, title, kind, category, progress_percent, status, target_date
)
values
(:'student', 'Undated', 'student', 'creative', 0, 'active', null),
(:'student', 'Read 10 books', 'family', 'academic', 40, 'active', current_date + 30),
(:'student', 'Learn fractions', 'student', 'academic', 70, 'active', current_date + 7),
(:'student', 'Swim 1 km', 'student', 'health', 20, 'completed', current_date - 1),
(:'student', 'Piano', 'student', 'creative', 10, 'paused', null),
(:'other', 'Other''s goal', 'student', 'academic', 0, 'active', null);
select id as fractions from tutela.goals where title = 'Learn fractions' \gset
select id as swim from tutela.goals where title = 'Swim 1 km' \gset

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_progress(), '$.goals[*].title'),
  '["Learn fractions", "Read 10 books", "Undated", "Swim 1 km", "Piano"]'::jsonb,
  'every goal of the student: by status, then target date (undated last)'
);
select is(
  jsonb_path_query_array(
    tutela.student_progress(),
    '$.goals[*] ? (@.title == "Learn fractions" || @.title == "Swim 1 km")'
  ),
  jsonb_build_array(
    jsonb_build_object(
      'goal_id', :'fractions', 'title', 'Learn fractions', 'kind', 'student',
      'category', 'academic', 'progress_percent', 70, 'status', 'active',
      'target_date', current_date + 7, 'completed_at', null
    ),
    jsonb_build_object(
      'goal_id', :'swim', 'title', 'Swim 1 km', 'kind', 'student', 'category', 'health',
      'progress_percent', 100, 'status', 'completed', 'target_date', current_date - 1,
      'completed_at', now()
    )
  ),
  'a goal: id, title, kind, category, progress, status, target date, completion (a '
  || 'completed goal at 100 percent with its completion time)'
);

select * from finish();
rollback;
