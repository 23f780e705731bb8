-- student_dashboard() -> today: the live streak (current and longest runs of active UTC days),
-- today's reviews and minutes (daily_study_stats of today's UTC date), the active goals, the
-- flashcards due now, the open assignments of active enrollments due by the end of today
-- (overdue included; submitted ones and dropped courses left out) and the open drills due by
-- the end of today (overdue included; completed ones and drills without a due date left out).
-- Another student's data never counts.
begin;
select plan(8);

select tutela_tests.create_user('student-041@world.test') as u_student \gset
select tutela_tests.create_user('other-student-041@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 041', 'world-041')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
select (now() at time zone 'UTC')::date as today \gset
select ((:'today'::date + 1)::timestamp at time zone 'UTC') as tomorrow \gset

-- activity: a 4-day run 10 to 7 days ago, then yesterday's and today's 3-day run
-- (today: 25 minutes; yesterday's 40 minutes are not today's)
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'student', 'study', now() - interval '10 days', 10),
(:'student', 'study', now() - interval '9 days', 10),
(:'student', 'study', now() - interval '8 days', 10),
(:'student', 'study', now() - interval '7 days', 10),
(:'student', 'study', now() - interval '2 days', 10),
(:'student', 'study', now() - interval '1 day', 40),
(:'student', 'study', now(), 25),
(:'other', 'study', now(), 90);

-- three reviews today (the last one correct: the card leaves the due list); two cards due
-- now, one due tomorrow; the other student's due card does not count
insert into tutela.flashcards (student_id, subject, question, answer, due_at)
values
(:'student', 'Maths', 'reviewed', 'a', now()),
(:'student', 'Maths', 'due an hour ago', 'a', now() - interval '1 hour'),
(:'student', 'Maths', 'due yesterday', 'a', now() - interval '1 day'),
(:'student', 'Maths', 'due tomorrow', 'a', now() + interval '1 day'),
(:'other', 'Maths', 'other reviewed', 'a', now() - interval '1 day'),
(:'other', 'Maths', 'other due', 'a', now() - interval '1 day');
select id as reviewed_card from tutela.flashcards where question = 'reviewed' \gset
select id as other_card from tutela.flashcards where question = 'other reviewed' \gset
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
values
(:'student', :'reviewed_card', now(), false),
(:'student', :'reviewed_card', now(), true),
(:'student', :'reviewed_card', now(), true),
(:'other', :'other_card', now(), true);

-- goals: two active, one completed, one paused
insert into tutela.goals (student_id, title, status)
values
(:'student', 'Read 10 books', 'active'), (:'student', 'Learn fractions', 'active'),
(:'student', 'Swim 1 km', 'completed'), (:'student', 'Piano', 'paused'),
(:'other', 'Other goal', 'active');

-- assignments: overdue, due later today, in progress today, submitted (left out), due
-- tomorrow (left out), and one of a dropped course (left out)
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Dropped')
returning id as dropped_course \gset
insert into tutela.enrollments (student_id, organization_id, course_id, status)
values
(:'student', :'org', :'course', 'active'),
(:'student', :'org', :'dropped_course', 'dropped'),
(:'other', :'org', :'course', 'active');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values
(:'org', :'course', 'Overdue', now() - interval '2 days'),
(:'org', :'course', 'Later today', :'tomorrow'::timestamptz - interval '1 second'),
(:'org', :'course', 'In progress', :'tomorrow'::timestamptz - interval '2 seconds'),
(:'org', :'course', 'Submitted', now() - interval '1 day'),
(:'org', :'course', 'Tomorrow', :'tomorrow'::timestamptz + interval '1 hour'),
(:'org', :'dropped_course', 'Dropped course work', now() - interval '1 day');
insert into tutela.submissions (student_id, organization_id, assignment_id, status, submitted_at)
select
  :'student' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  lower(replace(a.title, ' ', '_')) as status,
  now() as submitted_at
from tutela.assignments as a
where a.title in ('In progress', 'Submitted');

-- drills: overdue, later today, completed (left out), tomorrow (left out), no due date (left
-- out), and the other student's
insert into tutela.drills (organization_id, title) values (:'org', 'Footwork')
returning id as drill \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at, completed_at)
values
(:'drill', :'student', :'org', now() - interval '1 day', null),
(:'drill', :'student', :'org', :'tomorrow'::timestamptz - interval '1 second', null),
(:'drill', :'student', :'org', now() - interval '1 hour', now()),
(:'drill', :'student', :'org', :'tomorrow'::timestamptz + interval '1 hour', null),
(:'drill', :'student', :'org', null, null),
(:'drill', :'other', :'org', now() - interval '1 day', null);

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'today' as today_json \gset

select is(
  :'today_json'::jsonb -> 'streak',
  '{"current": 3, "longest": 4, "at_risk": false}'::jsonb,
  'streak: the current run of 3 days (today included), the longest of 4, not at risk'
);
select is((:'today_json'::jsonb ->> 'reviews')::integer, 3, 'reviews: today''s three');
select is((:'today_json'::jsonb ->> 'minutes')::integer, 25, 'minutes: today''s 25 only');
select is((:'today_json'::jsonb ->> 'goals_active')::integer, 2, 'goals_active: the two active');
select is(
  (:'today_json'::jsonb ->> 'cards_due')::integer, 2,
  'cards_due: the two cards due now (the reviewed card and tomorrow''s are not due)'
);
select is(
  (:'today_json'::jsonb ->> 'assignments_due_today')::integer, 3,
  'assignments_due_today: overdue, later today and in progress; not submitted, tomorrow or '
  || 'dropped'
);
select is(
  (:'today_json'::jsonb ->> 'drills_due_today')::integer, 2,
  'drills_due_today: overdue and later today; not completed, tomorrow or undated'
);
select is(
  (select array_agg(k order by k) from jsonb_object_keys(:'today_json'::jsonb) as k),
  array[
    'assignments_due_today', 'cards_due', 'drills_due_today', 'goals_active', 'minutes',
    'reviews', 'streak'
  ],
  'today has exactly the documented keys'
);

select * from finish();
rollback;
