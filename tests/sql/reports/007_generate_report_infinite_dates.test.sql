-- generate_report with 'infinity' or '-infinity' as a period bound (PostgreSQL accepts both as
-- dates) is TU422, for every type: found by tests/py/test_fuzz_api.py, where a transcript from
-- -infinity to infinity raised 22008 (date arithmetic on infinite dates) instead. Nothing is
-- written by a refused call.
begin;
select plan(6);

select tutela_tests.create_user('staff-r007@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('Academy R007', 'academy-r007')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset

select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format('select tutela.generate_report(%L, ''transcript'', ''-infinity'', ''infinity'')', :'mia'),
  'TU422', null, 'a transcript from -infinity to infinity: TU422'
);
select throws_ok(
  format('select tutela.generate_report(%L, ''transcript'', ''-infinity'', null)', :'mia'),
  'TU422', null, 'a transcript from -infinity to today: TU422'
);
select throws_ok(
  format(
    'select tutela.generate_report(%L, ''transcript'', current_date - 3, ''infinity'')', :'mia'
  ),
  'TU422', null, 'a transcript to infinity: TU422'
);
select throws_ok(
  format('select tutela.generate_report(%L, ''weekly'', ''-infinity'', current_date)', :'mia'),
  'TU422', null, 'a weekly report from -infinity: TU422'
);
select lives_ok(
  format('select tutela.generate_report(%L, ''transcript'', ''0001-01-01'', current_date)', :'mia'),
  'a transcript from the first calendar day still works'
);
select is(
  (select count(*) from tutela.reports where student_id = :'mia'), 1::bigint,
  'only the accepted call made a report'
);

select * from finish();
rollback;
