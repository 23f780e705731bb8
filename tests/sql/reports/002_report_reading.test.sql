-- Reading reports (the table under RLS, and list_reports): a report is readable only by
-- someone who may read its student for every section it holds. The student, admins and staff
-- read all; a guardian reads the reports whose sections their link permits (one without
-- grades never reads a report with grades, whoever made it), and loses them the moment the
-- permission goes. Revoked and pending guardians, staff of another organisation and strangers
-- read nothing; list_reports refuses them (TU403); anon has no grant (42501).
begin;
select plan(20);

select tutela_tests.create_user('student-r002@world.test') as u_student \gset
select tutela_tests.create_user('admin-r002@world.test') as u_admin \gset
select tutela_tests.create_user('staff-r002@world.test') as u_staff \gset
select tutela_tests.create_user('primary-r002@world.test') as u_primary \gset
select tutela_tests.create_user('default-r002@world.test') as u_default \gset
select tutela_tests.create_user('nogrades-r002@world.test') as u_nogrades \gset
select tutela_tests.create_user('revoked-r002@world.test') as u_revoked \gset
select tutela_tests.create_user('pending-r002@world.test') as u_pending \gset
select tutela_tests.create_user('other-staff-r002@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-r002@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy R002', 'academy-r002', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other R002', 'other-r002')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Mia', :'u_student') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, permissions, created_via, activated_at,
  revoked_at
)
values
(
  :'mia', :'u_primary', 'active', true,
  tutela_hidden.default_link_permissions() || '{"journal": true}', 'staff', now(), null
),
(
  :'mia', :'u_default', 'active', false, tutela_hidden.default_link_permissions(), 'staff', now(),
  null
),
(
  :'mia', :'u_nogrades', 'active', false,
  tutela_hidden.default_link_permissions() || '{"grades": false}', 'staff', now(), null
),
(
  :'mia', :'u_revoked', 'revoked', false, tutela_hidden.default_link_permissions(), 'code',
  now() - interval '3 days', now()
),
(
  :'mia', :'u_pending', 'pending', false, tutela_hidden.default_link_permissions(), 'code', null,
  null
);

-- three reports of Mia: by staff (all five sections), by the default guardian (no journal),
-- by the guardian without grades (progress, attendance, sessions); one of Leo by staff
select tutela_tests.authenticate_as(:'u_staff');
select id as r_full from tutela.generate_report(:'mia', 'weekly', current_date - 6, current_date)
\gset
select id as r_leo from tutela.generate_report(:'leo', 'weekly', current_date - 6, current_date)
\gset
select tutela_tests.authenticate_as(:'u_default');
select id as r_nojournal
from tutela.generate_report(:'mia', 'monthly', current_date - 30, current_date) \gset
select tutela_tests.authenticate_as(:'u_nogrades');
select id as r_nogrades
from tutela.generate_report(:'mia', 'monthly', current_date - 30, current_date) \gset

prepare mine as select id from tutela.reports where student_id = :'mia' order by id;
prepare listed as select id from tutela.list_reports(:'mia') order by id;
prepare list_call as select tutela.list_reports(:'mia');
create temporary table expected_all on commit drop as
select unnest(array[:'r_full', :'r_nojournal', :'r_nogrades']::uuid[]) as id;
grant select on expected_all to authenticated, anon;

select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'mine', 'select id from expected_all order by id',
  'the student reads every report about themself'
);
select results_eq(
  'listed', 'select id from expected_all order by id',
  'list_reports gives the student the same'
);
select tutela_tests.authenticate_as(:'u_admin');
select results_eq(
  'mine', 'select id from expected_all order by id',
  'an admin reads every report of the organisation''s student'
);
select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  'mine', 'select id from expected_all order by id',
  'staff read every report, whoever generated it'
);
select tutela_tests.authenticate_as(:'u_primary');
select results_eq(
  'mine', 'select id from expected_all order by id',
  'the primary guardian with every permission reads every report'
);
select tutela_tests.authenticate_as(:'u_default');
select set_eq(
  'mine', array[:'r_nojournal', :'r_nogrades']::uuid[],
  'a guardian without journal does not read the staff report that holds the journal'
);
select set_eq(
  'listed', array[:'r_nojournal', :'r_nogrades']::uuid[],
  'list_reports hides it from them too'
);
select tutela_tests.authenticate_as(:'u_nogrades');
select set_eq(
  'mine', array[:'r_nogrades']::uuid[],
  'a guardian without grades reads only the report without grades'
);
select is_empty(
  format('select 1 from tutela.reports where id in (%L, %L)', :'r_full', :'r_nojournal'),
  'asked by id, the reports with grades stay hidden from them'
);
select is_empty(
  format('select 1 from tutela.reports where id = %L', :'r_leo'),
  'a guardian reads no report of a child not theirs'
);

select tutela_tests.authenticate_as(:'u_revoked');
select is_empty('mine', 'a revoked guardian reads no report');
select throws_ok('list_call', 'TU403', null, 'list_reports refuses a revoked guardian');
select tutela_tests.authenticate_as(:'u_pending');
select is_empty('mine', 'a pending guardian reads no report');
select tutela_tests.authenticate_as(:'u_other_staff');
select is_empty('mine', 'staff of another organisation read no report');
select throws_ok('list_call', 'TU403', null, 'list_reports refuses staff of another organisation');
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty('mine', 'a stranger reads no report');
select throws_ok('list_call', 'TU403', null, 'list_reports refuses a stranger');
select throws_ok(
  format('select tutela.list_reports(%L)', gen_random_uuid()), 'TU403', null,
  'list_reports of an unknown student: TU403'
);
select tutela_tests.as_anon();
select throws_ok('mine', '42501', null, 'anon cannot select reports');

-- the permission goes: the report that needed it goes with it, at once
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = permissions || '{"progress": false}'
where student_id = :'mia' and guardian_id = :'u_nogrades';
select tutela_tests.authenticate_as(:'u_nogrades');
select is_empty(
  'mine',
  'a guardian who lost progress no longer reads the report they made with it'
);

select * from finish();
rollback;
