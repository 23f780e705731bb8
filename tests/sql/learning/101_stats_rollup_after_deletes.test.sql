-- Stats rollup after deletes: deleting reviews and activity events (as the owner and as the
-- service role), deleting a flashcard (its reviews go with it) and deleting ledger points keep
-- daily_study_stats and student_stats equal to a recount; a day left without reviews and
-- without activity disappears; last_active_at falls back to the latest remaining row.
begin;
select plan(14);

select tutela_tests.create_user('student-101@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 101', 'world-101')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'qa', 'aa') returning id as card_a \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'History', 'qb', 'ab') returning id as card_b \gset
select (now() at time zone 'UTC')::date as today \gset

select tutela_tests.clear_authentication();
-- day 0: review of A and an activity; day 2: two reviews of B only; day 4: A and B;
-- day 6: two activities only; day 8: a review of A only
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
values
(:'student', :'card_a', (:'today'::date + time '00:00:00') at time zone 'UTC', true, 5),
(:'student', :'card_b', (:'today'::date - 2 + time '09:00') at time zone 'UTC', true, 3),
(:'student', :'card_b', (:'today'::date - 2 + time '09:05') at time zone 'UTC', false, 1),
(:'student', :'card_a', (:'today'::date - 4 + time '10:00') at time zone 'UTC', false, 0),
(:'student', :'card_b', (:'today'::date - 4 + time '11:00') at time zone 'UTC', true, 4),
(:'student', :'card_a', (:'today'::date - 8 + time '18:00') at time zone 'UTC', true, null);
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'student', 'lesson', (:'today'::date + time '00:00:01') at time zone 'UTC', 10),
(:'student', 'lesson', (:'today'::date - 6 + time '14:00') at time zone 'UTC', 20),
(:'student', 'video', (:'today'::date - 6 + time '15:00') at time zone 'UTC', 5);
insert into tutela.points_ledger (student_id, points, reason)
values (:'student', 30, 'Bonus'), (:'student', 12, 'Quiz');

create temporary view daily_recount as
with r as (
  select
    student_id,
    (reviewed_at at time zone 'UTC')::date as day,
    count(*)::integer as reviews,
    (count(*) filter (where correct))::integer as correct,
    sum(xp)::integer as xp
  from tutela.card_reviews
  group by 1, 2
),

a as (
  select
    student_id,
    (occurred_at at time zone 'UTC')::date as day,
    sum(minutes)::integer as minutes,
    count(*)::integer as activities
  from tutela.activity_events
  group by 1, 2
)

select
  coalesce(r.student_id, a.student_id) as student_id,
  coalesce(r.day, a.day) as day,
  coalesce(r.reviews, 0) as reviews,
  coalesce(r.correct, 0) as correct,
  coalesce(r.xp, 0) as xp,
  coalesce(a.minutes, 0) as minutes,
  coalesce(a.activities, 0) as activities
from r full join a on r.student_id = a.student_id and r.day = a.day;

create temporary view totals_recount as
select
  s.id as student_id,
  (select count(*) from tutela.card_reviews as r where r.student_id = s.id) as total_reviews,
  (
    select count(*) from tutela.card_reviews as r
    where r.student_id = s.id and r.correct
  ) as total_correct,
  (
    select coalesce(sum(r.xp), 0) from tutela.card_reviews as r where r.student_id = s.id
  ) as total_xp,
  (select coalesce(sum(r.xp), 0) from tutela.card_reviews as r where r.student_id = s.id)
  + (
    select coalesce(sum(p.points), 0) from tutela.points_ledger as p
    where p.student_id = s.id
  ) as total_points,
  (
    select coalesce(sum(a.minutes), 0) from tutela.activity_events as a
    where a.student_id = s.id
  ) as total_minutes,
  greatest(
    (select max(r.reviewed_at) from tutela.card_reviews as r where r.student_id = s.id),
    (select max(a.occurred_at) from tutela.activity_events as a where a.student_id = s.id)
  ) as last_active_at
from tutela.students as s;

prepare daily_rows as
select
  student_id,
  day,
  reviews,
  correct,
  xp,
  minutes,
  activities
from tutela.daily_study_stats where student_id = :'student';
prepare daily_expected as
select * from daily_recount where student_id = :'student';
prepare total_rows as
select
  student_id,
  total_reviews,
  total_correct,
  total_xp,
  total_points,
  total_minutes,
  last_active_at
from tutela.student_stats where student_id = :'student';
prepare total_expected as
select * from totals_recount where student_id = :'student';

select set_eq('daily_rows', 'daily_expected', 'before the deletes the daily rows are exact');

-- 1. the owner deletes the only review of day 8
delete from tutela.card_reviews
where
  student_id = :'student'
  and reviewed_at < (:'today'::date - 7)::timestamp at time zone 'UTC';
select set_eq('daily_rows', 'daily_expected', 'after a review delete the daily rows are exact');
select set_eq('total_rows', 'total_expected', 'after a review delete the totals are exact');
select is_empty(
  format(
    $$ select 1 from tutela.daily_study_stats where student_id = %L and day = %L::date - 8 $$,
    :'student', :'today'
  ),
  'a day left without reviews or activity disappears'
);

-- 2. the student deletes flashcard B: its reviews go with it (days 2 and 4)
select tutela_tests.authenticate_as(:'u_student');
delete from tutela.flashcards where id = :'card_b';
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.card_reviews where flashcard_id = :'card_b'),
  0::bigint,
  'the flashcard''s reviews were deleted with it'
);
select set_eq(
  'daily_rows', 'daily_expected', 'after a flashcard delete the daily rows are exact'
);
select set_eq('total_rows', 'total_expected', 'after a flashcard delete the totals are exact');
select results_eq(
  format(
    $$ select day - %L::date from tutela.daily_study_stats where student_id = %L
       order by day desc $$,
    :'today', :'student'
  ),
  $$ values (0), (-4), (-6) $$,
  'day 2 (reviews of B only) disappeared, day 4 keeps the review of A'
);

-- 3. the service role deletes activities: one of day 6, then the other; the one of day 0
select tutela_tests.as_service_role();
delete from tutela.activity_events
where student_id = :'student' and kind = 'video';
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select reviews, minutes, activities from tutela.daily_study_stats
       where student_id = %L and day = %L::date - 6 $$,
    :'student', :'today'
  ),
  $$ values (0, 20, 1) $$,
  'a day with one activity left keeps its row'
);
select tutela_tests.as_service_role();
delete from tutela.activity_events where student_id = :'student';
select tutela_tests.clear_authentication();
select set_eq(
  'daily_rows', 'daily_expected', 'after the activity deletes the daily rows are exact'
);
select results_eq(
  format(
    $$ select day - %L::date, minutes, activities from tutela.daily_study_stats
       where student_id = %L order by day desc $$,
    :'today', :'student'
  ),
  $$ values (0, 0, 0), (-4, 0, 0) $$,
  'day 6 disappeared; day 0 keeps its review without minutes'
);

-- 4. points are deleted too; the latest remaining row sets last_active_at
delete from tutela.points_ledger where student_id = :'student' and reason = 'Bonus';
select set_eq(
  'total_rows', 'total_expected', 'after the activity and points deletes the totals are exact'
);
select is(
  (select last_active_at from tutela.student_stats where student_id = :'student'),
  (:'today'::date + time '00:00:00') at time zone 'UTC',
  'last_active_at falls back to the latest remaining review'
);

-- 5. everything is deleted: no daily rows, zero totals
delete from tutela.card_reviews where student_id = :'student';
select results_eq(
  format(
    $$ select (select count(*) from tutela.daily_study_stats where student_id = %1$L),
         total_reviews, total_xp, total_points, total_minutes, last_active_at
       from tutela.student_stats where student_id = %1$L $$,
    :'student'
  ),
  $$ values (0::bigint, 0::bigint, 0::bigint, 12::bigint, 0::bigint, null::timestamptz) $$,
  'with all history deleted, no daily row is left and only the ledger points remain'
);

select * from finish();
rollback;
