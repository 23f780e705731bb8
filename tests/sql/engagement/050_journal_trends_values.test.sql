-- journal_trends(student): counts and averages (2 decimals) of mood, energy and confidence over
-- the last 7 days (today, in UTC, and the six before) and the last 30 days (today and the 29
-- before). Entries are back-dated by entry_date; older entries, future-dated entries and other
-- students' entries are left out; a missing value (null) is left out of its average only.
-- Every figure equals a recount over journal_entries, and the hand-worked figures below.
begin;
select plan(20);

select tutela_tests.create_user('student@trends.test') as u_student \gset
select tutela_tests.create_user('staff@trends.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('Trends', 'trends') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Other student') returning id as other_student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'New student') returning id as new_student \gset
select (now() at time zone 'UTC')::date as today \gset

insert into tutela.journal_entries (student_id, entry_date, mood, energy, confidence)
values
(:'student', :'today'::date, 5, 4, 3),
(:'student', :'today'::date - 3, 4, null, 2),
(:'student', :'today'::date - 6, 2, 2, 5),
(:'student', :'today'::date - 7, 1, 4, 1),
(:'student', :'today'::date - 29, 1, 1, 4),
(:'student', :'today'::date - 30, 5, 5, 5),
(:'student', :'today'::date + 1, 1, 1, 1),
(:'other_student', :'today'::date, 1, 1, 1);

-- The recount: the same windows written another way (between, sum / count)
create temporary view trends_recount as
with d as (select (now() at time zone 'UTC')::date as today)

select
  j.student_id,
  count(*) filter (where j.entry_date between d.today - 6 and d.today) as entries_7d,
  count(*) filter (where j.entry_date between d.today - 29 and d.today) as entries_30d,
  round(
    sum(j.mood) filter (where j.entry_date between d.today - 6 and d.today)::numeric
    / count(j.mood) filter (where j.entry_date between d.today - 6 and d.today), 2
  ) as mood_7d,
  round(
    sum(j.energy) filter (where j.entry_date between d.today - 6 and d.today)::numeric
    / count(j.energy) filter (where j.entry_date between d.today - 6 and d.today), 2
  ) as energy_7d,
  round(
    sum(j.confidence) filter (where j.entry_date between d.today - 6 and d.today)::numeric
    / count(j.confidence) filter (where j.entry_date between d.today - 6 and d.today), 2
  ) as confidence_7d,
  round(
    sum(j.mood) filter (where j.entry_date between d.today - 29 and d.today)::numeric
    / count(j.mood) filter (where j.entry_date between d.today - 29 and d.today), 2
  ) as mood_30d,
  round(
    sum(j.energy) filter (where j.entry_date between d.today - 29 and d.today)::numeric
    / count(j.energy) filter (where j.entry_date between d.today - 29 and d.today), 2
  ) as energy_30d,
  round(
    sum(j.confidence) filter (where j.entry_date between d.today - 29 and d.today)::numeric
    / count(j.confidence) filter (where j.entry_date between d.today - 29 and d.today), 2
  ) as confidence_30d
from tutela.journal_entries as j
cross join d
group by j.student_id;

select tutela_tests.authenticate_as(:'u_student');
select tutela.journal_trends(:'student') as t \gset
select tutela_tests.clear_authentication();

-- hand-worked: 7 days = today, -3, -6; 30 days = those and -7, -29
select is((:'t'::jsonb ->> 'student_id')::uuid, :'student'::uuid, 'the student id is echoed');
select is((:'t'::jsonb ->> 'entries_7d')::integer, 3, 'entries_7d: 3');
select is((:'t'::jsonb ->> 'entries_30d')::integer, 5, 'entries_30d: 5');
select is((:'t'::jsonb ->> 'mood_7d')::numeric, 3.67, 'mood_7d: (5 + 4 + 2) / 3');
select is((:'t'::jsonb ->> 'energy_7d')::numeric, 3.00, 'energy_7d: (4 + 2) / 2, null left out');
select is((:'t'::jsonb ->> 'confidence_7d')::numeric, 3.33, 'confidence_7d: (3 + 2 + 5) / 3');
select is((:'t'::jsonb ->> 'mood_30d')::numeric, 2.60, 'mood_30d: 13 / 5');
select is((:'t'::jsonb ->> 'energy_30d')::numeric, 2.75, 'energy_30d: 11 / 4');
select is((:'t'::jsonb ->> 'confidence_30d')::numeric, 3.00, 'confidence_30d: 15 / 5');

-- the recount agrees, figure by figure
select is(
  (:'t'::jsonb ->> 'entries_7d')::bigint,
  (select r.entries_7d from trends_recount as r where r.student_id = :'student'),
  'entries_7d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'entries_30d')::bigint,
  (select r.entries_30d from trends_recount as r where r.student_id = :'student'),
  'entries_30d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'mood_7d')::numeric,
  (select r.mood_7d from trends_recount as r where r.student_id = :'student'),
  'mood_7d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'energy_7d')::numeric,
  (select r.energy_7d from trends_recount as r where r.student_id = :'student'),
  'energy_7d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'confidence_7d')::numeric,
  (select r.confidence_7d from trends_recount as r where r.student_id = :'student'),
  'confidence_7d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'mood_30d')::numeric,
  (select r.mood_30d from trends_recount as r where r.student_id = :'student'),
  'mood_30d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'energy_30d')::numeric,
  (select r.energy_30d from trends_recount as r where r.student_id = :'student'),
  'energy_30d equals the recount'
);
select is(
  (:'t'::jsonb ->> 'confidence_30d')::numeric,
  (select r.confidence_30d from trends_recount as r where r.student_id = :'student'),
  'confidence_30d equals the recount'
);

-- a student without entries (asked by staff): zero counts, no averages
select tutela_tests.authenticate_as(:'u_staff');
select tutela.journal_trends(:'new_student') as t_new \gset
select tutela_tests.clear_authentication();
select is((:'t_new'::jsonb ->> 'entries_30d')::integer, 0, 'no entries: entries_30d is 0');
select is((:'t_new'::jsonb ->> 'entries_7d')::integer, 0, 'no entries: entries_7d is 0');
select ok(
  :'t_new'::jsonb -> 'mood_30d' = 'null'::jsonb
  and :'t_new'::jsonb -> 'mood_7d' = 'null'::jsonb,
  'no entries: the averages are null'
);

select * from finish();
rollback;
