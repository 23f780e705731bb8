-- student_progress() -> journal_trends: journal_trends() of the student without student_id:
-- entries and average mood, energy and confidence over the last 7 and 30 UTC days (today
-- included; older and future entries left out), rounded to two decimals.
begin;
select plan(2);

select tutela_tests.create_user('student-065@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 065', 'world-065')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
select (now() at time zone 'UTC')::date as today \gset
insert into tutela.journal_entries (student_id, entry_date, mood, energy, confidence)
values
(:'student', :'today', 4, 3, 5),
(:'student', :'today'::date - 6, 2, 4, 4),
(:'student', :'today'::date - 20, 5, 5, 3),
(:'student', :'today'::date - 40, 1, 1, 1),
(:'student', :'today'::date + 1, 1, 1, 1);

select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.student_progress() -> 'journal_trends',
  '{
    "entries_7d": 2, "entries_30d": 3,
    "mood_7d": 3.00, "energy_7d": 3.50, "confidence_7d": 4.50,
    "mood_30d": 3.67, "energy_30d": 4.00, "confidence_30d": 4.00
  }'::jsonb,
  'counts and averages over 7 and 30 days'
);
select is(
  tutela.student_progress() -> 'journal_trends',
  tutela.journal_trends(:'student') - 'student_id',
  'the same as journal_trends() for the student, without student_id'
);

select * from finish();
rollback;
