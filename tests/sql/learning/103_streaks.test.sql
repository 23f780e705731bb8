-- Streaks: student_stats.current_streak is the length of the newest run of consecutive UTC
-- days with a review or an activity, longest_streak the longest run; both are recomputed when a
-- day is back-filled (the gap closes) or deleted (the run breaks).
begin;
select plan(10);

select tutela_tests.create_user('student-103@world.test') as u_student \gset
select tutela_tests.create_user('other-student-103@world.test') as u_other_student \gset
insert into tutela.organizations (name, slug) values ('World 103', 'world-103')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'other_student', 'Maths', 'q', 'a') returning id as other_card \gset
select (now() at time zone 'UTC')::date as today \gset

prepare streak as
select
  current_streak,
  longest_streak,
  last_active_day - :'today'::date as last_day
from tutela.student_stats where student_id = :'student';

select tutela_tests.clear_authentication();
-- today, yesterday, 2 days ago; no day 3; days 4 to 8 (reviews on some days, activity on others)
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
select
  :'student' as student_id,
  :'card' as flashcard_id,
  (:'today'::date - d + time '00:00:00') at time zone 'UTC' as reviewed_at,
  d % 2 = 0 as correct
from unnest(array[0, 2, 4, 6, 8]) as d;
select results_eq(
  'streak',
  $$ values (1, 1, 0) $$,
  'reviews on days 0, 2, 4, 6, 8: every run is one day long'
);
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
select
  s.student_id,
  'lesson' as kind,
  (:'today'::date - s.d + time '23:59:59') at time zone 'UTC' as occurred_at,
  10 as minutes
from (
  values (:'student'::uuid, 1), (:'student'::uuid, 5), (:'student'::uuid, 7),
  (:'other_student'::uuid, 1), (:'other_student'::uuid, 3), (:'other_student'::uuid, 4)
) as s (student_id, d);
select results_eq(
  'streak',
  $$ values (3, 5, 0) $$,
  'days 0-2 and 4-8 active: the current streak is 3, the longest 5'
);
select results_eq(
  format(
    $$ select current_streak, longest_streak, last_active_day - %L::date
       from tutela.student_stats where student_id = %L $$,
    :'today', :'other_student'
  ),
  $$ values (1, 2, -1) $$,
  'the same statement computed the other student''s streaks (days 1, 3-4)'
);

-- back-filling the gap day joins the two runs
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values (:'student', 'lesson', (:'today'::date - 3 + time '12:00') at time zone 'UTC', 5);
select results_eq('streak', $$ values (9, 9, 0) $$, 'with day 3 back-filled both streaks are 9');

-- deleting it breaks the run again
delete from tutela.activity_events
where
  student_id = :'student'
  and occurred_at = (:'today'::date - 3 + time '12:00') at time zone 'UTC';
select results_eq('streak', $$ values (3, 5, 0) $$, 'with day 3 deleted again: 3 and 5');

-- deleting today and yesterday leaves day 2 as the newest run
delete from tutela.card_reviews
where
  student_id = :'student'
  and reviewed_at >= (:'today'::date)::timestamp at time zone 'UTC';
delete from tutela.activity_events
where
  student_id = :'student'
  and occurred_at >= (:'today'::date - 1)::timestamp at time zone 'UTC';
select results_eq(
  'streak',
  $$ values (1, 5, -2) $$,
  'with days 0 and 1 deleted: current 1 (day 2), longest 5, last active day 2 days ago'
);

-- a back-filled run longer than the current one becomes the longest, not the current
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
select
  :'student' as student_id,
  'lesson' as kind,
  (:'today'::date - d + time '06:00') at time zone 'UTC' as occurred_at,
  1 as minutes
from generate_series(20, 29) as d;
select results_eq(
  'streak',
  $$ values (1, 10, -2) $$,
  'ten old consecutive days: longest 10, the current streak stays 1'
);

-- a single statement of reviews over two runs of new days
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
select
  :'student' as student_id,
  :'card' as flashcard_id,
  (:'today'::date - d + time '15:00') at time zone 'UTC' as reviewed_at,
  true as correct
from generate_series(9, 19) as d;
select results_eq(
  'streak',
  $$ values (1, 26, -2) $$,
  'days 9-19 in one statement join days 4-8 and 20-29 into a run of 26'
);
select is(
  (select count(*) from tutela.daily_study_stats where student_id = :'student'),
  27::bigint,
  'the student has 27 active days (day 2 and days 4-29)'
);

-- one statement of reviews for both students recomputes both
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
values
(:'student', :'card', (:'today'::date - 1 + time '09:00') at time zone 'UTC', true),
(:'other_student', :'other_card', (:'today'::date - 2 + time '09:00') at time zone 'UTC', true);
select results_eq(
  format(
    $$ select current_streak, longest_streak, last_active_day - %L::date
       from tutela.student_stats where student_id in (%L, %L)
       order by student_id = %L desc $$,
    :'today', :'student', :'other_student', :'student'
  ),
  $$ values (2, 26, -1), (4, 4, -1) $$,
  'a review statement for two students: days 1-2 (student), days 1-4 (other student)'
);

select * from finish();
rollback;
