-- guardian_mood_history(days): the caller's own mood entries whose entry_date lies in the last
-- `days` days (today, in UTC, counts as the first), newest first (entry_date, then created_at).
-- Never another guardian's entries. days outside 1..366 (or null): TU422. anon: 42501.
-- Entries are back-dated by entry_date.
begin;
select plan(13);

select tutela_tests.create_user('guardian@moodhist.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@moodhist.test') as u_guardian2 \gset
select tutela_tests.create_user('stranger@moodhist.test') as u_stranger \gset
select (now() at time zone 'UTC')::date as today \gset

insert into tutela.guardian_mood_entries (guardian_id, entry_date, emoji, created_at)
values
(:'u_guardian', :'today'::date, 'today-late', now()),
(:'u_guardian', :'today'::date, 'today-early', now() - interval '5 hours'),
(:'u_guardian', :'today'::date - 6, 'day-6', now() - interval '6 days'),
(:'u_guardian', :'today'::date - 7, 'day-7', now() - interval '7 days'),
(:'u_guardian', :'today'::date - 29, 'day-29', now() - interval '29 days'),
(:'u_guardian', :'today'::date - 30, 'day-30', now() - interval '30 days'),
(:'u_guardian', :'today'::date - 365, 'day-365', now() - interval '365 days'),
(:'u_guardian', :'today'::date - 366, 'day-366', now() - interval '366 days'),
(:'u_guardian2', :'today'::date, 'other-today', now()),
(:'u_guardian2', :'today'::date - 3, 'other-day-3', now() - interval '3 days');

select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'select emoji from tutela.guardian_mood_history(1)',
  $$values ('today-late'), ('today-early')$$,
  'days 1: today''s entries only, the later one first'
);
select results_eq(
  'select entry_date, emoji from tutela.guardian_mood_history(7)',
  format(
    'values (%L::date, %L), (%L::date, %L), (%L::date, %L)',
    :'today', 'today-late', :'today', 'today-early', :'today'::date - 6, 'day-6'
  ),
  'days 7: today back to six days ago, newest first; seven days ago is outside'
);
select results_eq(
  'select emoji from tutela.guardian_mood_history(30)',
  $$values ('today-late'), ('today-early'), ('day-6'), ('day-7'), ('day-29')$$,
  'days 30: up to 29 days ago, newest first'
);
select results_eq(
  'select emoji from tutela.guardian_mood_history()',
  'select emoji from tutela.guardian_mood_history(30)',
  'the default window is 30 days'
);
select results_eq(
  'select emoji from tutela.guardian_mood_history(366)',
  $$values ('today-late'), ('today-early'), ('day-6'), ('day-7'), ('day-29'), ('day-30'),
    ('day-365')$$,
  'days 366: up to 365 days ago, never the other guardian''s entries'
);

select tutela_tests.authenticate_as(:'u_guardian2');
select results_eq(
  'select emoji from tutela.guardian_mood_history(366)',
  $$values ('other-today'), ('other-day-3')$$,
  'another guardian gets only their own entries'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty(
  'select * from tutela.guardian_mood_history(366)', 'a user without entries gets none'
);

-- days out of range
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  'select * from tutela.guardian_mood_history(0)', 'TU422', null, 'days 0: invalid'
);
select throws_ok(
  'select * from tutela.guardian_mood_history(-5)', 'TU422', null, 'negative days: invalid'
);
select throws_ok(
  'select * from tutela.guardian_mood_history(367)', 'TU422', null, 'days 367: invalid'
);
select throws_ok(
  'select * from tutela.guardian_mood_history(null)', 'TU422', null, 'days null: invalid'
);

-- anon and signed-out callers
select tutela_tests.as_anon();
select throws_ok(
  'select * from tutela.guardian_mood_history(30)', '42501', null, 'anon: no execute grant'
);
select tutela_tests.authenticate_as(gen_random_uuid());
select throws_ok(
  'select * from tutela.guardian_mood_history(30)', 'TU401', null,
  'a token for a user that does not exist: not signed in'
);

select * from finish();
rollback;
