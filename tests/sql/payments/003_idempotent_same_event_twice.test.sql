-- Idempotency: the same callback delivered twice, three times, returns the first outcome
-- (replayed: true) and changes nothing: one event row, one payment, the period extended once.
begin;
select plan(12);

select tutela_tests.create_user('payer-p003@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '2 days', now() + interval '2 days')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P003', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000003', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p003', :'cb'::jsonb)::text as first
\gset
select tutela.record_payment_event('mobile_money', 'evt-p003', :'cb'::jsonb)::text as second
\gset
select tutela.record_payment_event('mobile_money', 'evt-p003', :'cb'::jsonb)::text as third
\gset
select tutela_tests.clear_authentication();

select is(:'first'::jsonb ->> 'status', 'applied', 'the first delivery is applied');
select is(:'first'::jsonb ->> 'replayed', 'false', 'the first delivery is not a replay');
select is(:'second'::jsonb ->> 'replayed', 'true', 'the second delivery is a replay');
select is(:'third'::jsonb ->> 'replayed', 'true', 'the third delivery is a replay');
select is(
  :'second'::jsonb - 'replayed', :'first'::jsonb - 'replayed',
  'the repeat returns the first outcome (same event, status, payment, times)'
);
select is(
  :'third'::jsonb - 'replayed', :'first'::jsonb - 'replayed',
  'and so does the third delivery'
);
select is(count(*)::integer, 1, 'one event row') from tutela.payment_events;
select is(count(*)::integer, 1, 'one payment') from tutela.payments;
select is(
  (select access_until from tutela.subscriptions where id = :'sub'),
  now() + interval '2 days' + interval '1 month',
  'access_until extended once, not twice'
);
select is(
  (select next_billing_at from tutela.subscriptions where id = :'sub'),
  now() + interval '2 days' + interval '1 month',
  'next_billing_at moved once'
);
select is(
  (select status from tutela.payment_events), 'applied',
  'the stored event keeps its first status'
);

-- the same event id from another provider is another event
select tutela_tests.as_service_role();
select is(
  tutela.record_payment_event('other_pay', 'evt-p003', :'cb'::jsonb) ->> 'replayed', 'false',
  'the key is (provider, event id): another provider''s evt-p003 is a new event'
);

select * from finish();
rollback;
