-- A report never changes: an update is refused with TU403 for everyone, the table owner and
-- the service role included. API roles have no insert, update or delete (42501). The only
-- change let through is the foreign key's: when the user who generated a report is deleted,
-- generated_by becomes null. Deleting the student deletes their reports.
begin;
select plan(10);

select tutela_tests.create_user('staff-r003@world.test') as u_staff \gset
select tutela_tests.create_user('admin-r003@world.test') as u_admin \gset
insert into tutela.organizations (name, slug) values ('Academy R003', 'academy-r003')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset

select tutela_tests.authenticate_as(:'u_staff');
select id as report from tutela.generate_report(:'mia', 'weekly', current_date - 6, current_date)
\gset

select throws_ok(
  format('update tutela.reports set summary = ''{}'' where id = %L', :'report'), '42501', null,
  'staff cannot update a report (no grant)'
);
select throws_ok(
  format('delete from tutela.reports where id = %L', :'report'), '42501', null,
  'staff cannot delete a report (no grant)'
);
select throws_ok(
  format(
    'insert into tutela.reports (student_id, type, period_start, period_end) '
    'values (%L, ''weekly'', current_date, current_date)', :'mia'
  ), '42501', null,
  'staff cannot insert a report: only generate_report makes them'
);
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok(
  format('update tutela.reports set status = ''failed'' where id = %L', :'report'), '42501',
  null, 'an admin cannot update a report either'
);

select tutela_tests.as_service_role();
select throws_ok(
  format('update tutela.reports set summary = ''{}'' where id = %L', :'report'), 'TU403', null,
  'the service role cannot change a report'
);
select tutela_tests.clear_authentication();
select throws_ok(
  format('update tutela.reports set data = data || ''{"x": 1}'' where id = %L', :'report'),
  'TU403', null, 'the table owner cannot change a report'
);
select throws_ok(
  format(
    'update tutela.reports set generated_by = null, summary = ''{}'' where id = %L', :'report'
  ),
  'TU403', null, 'clearing generated_by together with anything else is refused'
);

delete from auth.users where id = :'u_staff';
select is(
  (select generated_by from tutela.reports where id = :'report'), null,
  'deleting the user who generated it leaves the report, without its author'
);
select isnt(
  (select data from tutela.reports where id = :'report'), null,
  'and the snapshot itself is untouched'
);
delete from tutela.students where id = :'mia';
select is_empty(
  format('select 1 from tutela.reports where id = %L', :'report'),
  'deleting the student deletes their reports'
);

select * from finish();
rollback;
