-- Who may pause and resume: the payer named in paid_by, the guardian of a family subscription
-- and the service role. Another guardian of the child, the student and a stranger: TU403.
-- anon: 42501.
begin;
select plan(16);

select tutela_tests.create_user('payer-p015@world.test') as u_payer \gset
select tutela_tests.create_user('other-guardian-p015@world.test') as u_other \gset
select tutela_tests.create_user('family-p015@world.test') as u_family \gset
select tutela_tests.create_user('student-p015@world.test') as u_student \gset
select tutela_tests.create_user('stranger-p015@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World P015', 'world-p015', 5)
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Child', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_payer', 'active', 'staff', now()),
(:'student', :'u_other', 'active', 'staff', now()),
(:'student', :'u_family', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_family', 'active') returning id as family_sub \gset

prepare pause as select tutela.pause_subscription(:'sub');
prepare resume as select tutela.resume_subscription(:'sub');
prepare family_pause as select tutela.pause_subscription(:'family_sub');
prepare family_resume as select tutela.resume_subscription(:'family_sub');

select tutela_tests.as_anon();
select throws_ok('pause', '42501', null, 'anon: pause refused');
select throws_ok('resume', '42501', null, 'anon: resume refused');
select tutela_tests.authenticate_as(:'u_other');
select throws_ok('pause', 'TU403', null, 'another guardian of the child: pause refused');
select throws_ok('family_pause', 'TU403', null, 'another guardian''s family plan: refused');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('pause', 'TU403', null, 'the student: pause refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('pause', 'TU403', null, 'a stranger: pause refused');

select tutela_tests.authenticate_as(:'u_payer');
select lives_ok('pause', 'the payer (paid_by) pauses');
select tutela_tests.authenticate_as(:'u_other');
select throws_ok('resume', 'TU403', null, 'another guardian of the child: resume refused');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('resume', 'TU403', null, 'the student: resume refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('resume', 'TU403', null, 'a stranger: resume refused');
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.subscriptions where id = :'sub'), 'paused',
  'the refused resumes changed nothing'
);
select tutela_tests.authenticate_as(:'u_payer');
select lives_ok('resume', 'the payer resumes');

select tutela_tests.authenticate_as(:'u_family');
select lives_ok('family_pause', 'the family guardian pauses their family plan');
select lives_ok('family_resume', 'and resumes it');

select tutela_tests.as_service_role();
select lives_ok('pause', 'the service role pauses');
select lives_ok('resume', 'the service role resumes');

select * from finish();
rollback;
