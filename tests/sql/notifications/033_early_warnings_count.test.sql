-- tutela_private.run_early_warnings() returns how many guardians it notified (the early_warnings
-- job records it as its result). A run that finds only warnings already given (the same
-- dedupe keys) notifies nobody and returns 0.
begin;
select plan(3);

select tutela_tests.create_user('mum-033@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-033@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 033', 'ntf-033') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'sam', :'org', :'algebra');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'algebra', 'Essay', now() - interval '1 day');

select is(tutela_private.run_early_warnings(), 2, 'one missing assignment: two guardians notified');
select is(tutela_private.run_early_warnings(), 0, 'the same warning again: nobody notified, 0');
select is(
  (select count(*)::integer from tutela.alerts where type = 'assignment_missing'),
  2,
  'and no alert added'
);

select * from finish();
rollback;
