-- A valid mobile-money callback (status SUCCESSFUL, the plan's price and currency, the
-- subscription id as external_reference) is applied: one payment row mapped from the payload,
-- access_until and next_billing_at one billing interval further, status active, the event
-- stored as applied, and the outcome returned to the caller.
begin;
select plan(17);

select tutela_tests.create_user('payer-p001@world.test') as u_payer \gset
insert into tutela.organizations (name, slug) values ('World P001', 'world-p001')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_payer', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (
  plan_id, student_id, paid_by, status, access_until, next_billing_at
)
values (
  :'starter', :'student', :'u_payer', 'past_due', now() + interval '3 days',
  now() + interval '3 days'
)
returning id as sub \gset

select
  jsonb_build_object(
    'transaction_id', 'MM-P001', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772123456', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:15:00+03:00'
  )::text as cb
\gset

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p001', :'cb'::jsonb)::text as outcome
\gset
select tutela_tests.clear_authentication();

select is(:'outcome'::jsonb ->> 'status', 'applied', 'the outcome: applied');
select is(:'outcome'::jsonb ->> 'replayed', 'false', 'the outcome: a first delivery');
select is(:'outcome'::jsonb ->> 'payment_status', 'succeeded', 'the outcome: a succeeded payment');
select is(
  (:'outcome'::jsonb ->> 'subscription_id')::uuid, :'sub'::uuid,
  'the outcome names the subscription'
);
select is(:'outcome'::jsonb ->> 'error', null, 'the outcome: no error');
select is(
  :'outcome'::jsonb ->> 'provider_event_id', 'evt-p001', 'the outcome names the event'
);

select is(count(*)::integer, 1, 'one payment') from tutela.payments;
select results_eq(
  $$select subscription_id, plan_id, payer_id, provider, provider_event_id,
      provider_reference, amount_cents, currency, status, account_hint, failure_reason,
      paid_at, covers_until, raw_payload
    from tutela.payments$$,
  format(
    $$values (%L::uuid, %L::uuid, %L::uuid, 'mobile_money', 'evt-p001', 'MM-P001',
      900::bigint, 'USD', 'succeeded', '****3456', null::text,
      '2026-11-22T07:15:00Z'::timestamptz,
      (now() + interval '3 days' + interval '1 month')::timestamptz, %L::jsonb)$$,
    :'sub', :'starter', :'u_payer', :'cb'
  ),
  'the payment maps the payload: reference, cents, currency, masked msisdn, paid_at, payer'
);
select is(
  (select p.id from tutela.payments as p), (:'outcome'::jsonb ->> 'payment_id')::uuid,
  'the outcome names the payment'
);

select results_eq(
  $$select status, access_until, next_billing_at, paused_at from tutela.subscriptions$$,
  $$values ('active', now() + interval '3 days' + interval '1 month',
    now() + interval '3 days' + interval '1 month', null::timestamptz)$$,
  'the paid period runs on from its end by one month; status active again'
);

select is(count(*)::integer, 1, 'one event row') from tutela.payment_events;
select results_eq(
  $$select provider, event_id, payload, status, error, subscription_id, payment_id,
      applied_at is not null
    from tutela.payment_events$$,
  format(
    $$values ('mobile_money', 'evt-p001', %L::jsonb, 'applied', null::text, %L::uuid,
      %L::uuid, true)$$,
    :'cb', :'sub', :'outcome'::jsonb ->> 'payment_id'
  ),
  'the event is stored with its payload, applied, linked to the subscription and the payment'
);
select is(
  (:'outcome'::jsonb ->> 'event_id')::uuid, (select e.id from tutela.payment_events as e),
  'the outcome names the stored event'
);

-- a number amount works as well as a string
select
  jsonb_build_object(
    'transaction_id', 'MM-P001-B', 'status', 'SUCCESSFUL', 'amount', 9,
    'currency', 'USD', 'msisdn', '256772000001', 'external_reference', :'sub',
    'timestamp', '2026-12-22T10:15:00Z'
  )::text as cb2
\gset
select tutela_tests.as_service_role();
select is(
  tutela.record_payment_event('mobile_money', 'evt-p001-b', :'cb2'::jsonb) ->> 'status',
  'applied', 'a numeric amount (9) is applied'
);
select tutela_tests.clear_authentication();
select is(
  (select amount_cents from tutela.payments where provider_reference = 'MM-P001-B'), 900::bigint,
  'the numeric amount in cents'
);
select is(
  (select access_until from tutela.subscriptions),
  now() + interval '3 days' + interval '2 months',
  'the second payment extends the period once more'
);
select is(
  (select account_hint from tutela.payments where provider_reference = 'MM-P001-B'), '****0001',
  'a msisdn without + is masked the same way'
);

select * from finish();
rollback;
