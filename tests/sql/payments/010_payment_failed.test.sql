-- A FAILED callback records a failed payment (with the provider's reason, covering nothing)
-- and leaves the paid period alone. An active or trialing subscription becomes past_due
-- (access continues until access_until); a paused or ended one keeps its status. A failed
-- payment needs no price match: no money moved.
begin;
select plan(9);

select tutela_tests.create_user('payer-p010@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '1 day', now() + interval '1 day')
returning id as s_active \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'trialing', null, now() + interval '1 day')
returning id as s_trial \gset
insert into tutela.subscriptions (
  plan_id, guardian_id, status, access_until, next_billing_at, paused_at
)
values (
  :'starter', :'u_payer', 'paused', now() + interval '1 day', now() + interval '1 day', now()
)
returning id as s_paused \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'cancelled', now() - interval '1 day', null)
returning id as s_cancelled \gset

prepare fail (text, uuid) as
select tutela.record_payment_event('mobile_money', $1, jsonb_build_object(
  'transaction_id', 'tx-' || $1, 'status', 'FAILED', 'amount', '5.00', 'currency', 'UGX',
  'msisdn', '+256700000010', 'external_reference', $2, 'timestamp', '2026-11-22T10:00:00Z',
  'reason', 'PAYER_DECLINED'
)) ->> 'status';

select tutela_tests.as_service_role();
select results_eq(
  format($$execute fail('f-active', %L)$$, :'s_active'), $$values ('applied')$$,
  'active: the failure is applied'
);
select results_eq(
  format($$execute fail('f-trial', %L)$$, :'s_trial'), $$values ('applied')$$,
  'trialing: applied'
);
select results_eq(
  format($$execute fail('f-paused', %L)$$, :'s_paused'), $$values ('applied')$$,
  'paused: applied'
);
select results_eq(
  format($$execute fail('f-cancelled', %L)$$, :'s_cancelled'), $$values ('applied')$$,
  'cancelled: applied (a failed payment of an ended subscription is recorded)'
);
select tutela_tests.clear_authentication();

select results_eq(
  format(
    $$select status, access_until, next_billing_at from tutela.subscriptions
      where id = %L$$, :'s_active'
  ),
  $$values ('past_due', now() + interval '1 day', now() + interval '1 day')$$,
  'active -> past_due, the period untouched'
);
select is(
  (select status from tutela.subscriptions where id = :'s_trial'), 'past_due',
  'trialing -> past_due'
);
select is(
  (select status from tutela.subscriptions where id = :'s_paused'), 'paused',
  'paused stays paused'
);
select is(
  (select status from tutela.subscriptions where id = :'s_cancelled'), 'cancelled',
  'cancelled stays cancelled'
);
select results_eq(
  $$select distinct status, failure_reason, amount_cents, currency, covers_until
    from tutela.payments$$,
  $$values ('failed', 'PAYER_DECLINED', 500::bigint, 'UGX', null::timestamptz)$$,
  'four failed payments: the reason, the amount as reported, covering nothing'
);

select * from finish();
rollback;
