-- check_achievements() with no student (null) checks every student of every organisation and
-- empties the queue; only the service role may (TU403 for staff, admins and students, 42501
-- for anon).
begin;
select plan(8);

select tutela_tests.create_user('student-032@world.test') as u_student \gset
select tutela_tests.create_user('staff-032@world.test') as u_staff \gset
select tutela_tests.create_user('admin-032@world.test') as u_admin \gset
insert into tutela.organizations (name, slug) values ('Academy 032', 'academy-032')
returning id as org \gset
insert into tutela.organizations (name, slug) values ('Elsewhere 032', 'elsewhere-032')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'other_org', 'Kim') returning id as kim \gset
insert into tutela.students (organization_id, display_name)
values (:'other_org', 'Lee') returning id as lee \gset
insert into tutela.certificates (student_id, organization_id, title)
values (:'student', :'org', 'Club referee'), (:'kim', :'other_org', 'First aid');
insert into tutela.journal_entries (student_id, entry_date)
select
  :'lee' as student_id,
  current_date - d as entry_date
from generate_series(1, 7) as d;

prepare chk_all as select * from tutela.check_achievements();
prepare chk_null as select * from tutela.check_achievements(null);

select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('chk_all', 'TU403', null, 'staff may not check every student');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('chk_null', 'TU403', null, 'an admin may not check every student');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('chk_all', 'TU403', null, 'a student may not check every student');
select tutela_tests.as_anon();
select throws_ok('chk_all', '42501', null, 'anon is refused (no grant)');

select tutela_tests.clear_authentication();
select is(
  (
    select count(*)::integer from tutela_private.achievement_queue
    where student_id in (:'student', :'kim', :'lee')
  ),
  3,
  'the writes queued all three students'
);

select tutela_tests.as_service_role();
select set_eq(
  $$ select student_id, code from tutela.check_achievements() $$,
  format(
    $$ values (%L::uuid, 'first_certificate'), (%L::uuid, 'first_certificate'),
       (%L::uuid, 'journal_7') $$,
    :'student', :'kim', :'lee'
  ),
  'the service role checks every student of every organisation at once'
);
select is_empty('chk_null', 'a second full check awards nothing');
select tutela_tests.clear_authentication();
select is_empty(
  $$ select 1 from tutela_private.achievement_queue $$,
  'the full check emptied the queue'
);

select * from finish();
rollback;
