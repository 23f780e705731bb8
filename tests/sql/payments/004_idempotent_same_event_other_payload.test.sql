-- Idempotency: a repeat of an event id with another payload (another amount, status or
-- transaction, as a confused or malicious sender might send) still returns the first outcome
-- and changes nothing: the stored payload stays the first one, no second payment, the period
-- is not touched again.
begin;
select plan(9);

select tutela_tests.create_user('payer-p004@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '2 days', now() + interval '2 days')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P004', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000004', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p004', :'cb'::jsonb)::text as first
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p004', :'cb'::jsonb || '{"transaction_id": "MM-P004-X"}'
  )::text as other_txn
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p004', :'cb'::jsonb || '{"status": "FAILED"}'
  )::text as other_status
\gset
select tutela.record_payment_event('mobile_money', 'evt-p004', '{"bad": 1}')::text as garbage
\gset
select tutela.record_payment_event('mobile_money', 'evt-p004', null)::text as nothing
\gset
select tutela_tests.clear_authentication();

select is(
  :'other_txn'::jsonb - 'replayed', :'first'::jsonb - 'replayed',
  'another transaction id under the same event id: the first outcome'
);
select is(
  :'other_status'::jsonb - 'replayed', :'first'::jsonb - 'replayed',
  'another status under the same event id: the first outcome'
);
select is(
  :'garbage'::jsonb - 'replayed', :'first'::jsonb - 'replayed',
  'a malformed payload under the same event id: the first outcome'
);
select is(
  :'nothing'::jsonb - 'replayed', :'first'::jsonb - 'replayed',
  'no payload under the same event id: the first outcome'
);
select is(count(*)::integer, 1, 'one event row') from tutela.payment_events;
select is(
  (select payload from tutela.payment_events), :'cb'::jsonb,
  'the stored payload is the first one'
);
select results_eq(
  $$select provider_reference, status from tutela.payments$$,
  $$values ('MM-P004', 'succeeded')$$,
  'one payment, the first one'
);
select results_eq(
  format(
    $$select status, access_until from tutela.subscriptions where id = %L$$, :'sub'
  ),
  $$values ('active', now() + interval '2 days' + interval '1 month')$$,
  'the subscription was changed once, by the first delivery'
);
select is(
  (select count(*)::integer from tutela.payments where status = 'failed'), 0,
  'the FAILED repeat did not record a failed payment'
);

select * from finish();
rollback;
