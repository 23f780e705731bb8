-- Well-formed callbacks that cannot be applied are stored as 'rejected' and change nothing:
-- an unknown provider, an unknown subscription, a payment for a cancelled subscription, and
-- an amount or currency other than the plan's (never credited automatically: the back office
-- reconciles). The subscriptions stay as they were; no payment is recorded.
begin;
select plan(9);

select tutela_tests.create_user('payer-p009@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '1 day', now() + interval '1 day')
returning id as sub \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (
  :'starter', :'u_payer', 'cancelled', now() + interval '1 day', now() + interval '1 day'
)
returning id as cancelled \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P009', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000009', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset
create temp table before_subs as select * from tutela.subscriptions order by id;

prepare outcome (text, text, jsonb) as
select
  e ->> 'status' as status,
  split_part(e ->> 'error', ':', 1) as reason,
  (e ->> 'subscription_id')::uuid as subscription_id
from tutela.record_payment_event($1, $2, $3) as e;

select tutela_tests.as_service_role();
select results_eq(
  format($$execute outcome('stripe', 'evt-p009-1', %L)$$, :'cb'),
  $$values ('rejected', 'unknown_provider', null::uuid)$$,
  'an unknown provider: rejected'
);
select results_eq(
  format(
    $$execute outcome('mobile_money', 'evt-p009-2', %L)$$,
    :'cb'::jsonb || jsonb_build_object('external_reference', gen_random_uuid())
  ),
  $$values ('rejected', 'unknown_subscription', null::uuid)$$,
  'an external_reference that is no subscription: rejected'
);
select results_eq(
  format(
    $$execute outcome('mobile_money', 'evt-p009-3', %L)$$,
    :'cb'::jsonb || jsonb_build_object('external_reference', :'cancelled')
  ),
  format($$values ('rejected', 'subscription_cancelled', %L::uuid)$$, :'cancelled'),
  'a payment for a cancelled subscription: rejected, linked to the subscription'
);
select results_eq(
  format(
    $$execute outcome('mobile_money', 'evt-p009-4', %L)$$, :'cb'::jsonb || '{"amount": "5"}'
  ),
  format($$values ('rejected', 'amount_mismatch', %L::uuid)$$, :'sub'),
  'less than the plan''s price: rejected'
);
select results_eq(
  format(
    $$execute outcome('mobile_money', 'evt-p009-5', %L)$$, :'cb'::jsonb || '{"amount": "18"}'
  ),
  format($$values ('rejected', 'amount_mismatch', %L::uuid)$$, :'sub'),
  'more than the plan''s price: rejected'
);
select results_eq(
  format(
    $$execute outcome('mobile_money', 'evt-p009-6', %L)$$,
    :'cb'::jsonb || '{"currency": "UGX"}'
  ),
  format($$values ('rejected', 'amount_mismatch', %L::uuid)$$, :'sub'),
  'another currency: rejected'
);
select tutela_tests.clear_authentication();

select is(count(*)::integer, 0, 'no payment') from tutela.payments;
select results_eq(
  $$select * from tutela.subscriptions order by id$$,
  $$select * from before_subs$$,
  'both subscriptions are exactly as before'
);
select results_eq(
  $$select provider, event_id, status from tutela.payment_events order by event_id$$,
  $$values ('stripe', 'evt-p009-1', 'rejected'), ('mobile_money', 'evt-p009-2', 'rejected'),
    ('mobile_money', 'evt-p009-3', 'rejected'), ('mobile_money', 'evt-p009-4', 'rejected'),
    ('mobile_money', 'evt-p009-5', 'rejected'), ('mobile_money', 'evt-p009-6', 'rejected')$$,
  'one rejected event row each, the unknown provider''s too'
);

select * from finish();
rollback;
