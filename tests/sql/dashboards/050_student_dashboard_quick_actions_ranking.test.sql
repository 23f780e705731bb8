-- student_dashboard() -> quick_actions: next best actions ranked by the documented rules:
-- 1 overdue assignments, 2 assignments due within 48 hours, 3 streak at risk (active
-- yesterday, not yet today), 4 flashcards due (one action with the count), 5 drills due
-- within 48 hours or overdue, 6 unread messages (one action with the total); within a rank
-- the earliest due first. Each action: rank, kind, title, ref_id, due_at. Handed-in work,
-- dropped courses, work due later, completed or undated drills and cards not due make no
-- action. Professional tier (10 actions) with exactly 10 actions: nothing is cut.
begin;
select plan(2);

select tutela_tests.create_user('student-050@world.test') as u_student \gset
select tutela_tests.create_user('staff-050@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('World 050', 'world-050')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id as plan_id,
  :'student' as student_id
from tutela.plans as p where p.code = 'professional';
select ((now() at time zone 'UTC')::date + 1)::timestamp at time zone 'UTC' as tomorrow \gset

-- assignments (inserted out of due order, titles not in due order)
insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Dropped')
returning id as dropped \gset
insert into tutela.enrollments (student_id, organization_id, course_id, status)
values (:'student', :'org', :'course', 'active'), (:'student', :'org', :'dropped', 'dropped');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Alpha essay', now() - interval '1 day')
returning id as alpha, due_at as alpha_due \gset
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Zeta essay', now() - interval '3 days')
returning id as zeta, due_at as zeta_due \gset
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Mid essay', now() - interval '2 days')
returning id as mid, due_at as mid_due \gset
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Beta quiz', now() + interval '30 hours')
returning id as beta, due_at as beta_due \gset
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Omega quiz', now() + interval '2 hours')
returning id as omega, due_at as omega_due \gset
insert into tutela.assignments (organization_id, course_id, title, due_at)
values
(:'org', :'course', 'Later quiz', now() + interval '3 days'),
(:'org', :'course', 'Handed in', now() - interval '4 days'),
(:'org', :'dropped', 'Dropped work', now() - interval '4 days');
insert into tutela.submissions (student_id, organization_id, assignment_id, status)
select
  :'student' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  'submitted' as status
from tutela.assignments as a where a.title = 'Handed in';

-- streak: active the day before yesterday and yesterday, not today
insert into tutela.activity_events (student_id, kind, occurred_at)
values
(:'student', 'study', now() - interval '2 days'),
(:'student', 'study', now() - interval '1 day');

-- flashcards: three due (the earliest 5 days ago), one not yet
insert into tutela.flashcards (student_id, subject, question, answer, due_at)
values
(:'student', 'English', 'q1', 'a', now() - interval '1 hour'),
(:'student', 'English', 'q2', 'a', now() - interval '5 days'),
(:'student', 'English', 'q3', 'a', now() - interval '1 day'),
(:'student', 'English', 'q4', 'a', now() + interval '1 hour');

-- drills: overdue and due within 48 hours; not: in 3 days, completed, undated
insert into tutela.drills (organization_id, title) values (:'org', 'Soon drill')
returning id as soon_drill \gset
insert into tutela.drills (organization_id, title) values (:'org', 'Late drill')
returning id as late_drill \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at)
values (:'soon_drill', :'student', :'org', now() + interval '20 hours')
returning id as soon, due_at as soon_due \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at)
values (:'late_drill', :'student', :'org', now() - interval '3 hours')
returning id as late, due_at as late_due \gset
insert into tutela.drill_assignments (
  drill_id, student_id, organization_id, due_at, completed_at
)
values
(:'soon_drill', :'student', :'org', now() + interval '3 days', null),
(:'late_drill', :'student', :'org', now() - interval '1 day', now()),
(:'late_drill', :'student', :'org', null, null);

-- messages: staff open a conversation (a system message) and write once
select tutela_tests.authenticate_as(:'u_staff');
select id as conv from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student']::uuid[]
) \gset
insert into tutela.messages (conversation_id, body) values (:'conv', 'See you Monday');

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'quick_actions' as actions \gset

select is(
  jsonb_path_query_array(:'actions'::jsonb, '$[*].kind'),
  '[
    "overdue_assignment", "overdue_assignment", "overdue_assignment",
    "assignment_due_soon", "assignment_due_soon", "streak_at_risk", "flashcards_due",
    "drill_due", "drill_due", "unread_messages"
  ]'::jsonb,
  'the ten actions by rank'
);
select is(
  :'actions'::jsonb,
  jsonb_build_array(
    jsonb_build_object(
      'rank', 1, 'kind', 'overdue_assignment', 'title', 'Zeta essay', 'ref_id', :'zeta',
      'due_at', :'zeta_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 1, 'kind', 'overdue_assignment', 'title', 'Mid essay', 'ref_id', :'mid',
      'due_at', :'mid_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 1, 'kind', 'overdue_assignment', 'title', 'Alpha essay', 'ref_id', :'alpha',
      'due_at', :'alpha_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 2, 'kind', 'assignment_due_soon', 'title', 'Omega quiz', 'ref_id', :'omega',
      'due_at', :'omega_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 2, 'kind', 'assignment_due_soon', 'title', 'Beta quiz', 'ref_id', :'beta',
      'due_at', :'beta_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 3, 'kind', 'streak_at_risk', 'title', 'Keep your 2-day streak',
      'ref_id', null, 'due_at', :'tomorrow'::timestamptz
    ),
    jsonb_build_object(
      'rank', 4, 'kind', 'flashcards_due', 'title', '3 flashcards to review',
      'ref_id', null, 'due_at', now() - interval '5 days'
    ),
    jsonb_build_object(
      'rank', 5, 'kind', 'drill_due', 'title', 'Late drill', 'ref_id', :'late',
      'due_at', :'late_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 5, 'kind', 'drill_due', 'title', 'Soon drill', 'ref_id', :'soon',
      'due_at', :'soon_due'::timestamptz
    ),
    jsonb_build_object(
      'rank', 6, 'kind', 'unread_messages', 'title', '2 unread messages',
      'ref_id', null, 'due_at', null
    )
  ),
  'within a rank the earliest due first; each action with its title, reference and due date'
);

select * from finish();
rollback;
