-- check_achievements(p_student_id) may be called by the student (with a login), staff and
-- admins of the student's organisation, and the service role. It returns what it newly
-- awarded: student_id, code, title and awarded_at, the same as the stored award.
begin;
select plan(6);

select tutela_tests.create_user('student-030@world.test') as u_student \gset
select tutela_tests.create_user('staff-030@world.test') as u_staff \gset
select tutela_tests.create_user('admin-030@world.test') as u_admin \gset
insert into tutela.organizations (name, slug) values ('Academy 030', 'academy-030')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
select tutela_tests.attach_student_login(:'student', :'u_student');
insert into tutela.certificates (student_id, organization_id, title)
values (:'student', :'org', 'Club referee');

prepare chk as
select
  c.student_id,
  c.code,
  c.title,
  c.awarded_at
from tutela.check_achievements(:'student') as c;
prepare earned as
select
  :'student'::uuid as student_id,
  'first_certificate'::text as code,
  'First certificate'::text as title,
  now() as awarded_at;
prepare stored as
select
  sa.student_id,
  a.code,
  a.title,
  sa.awarded_at
from tutela.student_achievements as sa
inner join tutela.achievements as a on sa.achievement_id = a.id;

select tutela_tests.authenticate_as(:'u_student');
select results_eq('chk', 'earned', 'the student: their new award is returned');
select tutela_tests.clear_authentication();
select results_eq('stored', 'earned', 'the returned row is the stored award');
delete from tutela.student_achievements;

select tutela_tests.authenticate_as(:'u_staff');
select results_eq('chk', 'earned', 'staff of the organisation: the new award is returned');
select tutela_tests.clear_authentication();
delete from tutela.student_achievements;

select tutela_tests.authenticate_as(:'u_admin');
select results_eq('chk', 'earned', 'an admin of the organisation: the new award is returned');
select tutela_tests.clear_authentication();
delete from tutela.student_achievements;

select tutela_tests.as_service_role();
select results_eq('chk', 'earned', 'the service role: the new award is returned');
select tutela_tests.authenticate_as(:'u_student');
select is_empty('chk', 'a second call by the student returns nothing');

select * from finish();
rollback;
