-- generate_report's inputs: an unknown or missing type, a missing period (only a transcript may
-- leave it out), an end before the start, a start in the future, and a period longer than the
-- type allows (weekly 7 days, monthly 31, term 400; a transcript any length) are TU422. The
-- caller is checked first: a stranger with a bad type is TU403, not TU422. A transcript
-- without a period runs from the student's first day (record or data) to today (UTC).
begin;
select plan(18);

select tutela_tests.create_user('staff-r004@world.test') as u_staff \gset
select tutela_tests.create_user('stranger-r004@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('Academy R004', 'academy-r004')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
select (now() at time zone 'UTC')::date as today \gset
-- imported history: a study day 800 days ago
insert into tutela.daily_study_stats (student_id, day, reviews, correct)
values (:'mia', :'today'::date - 800, 4, 3);

select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''yearly'', %L::date - 6, %L)', :'mia', :'today',
    :'today'
  ), 'TU403', null, 'authorisation first: a stranger with a bad type is TU403'
);

select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''yearly'', %L::date - 6, %L)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'an unknown type: TU422'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, null, %L::date - 6, %L)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'no type: TU422'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''Weekly'', %L::date - 6, %L)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'types are lower case: TU422'
);
select throws_ok(
  format('select tutela.generate_report(%L, ''weekly'', null, %L)', :'mia', :'today'),
  'TU422', null, 'a weekly report without a start: TU422'
);
select throws_ok(
  format('select tutela.generate_report(%L, ''term'', %L::date - 30, null)', :'mia', :'today'),
  'TU422', null, 'a term report without an end: TU422'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''weekly'', %L, %L::date - 1)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'an end before the start: TU422'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''weekly'', %L::date + 1, %L::date + 3)', :'mia',
    :'today', :'today'
  ), 'TU422', null, 'a period starting in the future: TU422'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''weekly'', %L::date - 7, %L)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'a weekly report of 8 days: TU422'
);
select lives_ok(
  format(
    'select tutela.generate_report(%L, ''weekly'', %L::date - 6, %L)', :'mia', :'today',
    :'today'
  ), 'a weekly report of 7 days'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''monthly'', %L::date - 31, %L)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'a monthly report of 32 days: TU422'
);
select lives_ok(
  format(
    'select tutela.generate_report(%L, ''monthly'', %L::date - 30, %L)', :'mia', :'today',
    :'today'
  ), 'a monthly report of 31 days'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''term'', %L::date - 400, %L)', :'mia', :'today',
    :'today'
  ), 'TU422', null, 'a term report of 401 days: TU422'
);
select lives_ok(
  format(
    'select tutela.generate_report(%L, ''term'', %L::date - 399, %L)', :'mia', :'today',
    :'today'
  ), 'a term report of 400 days'
);
select results_eq(
  format(
    'select period_start, period_end from tutela.generate_report(%L, ''transcript'')',
    :'mia'
  ),
  format('values (%L::date - 800, %L::date)', :'today', :'today'),
  'a transcript without a period: from the first day of data to today'
);
select results_eq(
  format(
    'select period_start, period_end, (data -> ''period'' ->> ''days'')::integer '
    'from tutela.generate_report(%L, ''transcript'', %L::date - 1000, %L::date - 1)',
    :'mia', :'today', :'today'
  ),
  format('values (%L::date - 1000, %L::date - 1, 1000)', :'today', :'today'),
  'a transcript may span more than 400 days'
);
select throws_ok(
  format(
    'select tutela.generate_report(null, ''weekly'', %L::date - 6, %L)', :'today',
    :'today'
  ), 'TU403', null, 'no student: TU403'
);
select tutela_tests.clear_authentication();
select throws_ok(
  format(
    'insert into tutela.reports (student_id, type, period_start, period_end) '
    'values (%L, ''monthly'', %L::date - 400, %L)', :'mia', :'today', :'today'
  ), '23514', null, 'the table itself refuses a non-transcript longer than 400 days'
);

select * from finish();
rollback;
