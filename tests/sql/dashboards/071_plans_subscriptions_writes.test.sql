-- Only the service role (billing, back office) writes plans and subscriptions. A student,
-- a guardian (even for their own family subscription), an organisation admin and anon have no
-- insert, update or delete grant: 42501. The service role may do all three.
begin;
select plan(30);

select tutela_tests.create_user('student-071@world.test') as u_student \gset
select tutela_tests.create_user('guardian-071@world.test') as u_guardian \gset
select tutela_tests.create_user('admin-071@world.test') as u_admin \gset
insert into tutela.organizations (name, slug) values ('World 071', 'world-071')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());
select id as pro from tutela.plans where code = 'professional' \gset
insert into tutela.plans (code, name) values ('legacy_071', 'Legacy');
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'pro', :'u_guardian', 'cancelled') returning id as sub \gset

prepare ins_plan as
insert into tutela.plans (code, name, entitlements)
values ('hacked_071', 'Hacked', '{"quick_actions_limit": 99}');
prepare upd_plan as
update tutela.plans set entitlements = '{"quick_actions_limit": 99}' where code = 'free';
prepare del_plan as delete from tutela.plans where code = 'legacy_071';
prepare ins_sub as
insert into tutela.subscriptions (plan_id, student_id) values (:'pro', :'student');
prepare upd_sub as update tutela.subscriptions set status = 'active' where id = :'sub';
prepare del_sub as delete from tutela.subscriptions where id = :'sub';

select tutela_tests.authenticate_as(:'u_student');
select throws_ok('ins_plan', '42501', null, 'student: insert a plan refused');
select throws_ok('upd_plan', '42501', null, 'student: update a plan refused');
select throws_ok('del_plan', '42501', null, 'student: delete a plan refused');
select throws_ok('ins_sub', '42501', null, 'student: subscribe themself refused');
select throws_ok('upd_sub', '42501', null, 'student: update a subscription refused');
select throws_ok('del_sub', '42501', null, 'student: delete a subscription refused');

select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('ins_plan', '42501', null, 'guardian: insert a plan refused');
select throws_ok('upd_plan', '42501', null, 'guardian: update a plan refused');
select throws_ok('del_plan', '42501', null, 'guardian: delete a plan refused');
select throws_ok('ins_sub', '42501', null, 'guardian: subscribe the child refused');
select throws_ok(
  'upd_sub', '42501', null, 'guardian: reactivate their own family subscription refused'
);
select throws_ok(
  'del_sub', '42501', null, 'guardian: delete their own family subscription refused'
);

select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('ins_plan', '42501', null, 'organisation admin: insert a plan refused');
select throws_ok('upd_plan', '42501', null, 'organisation admin: update a plan refused');
select throws_ok('del_plan', '42501', null, 'organisation admin: delete a plan refused');
select throws_ok('ins_sub', '42501', null, 'organisation admin: subscribe a student refused');
select throws_ok('upd_sub', '42501', null, 'organisation admin: update a subscription refused');
select throws_ok('del_sub', '42501', null, 'organisation admin: delete a subscription refused');

select tutela_tests.as_anon();
select throws_ok('ins_plan', '42501', null, 'anon: insert a plan refused');
select throws_ok('upd_plan', '42501', null, 'anon: update a plan refused');
select throws_ok('del_plan', '42501', null, 'anon: delete a plan refused');
select throws_ok('ins_sub', '42501', null, 'anon: insert a subscription refused');
select throws_ok('upd_sub', '42501', null, 'anon: update a subscription refused');
select throws_ok('del_sub', '42501', null, 'anon: delete a subscription refused');

select tutela_tests.as_service_role();
select lives_ok('ins_plan', 'service role: inserts a plan');
select lives_ok('upd_plan', 'service role: updates a plan');
select lives_ok('del_plan', 'service role: deletes a plan');
select lives_ok('ins_sub', 'service role: inserts a subscription');
select lives_ok('upd_sub', 'service role: updates a subscription');
select lives_ok('del_sub', 'service role: deletes a subscription');

select * from finish();
rollback;
