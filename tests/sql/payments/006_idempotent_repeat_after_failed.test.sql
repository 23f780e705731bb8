-- Idempotency after a failure: a FAILED callback records a failed payment and marks the
-- subscription past_due. Its repeat returns the same outcome and changes nothing; a SUCCESSFUL
-- callback for the same failed transaction is rejected (the back office decides); the payer's
-- retry, a new transaction, is applied once, however often it is delivered.
begin;
select plan(13);

select tutela_tests.create_user('payer-p006@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '1 day', now() + interval '1 day')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P006-1', 'status', 'FAILED', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000006', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z', 'reason', 'INSUFFICIENT_FUNDS'
  )::text as failed
\gset

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p006-1', :'failed'::jsonb)::text as f1
\gset
select tutela.record_payment_event('mobile_money', 'evt-p006-1', :'failed'::jsonb)::text as f2
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p006-1', :'failed'::jsonb || '{"status": "SUCCESSFUL"}'
  )::text as f3
\gset
select tutela_tests.clear_authentication();

select is(:'f1'::jsonb ->> 'status', 'applied', 'the failed callback is applied');
select is(:'f1'::jsonb ->> 'payment_status', 'failed', 'as a failed payment');
select is(
  :'f2'::jsonb - 'replayed', :'f1'::jsonb - 'replayed', 'its repeat: the first outcome'
);
select is(
  :'f3'::jsonb - 'replayed', :'f1'::jsonb - 'replayed',
  'its repeat turned SUCCESSFUL under the same event id: still the first outcome'
);
select results_eq(
  format(
    $$select status, access_until from tutela.subscriptions where id = %L$$, :'sub'
  ),
  $$values ('past_due', now() + interval '1 day')$$,
  'past_due once, the paid period untouched'
);

-- the same failed transaction reported SUCCESSFUL under a new event id: rejected
select tutela_tests.as_service_role();
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p006-2', :'failed'::jsonb || '{"status": "SUCCESSFUL"}'
  )::text as flip
\gset
select tutela_tests.clear_authentication();
select is(:'flip'::jsonb ->> 'status', 'rejected', 'a failed transaction turned SUCCESSFUL');
select is(
  (select status from tutela.subscriptions where id = :'sub'), 'past_due',
  'the rejected event changed nothing'
);

-- the payer retries: a new transaction, delivered twice
select tutela_tests.as_service_role();
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p006-3',
    :'failed'::jsonb || '{"transaction_id": "MM-P006-2", "status": "SUCCESSFUL"}'
  )::text as ok1
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'evt-p006-3',
    :'failed'::jsonb || '{"transaction_id": "MM-P006-2", "status": "SUCCESSFUL"}'
  )::text as ok2
\gset
select tutela_tests.clear_authentication();
select is(:'ok1'::jsonb ->> 'status', 'applied', 'the retry is applied');
select is(:'ok2'::jsonb ->> 'replayed', 'true', 'the retry''s repeat is a replay');
select results_eq(
  format(
    $$select status, access_until from tutela.subscriptions where id = %L$$, :'sub'
  ),
  $$values ('active', now() + interval '1 day' + interval '1 month')$$,
  'active again, extended once'
);
select results_eq(
  $$select provider_reference, status, failure_reason from tutela.payments
    order by provider_reference$$,
  $$values ('MM-P006-1', 'failed', 'INSUFFICIENT_FUNDS'),
    ('MM-P006-2', 'succeeded', null)$$,
  'one failed and one succeeded payment'
);
select is(count(*)::integer, 3, 'three events stored') from tutela.payment_events;
select is(
  (select covers_until from tutela.payments where provider_reference = 'MM-P006-1'), null,
  'a failed payment covers nothing'
);

select * from finish();
rollback;
