-- Where a successful payment's month (or year) starts: at the end of the paid period when it
-- has not run out; at the payment when it has (an expired subscription comes back to life);
-- at next_billing_at for a trial without access_until; at the pause for a paused
-- subscription, which stays paused. A yearly plan adds a year.
begin;
select plan(10);

select tutela_tests.create_user('payer-p002@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.plans (code, name, rank, price_cents, currency, billing_interval)
values ('yearly_p002', 'Yearly', 1, 9900, 'USD', 'year') returning id as yearly \gset
-- every subscription is a family subscription of the payer
insert into tutela.subscriptions (
  plan_id, guardian_id, status, access_until, next_billing_at, paused_at
)
values (
  :'starter', :'u_payer', 'expired', now() - interval '10 days', now() - interval '10 days',
  null
)
returning id as s_expired \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'trialing', null, now() + interval '5 days')
returning id as s_trial \gset
insert into tutela.subscriptions (
  plan_id, guardian_id, status, access_until, next_billing_at, paused_at
)
values (
  :'starter', :'u_payer', 'paused', now() + interval '4 days', now() + interval '4 days',
  now() - interval '2 days'
)
returning id as s_paused \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'yearly', :'u_payer', 'active', now() + interval '1 day', now() + interval '1 day')
returning id as s_yearly \gset

prepare pay (text, uuid, text) as
select tutela.record_payment_event('mobile_money', $1, jsonb_build_object(
  'transaction_id', 'tx-' || $1, 'status', 'SUCCESSFUL', 'amount', $3, 'currency', 'USD',
  'msisdn', '+256700000002', 'external_reference', $2, 'timestamp', '2026-11-22T10:00:00Z'
)) ->> 'status';

select tutela_tests.as_service_role();
select results_eq(
  format($$execute pay('e-expired', %L, '9.00')$$, :'s_expired'), $$values ('applied')$$,
  'expired subscription: applied'
);
select results_eq(
  format($$execute pay('e-trial', %L, '9.00')$$, :'s_trial'), $$values ('applied')$$,
  'trial: applied'
);
select results_eq(
  format($$execute pay('e-paused', %L, '9.00')$$, :'s_paused'), $$values ('applied')$$,
  'paused subscription: applied'
);
select results_eq(
  format($$execute pay('e-yearly', %L, '99.00')$$, :'s_yearly'), $$values ('applied')$$,
  'yearly plan: applied'
);
select tutela_tests.clear_authentication();

select results_eq(
  format(
    $$select status, access_until, next_billing_at from tutela.subscriptions
      where id = %L$$, :'s_expired'
  ),
  $$values ('active', now() + interval '1 month', now() + interval '1 month')$$,
  'expired: active again, one month from the payment'
);
select results_eq(
  format(
    $$select status, access_until, next_billing_at from tutela.subscriptions
      where id = %L$$, :'s_trial'
  ),
  $$values ('active', now() + interval '5 days' + interval '1 month',
    now() + interval '5 days' + interval '1 month')$$,
  'trial: active, one month from the end of the trial (next_billing_at)'
);
select results_eq(
  format(
    $$select status, access_until, next_billing_at, paused_at from tutela.subscriptions
      where id = %L$$, :'s_paused'
  ),
  $$values ('paused', now() + interval '4 days' + interval '1 month',
    now() + interval '4 days' + interval '1 month', now() - interval '2 days')$$,
  'paused: stays paused, the paid time grows by one month'
);
select results_eq(
  format(
    $$select status, access_until from tutela.subscriptions where id = %L$$, :'s_yearly'
  ),
  $$values ('active', now() + interval '1 day' + interval '1 year')$$,
  'yearly plan: one year more'
);
select is(
  (select covers_until from tutela.payments where provider_event_id = 'e-yearly'),
  now() + interval '1 day' + interval '1 year',
  'the payment records the end of the period it paid for'
);
select is(
  (select plan_id from tutela.payments where provider_event_id = 'e-yearly'), :'yearly'::uuid,
  'the payment records the plan it paid for'
);

select * from finish();
rollback;
