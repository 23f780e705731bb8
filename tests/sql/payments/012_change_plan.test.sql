-- change_plan moves a subscription to another active plan at once: the entitlements follow at
-- once, the paid period and next billing date stay (no proration), an audit row records old
-- and new plan. TU422 for an unknown, inactive or missing plan code; TU409 `same_plan` and
-- `subscription_ended` (cancelled, expired); TU403 for an unknown subscription. A paused or
-- past-due subscription may change plan and keeps its status.
begin;
select plan(16);

select tutela_tests.create_user('payer-p012@world.test') as u_payer \gset
insert into tutela.organizations (name, slug) values ('World P012', 'world-p012')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as student \gset
-- the payer is the child's guardian (a payer acts only while linked: 020)
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_payer', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
select id as pro from tutela.plans where code = 'professional' \gset
insert into tutela.plans (code, name, is_active) values ('retired_p012', 'Retired', false);
insert into tutela.subscriptions (
  plan_id, student_id, paid_by, status, access_until, next_billing_at
)
values (
  :'starter', :'student', :'u_payer', 'active', now() + interval '9 days',
  now() + interval '9 days'
)
returning id as sub \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, paused_at)
values (:'starter', :'u_payer', 'paused', now()) returning id as s_paused \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_payer', 'past_due') returning id as s_past_due \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_payer', 'cancelled') returning id as s_cancelled \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_payer', 'expired') returning id as s_expired \gset

select is(
  tutela_private.student_entitlements(:'student') ->> 'tier', 'starter', 'before: starter'
);

select tutela_tests.authenticate_as(:'u_payer');
select results_eq(
  format($$select plan_id, status from tutela.change_plan(%L, 'professional')$$, :'sub'),
  format($$values (%L::uuid, 'active')$$, :'pro'),
  'the payer moves to professional: the row returned'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select plan_id, access_until, next_billing_at from tutela.subscriptions where id = %L$$,
    :'sub'
  ),
  format(
    $$values (%L::uuid, now() + interval '9 days', now() + interval '9 days')$$, :'pro'
  ),
  'stored; the paid period and the next billing date stay'
);
select is(
  tutela_private.student_entitlements(:'student') ->> 'tier', 'professional',
  'the entitlements follow at once'
);
select results_eq(
  $$select action, actor_id, student_id, subject_user_id, old_values ->> 'plan',
      new_values ->> 'plan', organization_id
    from tutela.link_events where action like 'subscription%'$$,
  format(
    $$values ('subscription_plan_changed', %L::uuid, %L::uuid, %L::uuid, 'starter',
      'professional', null::uuid)$$,
    :'u_payer', :'student', :'u_payer'
  ),
  'audited: who, which student, the payer, old and new plan; not shown to the organisation'
);

select tutela_tests.authenticate_as(:'u_payer');
select throws_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'sub'), 'TU409', null,
  'the plan in force again: TU409 (same_plan)'
);
select throws_ok(
  format($$select tutela.change_plan(%L, 'platinum')$$, :'sub'), 'TU422', null,
  'an unknown plan code: TU422'
);
select throws_ok(
  format($$select tutela.change_plan(%L, 'retired_p012')$$, :'sub'), 'TU422', null,
  'an inactive plan: TU422'
);
select throws_ok(
  format($$select tutela.change_plan(%L, null)$$, :'sub'), 'TU422', null,
  'no plan code: TU422'
);
select throws_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'s_cancelled'), 'TU409', null,
  'a cancelled subscription: TU409 (subscription_ended)'
);
select throws_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'s_expired'), 'TU409', null,
  'an expired subscription: TU409 (subscription_ended)'
);
select throws_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, gen_random_uuid()), 'TU403', null,
  'an unknown subscription: TU403'
);
select throws_ok(
  $$select tutela.change_plan(null, 'professional')$$, 'TU403', null,
  'no subscription id: TU403'
);
select results_eq(
  format($$select status from tutela.change_plan(%L, 'professional')$$, :'s_paused'),
  $$values ('paused')$$,
  'a paused subscription changes plan and stays paused'
);
select results_eq(
  format($$select status from tutela.change_plan(%L, 'professional')$$, :'s_past_due'),
  $$values ('past_due')$$,
  'a past-due subscription changes plan and stays past_due'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela.link_events where action = 'subscription_plan_changed'),
  3, 'one audit row per change, none for the refusals'
);

select * from finish();
rollback;
