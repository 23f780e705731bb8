-- Direct table access. payments: a payer selects their own rows through RLS, by named
-- columns; raw_payload and provider_event_id are not granted (42501); others see no rows;
-- nobody but the service role writes (42501), and the service role never deletes.
-- payment_events: no grant for anon or any user (42501); the service role reads, but writes
-- only through record_payment_event.
begin;
select plan(17);

select tutela_tests.create_user('payer-p017@world.test') as u_payer \gset
select tutela_tests.create_user('other-p017@world.test') as u_other \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_payer', 'active') returning id as sub \gset
insert into tutela.payments (
  subscription_id, plan_id, payer_id, provider, provider_event_id, provider_reference,
  amount_cents, currency, status, paid_at, raw_payload
)
values (
  :'sub', :'starter', :'u_payer', 'mobile_money', 'e1', 'T1', 900, 'USD', 'succeeded', now(),
  '{"msisdn": "+256772000017"}'
)
returning id as payment \gset
insert into tutela.payment_events (provider, event_id, payload, status, applied_at)
values ('mobile_money', 'e1', '{}', 'applied', now());

prepare own_rows as
select
  id,
  amount_cents,
  status
from tutela.payments;
prepare raw as select raw_payload from tutela.payments;
prepare event_id as select provider_event_id from tutela.payments;
prepare ins_payment as
insert into tutela.payments (
  subscription_id, payer_id, provider, provider_event_id, provider_reference, amount_cents,
  currency, status, paid_at, raw_payload
)
values (:'sub', :'u_payer', 'mobile_money', 'e9', 'T9', 900, 'USD', 'succeeded', now(), '{}');
prepare upd_payment as update tutela.payments set status = 'refunded' where id = :'payment';
prepare del_payment as delete from tutela.payments where id = :'payment';
prepare events as select * from tutela.payment_events;
prepare ins_event as
insert into tutela.payment_events (provider, event_id, status, error)
values ('mobile_money', 'e9', 'rejected', 'x');

select tutela_tests.authenticate_as(:'u_payer');
select results_eq(
  'own_rows', format($$values (%L::uuid, 900::bigint, 'succeeded')$$, :'payment'),
  'the payer reads their payment'
);
select throws_ok('raw', '42501', null, 'the payer: raw_payload not granted');
select throws_ok('event_id', '42501', null, 'the payer: provider_event_id not granted');
select throws_ok('ins_payment', '42501', null, 'the payer: insert refused');
select throws_ok('upd_payment', '42501', null, 'the payer: update (a refund) refused');
select throws_ok('del_payment', '42501', null, 'the payer: delete refused');
select throws_ok('events', '42501', null, 'the payer: payment_events refused');
select throws_ok('ins_event', '42501', null, 'the payer: writing payment_events refused');

select tutela_tests.authenticate_as(:'u_other');
select is_empty('own_rows', 'another user sees no payment');

select tutela_tests.as_anon();
select throws_ok('own_rows', '42501', null, 'anon: payments refused');
select throws_ok('events', '42501', null, 'anon: payment_events refused');

select tutela_tests.as_service_role();
select results_eq(
  'raw', $$values ('{"msisdn": "+256772000017"}'::jsonb)$$,
  'the service role reads every column'
);
select is(
  (select count(*)::integer from tutela.payment_events), 1, 'the service role reads the events'
);
select lives_ok('upd_payment', 'the service role records a refund');
select lives_ok('ins_payment', 'the service role records a payment by hand');
select throws_ok('del_payment', '42501', null, 'the service role never deletes a payment');
select throws_ok(
  'ins_event', '42501', null, 'the service role writes events only through the function'
);

select * from finish();
rollback;
