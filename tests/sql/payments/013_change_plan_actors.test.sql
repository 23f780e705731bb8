-- Who may change a plan: the payer named in paid_by, the guardian of a family subscription,
-- and the service role (back office). Refused with TU403: another guardian of the same child,
-- the student, a stranger, and a family guardian on someone else's subscription. anon: 42501.
-- A token without a user: TU401.
begin;
select plan(12);

select tutela_tests.create_user('payer-p013@world.test') as u_payer \gset
select tutela_tests.create_user('other-guardian-p013@world.test') as u_other \gset
select tutela_tests.create_user('family-p013@world.test') as u_family \gset
select tutela_tests.create_user('student-p013@world.test') as u_student \gset
select tutela_tests.create_user('stranger-p013@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World P013', 'world-p013', 5)
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Child', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_payer', 'active', 'staff', now()),
(:'student', :'u_other', 'active', 'staff', now()),
(:'student', :'u_family', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
select id as pro from tutela.plans where code = 'professional' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_family', 'active') returning id as family_sub \gset

prepare to_pro as select tutela.change_plan(:'sub', 'professional');
prepare to_starter as select tutela.change_plan(:'sub', 'starter');
prepare family_to_pro as select tutela.change_plan(:'family_sub', 'professional');

select tutela_tests.as_anon();
select throws_ok('to_pro', '42501', null, 'anon: 42501');
select tutela_tests.authenticate_as(:'u_other');
select throws_ok('to_pro', 'TU403', null, 'another guardian of the child: TU403');
select throws_ok('family_to_pro', 'TU403', null, 'another guardian''s family plan: TU403');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('to_pro', 'TU403', null, 'the student (who does not pay): TU403');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('to_pro', 'TU403', null, 'a stranger: TU403');
select tutela_tests.authenticate_as(:'u_family');
select throws_ok('to_pro', 'TU403', null, 'a family guardian on a plan they do not pay: TU403');
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true) is not null as x
\gset
select set_config('role', 'authenticated', true) is not null as x
\gset
select throws_ok('to_pro', 'TU401', null, 'a token without a user: TU401');
select tutela_tests.clear_authentication();
select is(
  (select plan_id from tutela.subscriptions where id = :'sub'), :'starter'::uuid,
  'the refused calls changed nothing'
);

select tutela_tests.authenticate_as(:'u_payer');
select lives_ok('to_pro', 'the payer (paid_by): allowed');
select tutela_tests.authenticate_as(:'u_family');
select lives_ok('family_to_pro', 'the guardian of a family subscription: allowed');
select tutela_tests.as_service_role();
select lives_ok('to_starter', 'the service role: allowed');
select tutela_tests.clear_authentication();
select results_eq(
  $$select actor_role, new_values ->> 'plan' from tutela.link_events
    where action = 'subscription_plan_changed' order by occurred_at, actor_role$$,
  $$values ('payer', 'professional'), ('payer', 'professional'),
    ('service_role', 'starter')$$,
  'each change audited with the actor''s role'
);

select * from finish();
rollback;
