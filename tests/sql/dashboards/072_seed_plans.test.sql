-- seed_plans(): the service role inserts the default plans (free, starter, professional) when
-- they are missing and returns the number of plans; it never overwrites a configured plan.
-- anon and signed-in users have no grant (42501).
begin;
select plan(8);

select tutela_tests.create_user('student-072@world.test') as u_student \gset
select tutela_tests.create_user('stranger-072@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('World 072', 'world-072')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student');

prepare seed as select tutela.seed_plans();

select tutela_tests.as_anon();
select throws_ok('seed', '42501', null, 'anon may not seed plans');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('seed', '42501', null, 'a student may not seed plans');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('seed', '42501', null, 'a signed-in stranger may not seed plans');

-- an operator configures the free plan, removes the starter plan and adds one of their own
select tutela_tests.clear_authentication();
update tutela.plans
set
  name = 'Free forever',
  price_cents = 100,
  entitlements = '{"quick_actions_limit": 1, "score_history_days": 7}'
where code = 'free';
delete from tutela.plans where code = 'starter';
insert into tutela.plans (code, name, rank) values ('school_072', 'School', 3);
select row(name, price_cents, entitlements) as configured_free
from tutela.plans where code = 'free' \gset

select tutela_tests.as_service_role();
select is(tutela.seed_plans(), 4, 'the service role seeds; the result counts every plan');
select is(
  (select row(name, price_cents, entitlements)::text from tutela.plans where code = 'free'),
  :'configured_free',
  'the configured free plan is not overwritten'
);
select results_eq(
  $$select name, rank, price_cents, entitlements from tutela.plans where code = 'starter'$$,
  $$values (
    'Starter', 1::smallint, 900,
    '{"next_billing_date": true, "quick_actions_limit": 5, "reviewer_feedback_detail": false,
      "session_analysis": true, "score_history_days": 90}'::jsonb
  )$$,
  'the missing starter plan is inserted with its defaults'
);
select is(
  (select count(*)::integer from tutela.plans where code in ('free', 'starter', 'professional')),
  3,
  'one row per default plan: nothing duplicated'
);
select is(tutela.seed_plans(), 4, 'seeding again changes nothing');

select * from finish();
rollback;
