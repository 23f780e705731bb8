-- What a report holds, section by section, over its period (UTC days) and nothing outside it:
-- progress (daily study stats, totals, the longest streak in the period, courses), grades
-- (graded submissions, average, pass/fail), attendance (live classes, rate), sessions
-- (attendance, scores), journal (averages only: never an entry's text). The summary holds the
-- headline numbers of each section.
begin;
select plan(16);

select tutela_tests.create_user('staff-r005@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('Academy R005', 'academy-r005')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
select (now() at time zone 'UTC')::date as today \gset
select (:'today'::date - 6)::timestamp at time zone 'UTC' as period_from \gset

-- progress: two active days in the period (in a row), one before it
insert into tutela.daily_study_stats (student_id, day, reviews, correct, xp, minutes, activities)
values
(:'mia', :'today'::date - 3, 10, 8, 100, 20, 1),
(:'mia', :'today'::date - 2, 5, 5, 60, 10, 0),
(:'mia', :'today'::date - 10, 50, 50, 500, 90, 2);
insert into tutela.courses (organization_id, title, subject)
values (:'org', 'Algebra I', 'Maths') returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id, progress_percent)
values (:'mia', :'org', :'course', 40);
-- grades: one graded in the period (72 of 100), one graded 20 days ago
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Quiz 1', 100) returning id as quiz1 \gset
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Quiz 0', 100) returning id as quiz0 \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score,
  graded_at
)
values
(:'mia', :'org', :'quiz1', 'graded', 72, :'period_from'::timestamptz + interval '1 day'),
(:'mia', :'org', :'quiz0', 'graded', 10, now() - interval '20 days');
-- attendance: attended and missed in the period, one missed before it
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values
(
  :'org', 'Lab A', :'period_from'::timestamptz + interval '2 hours',
  :'period_from'::timestamptz + interval '3 hours'
),
(
  :'org', 'Lab B', :'period_from'::timestamptz + interval '1 day',
  :'period_from'::timestamptz + interval '1 day 1 hour'
),
(
  :'org', 'Lab Z', :'period_from'::timestamptz - interval '2 days',
  :'period_from'::timestamptz - interval '47 hours'
);
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
select
  :'mia',
  :'org',
  lc.id,
  case lc.title when 'Lab A' then 'attended' else 'missed' end as status
from tutela.live_classes as lc where lc.organization_id = :'org';
-- sessions: one scored session in the period, one before it
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values (:'org', :'period_from'::timestamptz + interval '3 days', 'Bottom turns')
returning id as s_in \gset
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values (:'org', :'period_from'::timestamptz - interval '5 days', 'Paddling')
returning id as s_out \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'s_in', :'mia', :'org'), (:'s_out', :'mia', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'s_in', :'mia', :'org', 7.5), (:'s_out', :'mia', :'org', 2);
-- journal: two entries in the period, one before it
insert into tutela.journal_entries (student_id, entry_date, mood, energy, confidence, body)
values
(:'mia', :'today'::date - 1, 4, 3, 5, 'secret-r005 one'),
(:'mia', :'today'::date - 2, 2, 3, 3, 'secret-r005 two'),
(:'mia', :'today'::date - 9, 1, 1, 1, 'secret-r005 old');

select tutela_tests.authenticate_as(:'u_staff');
select id as report
from tutela.generate_report(:'mia', 'weekly', :'today'::date - 6, :'today') \gset
select tutela_tests.clear_authentication();
create temporary table r on commit drop as
select * from tutela.reports where id = :'report';

select is((select status from r), 'ready', 'the report is ready');
select is(
  (select data -> 'period' from r),
  jsonb_build_object('start', :'today'::date - 6, 'end', :'today'::date, 'days', 7),
  'the period: seven UTC days'
);
select is(
  (select data -> 'progress' -> 'totals' from r),
  '{"reviews": 15, "correct": 13, "accuracy": 86.7, "xp": 160, "minutes": 30, '
  '"active_days": 2}'::jsonb,
  'progress totals count the days in the period only'
);
select is(
  (select jsonb_path_query_array(data, '$.progress.daily[*].day') from r),
  jsonb_build_array(:'today'::date - 3, :'today'::date - 2),
  'progress: one entry per study day of the period, oldest first'
);
select is(
  (select data -> 'progress' -> 'streak' -> 'longest_in_period' from r), '2'::jsonb,
  'progress: the longest streak within the period'
);
select is(
  (select jsonb_path_query_array(data, '$.progress.courses[*].title') from r),
  '["Algebra I"]'::jsonb, 'progress: the courses'
);
select is(
  (select (data -> 'grades') - 'graded' - 'by_course' from r),
  '{"count": 1, "passed": 1, "failed": 0, "average_percent": 72.0}'::jsonb,
  'grades: the submission graded in the period only'
);
select is(
  (select jsonb_path_query_array(data, '$.grades.graded[*].title') from r),
  '["Quiz 1"]'::jsonb, 'grades: the graded list'
);
select is(
  (select (data -> 'attendance') - 'classes' from r),
  '{"attended": 1, "missed": 1, "registered": 0, "rate": 50.0}'::jsonb,
  'attendance: the live classes of the period and the rate'
);
select is(
  (select (data -> 'sessions') - 'sessions' from r),
  '{"present": 1, "absent": 0, "excused": 0, "scored": 1, "average_score": 7.50, '
  '"best_score": 7.50}'::jsonb,
  'sessions: the session of the period, its score'
);
select is(
  (select (data -> 'journal') - 'weekly' from r),
  '{"entries": 2, "mood_avg": 3.00, "energy_avg": 3.00, "confidence_avg": 4.00}'::jsonb,
  'journal: averages over the entries of the period'
);
select ok(
  (select data::text not like '%secret-r005%' from r),
  'the journal''s text never enters a report'
);
select is(
  (select summary from r),
  jsonb_build_object(
    'progress', (select data -> 'progress' -> 'totals' from r)
    || '{"longest_streak_in_period": 2}'::jsonb,
    'grades', (select (data -> 'grades') - 'graded' - 'by_course' from r),
    'attendance', (select (data -> 'attendance') - 'classes' from r),
    'sessions', (select (data -> 'sessions') - 'sessions' from r),
    'journal', (select (data -> 'journal') - 'weekly' from r)
  ),
  'the summary: the headline numbers of every section'
);
select is(
  (select data -> 'student' from r),
  jsonb_build_object(
    'student_id', :'mia', 'display_name', 'Mia', 'organization',
    'Academy R005'
  ),
  'the student it is about'
);
select is((select data -> 'hidden_sections' from r), '[]'::jsonb, 'staff: nothing hidden');
-- a later change of the data leaves the snapshot as it was
update tutela.submissions set score = 100 where assignment_id = :'quiz1';
select is(
  (select data -> 'grades' -> 'average_percent' from tutela.reports where id = :'report'),
  '72.0'::jsonb, 'the report is a snapshot: later grades do not change it'
);

select * from finish();
rollback;
