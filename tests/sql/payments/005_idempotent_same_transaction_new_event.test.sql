-- One payment per provider transaction: a callback with a new event id but a transaction
-- already recorded (a provider re-sending under a new notification id) is stored as
-- 'duplicate' and credits nothing. One that contradicts the recorded transaction (another
-- status or amount) is stored as 'rejected' for the back office, and changes nothing.
begin;
select plan(12);

select tutela_tests.create_user('payer-p005@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '2 days', now() + interval '2 days')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P005', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000005', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p005-a', :'cb'::jsonb)::text as first
\gset
select tutela.record_payment_event('mobile_money', 'evt-p005-b', :'cb'::jsonb)::text as dup
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p005-c', :'cb'::jsonb || '{"status": "FAILED"}'
  )::text as flip
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p005-d', :'cb'::jsonb || '{"amount": "90.00"}'
  )::text as bigger
\gset
select tutela.record_payment_event('mobile_money', 'evt-p005-b', :'cb'::jsonb)::text as dup2
\gset
select tutela_tests.clear_authentication();

select is(:'first'::jsonb ->> 'status', 'applied', 'the first event of the transaction: applied');
select is(:'dup'::jsonb ->> 'status', 'duplicate', 'a new event, same transaction: duplicate');
select is(:'dup'::jsonb ->> 'replayed', 'false', 'the duplicate is a new event, not a replay');
select is(
  :'dup'::jsonb ->> 'payment_id', :'first'::jsonb ->> 'payment_id',
  'the duplicate names the payment already recorded'
);
select is(:'flip'::jsonb ->> 'status', 'rejected', 'the same transaction as FAILED: rejected');
select ok(
  :'flip'::jsonb ->> 'error' like 'conflicting_transaction:%',
  'the error says the transaction is already recorded otherwise'
);
select is(:'bigger'::jsonb ->> 'status', 'rejected', 'the same transaction, another amount');
select is(
  :'dup2'::jsonb - 'replayed', :'dup'::jsonb - 'replayed',
  'the duplicate event repeated: its own first outcome'
);
select is(count(*)::integer, 1, 'one payment for the transaction') from tutela.payments;
select results_eq(
  $$select event_id, status from tutela.payment_events order by event_id$$,
  $$values ('evt-p005-a', 'applied'), ('evt-p005-b', 'duplicate'),
    ('evt-p005-c', 'rejected'), ('evt-p005-d', 'rejected')$$,
  'every event is stored once, with its outcome'
);
select results_eq(
  format(
    $$select status, access_until from tutela.subscriptions where id = %L$$, :'sub'
  ),
  $$values ('active', now() + interval '2 days' + interval '1 month')$$,
  'credited once: neither the duplicate nor the contradictions changed the subscription'
);
select is(
  (select count(*)::integer from tutela.payment_events where subscription_id = :'sub'), 4,
  'every event is linked to the subscription it named'
);

select * from finish();
rollback;
