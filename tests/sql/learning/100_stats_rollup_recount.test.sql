-- Stats rollup: after reviews (correct and wrong, back-dated over several UTC days, on the
-- edges of a day) and activity events of two students, loaded in several statements,
-- daily_study_stats holds one row per student and UTC day equal to a recount from card_reviews
-- and activity_events, and student_stats holds totals equal to a recount (total_points is the
-- review XP plus the points ledger). The session time zone is far from UTC on purpose.
begin;
select plan(8);

set local time zone 'Pacific/Kiritimati';

select tutela_tests.create_user('student-100@world.test') as u_student \gset
select tutela_tests.create_user('other-student-100@world.test') as u_other_student \gset
select tutela_tests.create_user('staff-100@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('World 100', 'world-100')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q1', 'a1') returning id as card \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q2', 'a2') returning id as card2 \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'other_student', 'Maths', 'q3', 'a3') returning id as other_card \gset
select (now() at time zone 'UTC')::date as today \gset

-- the owner loads history (back-dated): several statements, several rows per statement
select tutela_tests.clear_authentication();
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
select
  :'student' as student_id,
  :'card' as flashcard_id,
  (:'today'::date - v.d + v.t) at time zone 'UTC' as reviewed_at,
  v.ok,
  v.q
from (
  values
  (0, time '00:00:00', true, 5::smallint),
  (1, time '23:59:59.999', false, 1::smallint),
  (1, time '00:00:00', true, null::smallint),
  (1, time '12:00', true, 0::smallint),
  (3, time '08:30', false, null::smallint),
  (10, time '17:45', true, 3::smallint)
) as v (d, t, ok, q);
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
values
(:'student', :'card2', (:'today'::date - 1 + time '06:00') at time zone 'UTC', true, 4),
(:'student', :'card2', (:'today'::date - 3 + time '09:00') at time zone 'UTC', false, 2);
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
values
(:'student', :'card', (:'today'::date - 40 + time '10:00') at time zone 'UTC', true, 2),
(:'other_student', :'other_card', (:'today'::date - 1 + time '22:00') at time zone 'UTC', true, 5),
(:'other_student', :'other_card', (:'today'::date - 2 + time '01:00') at time zone 'UTC', false, 0);
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'student', 'lesson', (:'today'::date + time '00:00:01') at time zone 'UTC', 25),
(:'student', 'lesson', (:'today'::date - 1 + time '23:59:59') at time zone 'UTC', 15),
(:'student', 'practice', (:'today'::date - 5 + time '12:00') at time zone 'UTC', 40),
(:'student', 'login', (:'today'::date - 5 + time '13:00') at time zone 'UTC', 0),
(:'other_student', 'lesson', (:'today'::date - 2 + time '20:00') at time zone 'UTC', 30);
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values (:'student', 'video', (:'today'::date - 12 + time '07:00') at time zone 'UTC', 12);
-- staff award points (they count in total_points, not in XP)
select tutela_tests.authenticate_as(:'u_staff');
insert into tutela.points_ledger (student_id, points, reason)
values (:'student', 50, 'Helped a classmate'), (:'student', -5, 'Late'),
(:'other_student', 7, 'Tidy notebook');
select tutela_tests.clear_authentication();

-- the recounts, from the history itself
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

select set_eq(
  format(
    $$ select student_id, day, reviews, correct, xp, minutes, activities
       from tutela.daily_study_stats where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  format(
    $$ select * from daily_recount where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  'daily_study_stats equals the recount by student and UTC day'
);
select is(
  (select count(*) from tutela.daily_study_stats where student_id = :'student'),
  7::bigint,
  'the student has one row for each of the 7 UTC days with reviews or activity'
);
select results_eq(
  format(
    $$ select reviews, correct, xp, minutes, activities from tutela.daily_study_stats
       where student_id = %L and day = %L::date - 1 $$,
    :'student', :'today'
  ),
  $$ values (4, 3, 46, 15, 1) $$,
  'a day counts the reviews from 00:00 to 23:59:59.999 UTC, XP and minutes included'
);
select set_eq(
  format(
    $$ select student_id, total_reviews, total_correct, total_xp, total_points,
         total_minutes, last_active_at
       from tutela.student_stats where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  format(
    $$ select * from totals_recount where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  'student_stats totals equal the recount (points = XP + ledger)'
);
select results_eq(
  format(
    $$ select total_reviews, total_correct, total_xp, total_points, total_minutes
       from tutela.student_stats where student_id = %L $$,
    :'student'
  ),
  $$ values (9::bigint, 6::bigint, 100::bigint, 145::bigint, 92::bigint) $$,
  'the student''s totals are the expected numbers'
);
select is(
  (select last_active_at from tutela.student_stats where student_id = :'student'),
  (:'today'::date + time '00:00:01') at time zone 'UTC',
  'last_active_at is the latest review or activity'
);

-- one more statement mixing both students: still exact
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
values
(:'student', :'card2', (:'today'::date - 3 + time '10:00') at time zone 'UTC', true, 1),
(:'other_student', :'other_card', (:'today'::date - 3 + time '10:00') at time zone 'UTC', true, 2);
select set_eq(
  format(
    $$ select student_id, day, reviews, correct, xp, minutes, activities
       from tutela.daily_study_stats where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  format(
    $$ select * from daily_recount where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  'after a statement touching two students the daily rows still equal the recount'
);
select set_eq(
  format(
    $$ select student_id, total_reviews, total_correct, total_xp, total_points,
         total_minutes, last_active_at
       from tutela.student_stats where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  format(
    $$ select * from totals_recount where student_id in (%L, %L) $$,
    :'student', :'other_student'
  ),
  'after a statement touching two students the totals still equal the recount'
);

select * from finish();
rollback;
