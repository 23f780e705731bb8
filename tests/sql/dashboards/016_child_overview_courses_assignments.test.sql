-- child_overview(student), `progress` sections about courses: `courses` lists the active and
-- completed enrollments (not dropped ones), active first, then by title, with progress;
-- `upcoming_assignments` is the next five open assignments of active courses (not handed in,
-- not overdue, not undated), earliest first.
begin;
select plan(8);

select tutela_tests.create_user('guardian-d016@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 016', 'academy-d016')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
insert into tutela.courses (organization_id, title, subject)
values (:'org', 'Biology', 'Science') returning id as biology \gset
insert into tutela.courses (organization_id, title, subject)
values (:'org', 'Algebra', 'Maths') returning id as algebra \gset
insert into tutela.courses (organization_id, title, subject)
values (:'org', 'Chemistry', 'Science') returning id as chemistry \gset
insert into tutela.courses (organization_id, title, subject)
values (:'org', 'Art', 'Arts') returning id as art \gset
insert into tutela.courses (organization_id, title, subject)
values (:'org', 'Physics', 'Science') returning id as physics \gset
insert into tutela.enrollments (
  student_id, organization_id, course_id, status, progress_percent, last_accessed_at,
  completed_at
)
values
(
  :'mia', :'org', :'biology', 'completed', 100, now() - interval '9 days',
  now() - interval '10 days'
),
(:'mia', :'org', :'algebra', 'active', 40, now() - interval '1 day', null),
(:'mia', :'org', :'chemistry', 'dropped', 10, null, null),
(:'mia', :'org', :'art', 'active', 5, null, null);

-- Algebra: seven open assignments a day apart, one handed in, one overdue, one undated;
-- the dropped course has one due soon; Physics is not taken
insert into tutela.assignments (organization_id, course_id, title, kind, due_at)
select
  :'org'::uuid as organization_id,
  :'algebra'::uuid as course_id,
  'Day ' || d as title,
  'assignment' as kind,
  now() + make_interval(days => d) as due_at
from generate_series(1, 7) as d;
insert into tutela.assignments (organization_id, course_id, title, due_at)
values
(:'org', :'algebra', 'Handed in', now() + interval '12 hours'),
(:'org', :'algebra', 'Overdue', now() - interval '1 hour'),
(:'org', :'algebra', 'Undated', null),
(:'org', :'chemistry', 'Dropped course', now() + interval '2 hours'),
(:'org', :'physics', 'Not taken', now() + interval '3 hours');
insert into tutela.assignments (organization_id, course_id, title, kind, due_at)
values (:'org', :'art', 'Sketch', 'project', now() + interval '2 days 6 hours');
insert into tutela.submissions (student_id, organization_id, assignment_id, status, submitted_at)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  case a.title when 'Handed in' then 'submitted' else 'in_progress' end as status,
  case a.title when 'Handed in' then now() end as submitted_at
from tutela.assignments as a
where a.title in ('Handed in', 'Day 2');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') -> 'sections' as sections \gset
select tutela_tests.clear_authentication();

select is(
  jsonb_path_query_array(:'sections'::jsonb, '$.courses[*].title'),
  '["Algebra", "Art", "Biology"]'::jsonb,
  'courses: active ones by title, then completed ones; not the dropped course'
);
select is(
  :'sections'::jsonb -> 'courses' -> 0,
  jsonb_build_object(
    'course_id', :'algebra', 'title', 'Algebra', 'subject', 'Maths', 'status', 'active',
    'progress_percent', 40.00, 'last_accessed_at', now() - interval '1 day',
    'completed_at', null
  ),
  'a course: title, subject, status, progress, last access'
);
select is(
  (:'sections'::jsonb -> 'courses' -> 2) - 'course_id' - 'last_accessed_at',
  jsonb_build_object(
    'title', 'Biology', 'subject', 'Science', 'status', 'completed', 'progress_percent', 100.00,
    'completed_at', now() - interval '10 days'
  ),
  'a completed course with its completion date'
);
select is(
  jsonb_path_query_array(:'sections'::jsonb, '$.upcoming_assignments[*].title'),
  '["Day 1", "Day 2", "Sketch", "Day 3", "Day 4"]'::jsonb,
  'upcoming assignments: the next five open ones of active courses, earliest first'
);
select is(
  jsonb_path_query_array(:'sections'::jsonb, '$.upcoming_assignments[*].status'),
  '["pending", "in_progress", "pending", "pending", "pending"]'::jsonb,
  'work in progress is still upcoming'
);
select is(
  (
    select
      (:'sections'::jsonb -> 'upcoming_assignments' -> 2)
      = jsonb_build_object(
        'assignment_id', a.id, 'title', 'Sketch', 'kind', 'project', 'course', 'Art',
        'due_at', a.due_at, 'status', 'pending'
      )
    from tutela.assignments as a where a.title = 'Sketch'
  ),
  true,
  'an upcoming assignment: title, kind, course, due date, status'
);
select ok(
  not jsonb_path_exists(
    :'sections'::jsonb,
    '$.upcoming_assignments[*] ? (@.title == "Handed in" || @.title == "Overdue"
      || @.title == "Undated")'
  ),
  'not handed-in, overdue or undated work'
);
select ok(
  not jsonb_path_exists(
    :'sections'::jsonb,
    '$.upcoming_assignments[*] ? (@.title == "Dropped course" || @.title == "Not taken")'
  ),
  'not the work of a dropped course or of a course not taken'
);

select * from finish();
rollback;
