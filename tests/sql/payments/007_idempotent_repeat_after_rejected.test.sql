-- A rejected event is an outcome too: its repeat returns 'rejected' again, even when the
-- repeat's payload would be valid, and changes nothing. The provider sends a corrected
-- callback under a new event id, which is applied.
begin;
select plan(8);

select tutela_tests.create_user('payer-p007@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '1 day', now() + interval '1 day')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P007', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000007', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset

select (:'cb'::jsonb - 'amount')::text as no_amount
\gset

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p007', :'no_amount')::text as r1
\gset
select tutela.record_payment_event('mobile_money', 'evt-p007', :'cb'::jsonb)::text as r2
\gset
select tutela_tests.clear_authentication();

select is(:'r1'::jsonb ->> 'status', 'rejected', 'no amount: rejected');
select is(:'r1'::jsonb ->> 'error', 'missing_field: amount is required', 'the error names it');
select is(
  :'r2'::jsonb - 'replayed', :'r1'::jsonb - 'replayed',
  'the repeat with a valid payload: the first outcome, rejected'
);
select is(count(*)::integer, 0, 'no payment') from tutela.payments;
select is(
  (select access_until from tutela.subscriptions where id = :'sub'), now() + interval '1 day',
  'the subscription is unchanged'
);

select tutela_tests.as_service_role();
select tutela.record_payment_event('mobile_money', 'evt-p007-fixed', :'cb'::jsonb)::text as r3
\gset
select tutela_tests.clear_authentication();
select is(:'r3'::jsonb ->> 'status', 'applied', 'the corrected callback, new event id: applied');
select is(
  (select access_until from tutela.subscriptions where id = :'sub'),
  now() + interval '1 day' + interval '1 month',
  'extended once'
);
select results_eq(
  $$select event_id, status from tutela.payment_events order by received_at, event_id$$,
  $$values ('evt-p007', 'rejected'), ('evt-p007-fixed', 'applied')$$,
  'two events: the rejected one and the applied one'
);

select * from finish();
rollback;
