-- The live streak: get_child_overview reports the stored current streak only while its last
-- day is today or yesterday (UTC); once the last active day is 2 or more days ago it reports 0,
-- while the longest streak stays.
begin;
select plan(8);

select tutela_tests.create_user('student-104@world.test') as u_student \gset
select tutela_tests.create_user('staff-104@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('World 104', 'world-104')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Newcomer') returning id as newcomer \gset
select (now() at time zone 'UTC')::date as today \gset

-- active 2, 3 and 4 days ago
select tutela_tests.clear_authentication();
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
select
  :'student' as student_id,
  'lesson' as kind,
  (:'today'::date - d + time '12:00') at time zone 'UTC' as occurred_at,
  10 as minutes
from generate_series(2, 4) as d;

select is(
  (select current_streak from tutela.student_stats where student_id = :'student'),
  3,
  'the stored streak is the run of 3 days'
);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  tutela.get_child_overview(:'student') -> 'kpis' -> 'current_streak',
  '0'::jsonb,
  'last active 2 days ago: the overview''s current streak is 0'
);
select is(
  tutela.get_child_overview(:'student') -> 'kpis' -> 'longest_streak',
  '3'::jsonb,
  'the longest streak stays 3'
);
select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.get_child_overview(:'student') -> 'kpis' -> 'current_streak',
  '0'::jsonb,
  'the student sees the same live streak'
);

-- active yesterday too: the run of 4 days is live
select tutela_tests.clear_authentication();
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values (:'student', 'lesson', (:'today'::date - 1 + time '23:59:59') at time zone 'UTC', 3);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  (tutela.get_child_overview(:'student') -> 'kpis') - array[
    'reviews_7d', 'reviews_30d', 'accuracy_7d', 'accuracy_30d', 'xp_7d', 'xp_30d',
    'minutes_7d', 'active_days_30d', 'total_xp', 'total_points', 'total_reviews',
    'last_active_at'
  ],
  '{"current_streak": 4, "longest_streak": 4}'::jsonb,
  'last active yesterday: the current streak of 4 is live'
);

-- active today as well: the run grows to 5
select tutela_tests.clear_authentication();
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values (:'student', 'lesson', (:'today'::date + time '00:00:00') at time zone 'UTC', 3);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  (tutela.get_child_overview(:'student') -> 'kpis' ->> 'current_streak')::integer,
  5,
  'active today: the run of 5 days is live'
);

-- a student with no activity at all
select is(
  tutela.get_child_overview(:'newcomer') -> 'kpis' -> 'current_streak',
  '0'::jsonb,
  'a student without history has a current streak of 0'
);

-- an old run: 10 days ago
select tutela_tests.clear_authentication();
delete from tutela.activity_events where student_id = :'student';
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values (:'student', 'lesson', (:'today'::date - 10 + time '12:00') at time zone 'UTC', 3);
select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  format(
    $$ select (o -> 'kpis' ->> 'current_streak')::integer,
         (o -> 'kpis' ->> 'longest_streak')::integer, st.current_streak
       from tutela.get_child_overview(%1$L) as o, tutela.student_stats as st
       where st.student_id = %1$L $$,
    :'student'
  ),
  $$ values (0, 1, 1) $$,
  'last active 10 days ago: stored streak 1, live streak 0, longest 1'
);

select * from finish();
rollback;
