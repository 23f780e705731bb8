-- A mobile-money payload that is not what the mapping needs (not an object, a field missing,
-- null or of the wrong type, a status that is not final, a bad amount, currency, msisdn,
-- reference or timestamp) is stored as 'rejected' with the reason, and nothing else changes:
-- the subscription is as before, no payment, one event row per event.
begin;
select plan(7);

select tutela_tests.create_user('payer-p008@world.test') as u_payer \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, guardian_id, status, access_until, next_billing_at)
values (:'starter', :'u_payer', 'active', now() + interval '1 day', now() + interval '1 day')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P008', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000008', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset
create temp table before_sub as
select * from tutela.subscriptions where id = :'sub';

create temp table cases (event_id text primary key, payload jsonb, expected text);
insert into cases (event_id, payload, expected)
values
('array', '[1, 2]', 'malformed_payload'),
('string', '"SUCCESSFUL"', 'malformed_payload'),
('sql-null', null, 'malformed_payload'),
('empty', '{}', 'missing_field'),
('no-transaction', :'cb'::jsonb - 'transaction_id', 'missing_field'),
('null-status', :'cb'::jsonb || '{"status": null}', 'missing_field'),
('no-msisdn', :'cb'::jsonb - 'msisdn', 'missing_field'),
('no-reference', :'cb'::jsonb - 'external_reference', 'missing_field'),
('no-timestamp', :'cb'::jsonb - 'timestamp', 'missing_field'),
('numeric-transaction', :'cb'::jsonb || '{"transaction_id": 123}', 'malformed_field'),
(
  'long-transaction', :'cb'::jsonb || jsonb_build_object('transaction_id', repeat('x', 101)),
  'malformed_field'
),
('pending', :'cb'::jsonb || '{"status": "PENDING"}', 'unsupported_status'),
('lower-case', :'cb'::jsonb || '{"status": "successful"}', 'unsupported_status'),
('amount-text', :'cb'::jsonb || '{"amount": "nine"}', 'malformed_field'),
('amount-negative', :'cb'::jsonb || '{"amount": "-9.00"}', 'malformed_field'),
('amount-zero', :'cb'::jsonb || '{"amount": "0"}', 'malformed_field'),
('amount-3-decimals', :'cb'::jsonb || '{"amount": "9.001"}', 'malformed_field'),
('amount-boolean', :'cb'::jsonb || '{"amount": true}', 'malformed_field'),
('amount-huge', :'cb'::jsonb || '{"amount": "9999999999999"}', 'malformed_field'),
('currency-lower', :'cb'::jsonb || '{"currency": "usd"}', 'malformed_field'),
('msisdn-words', :'cb'::jsonb || '{"msisdn": "call me"}', 'malformed_field'),
('reference-not-uuid', :'cb'::jsonb || '{"external_reference": "sub-1"}', 'malformed_field'),
('timestamp-words', :'cb'::jsonb || '{"timestamp": "yesterday"}', 'malformed_field'),
(
  'timestamp-no-zone', :'cb'::jsonb || '{"timestamp": "2026-11-22T10:00:00"}',
  'malformed_field'
),
-- passes the pattern, fails the cast: a data exception, rejected all the same
(
  'timestamp-month-13', :'cb'::jsonb || '{"timestamp": "2026-13-45T10:00:00Z"}',
  'malformed_payload'
),
('reason-number', :'cb'::jsonb || '{"status": "FAILED", "reason": 42}', 'malformed_field');
create temp table outcomes (event_id text, outcome jsonb);
grant select on cases to service_role;
grant insert on outcomes to service_role;

select tutela_tests.as_service_role();
insert into outcomes (event_id, outcome)
select
  c.event_id,
  tutela.record_payment_event('mobile_money', c.event_id, c.payload) as outcome
from cases as c;
select tutela_tests.clear_authentication();

select results_eq(
  $$select c.event_id, o.outcome ->> 'status',
      coalesce(split_part(o.outcome ->> 'error', ':', 1), '(none)')
    from cases as c join outcomes as o on o.event_id = c.event_id
    order by c.event_id$$,
  $$select c.event_id, 'rejected', c.expected
    from cases as c order by c.event_id$$,
  'every malformed payload is rejected, and the error says why'
);
select ok(
  (
    select o.outcome ->> 'error' like 'malformed_payload: date/time field value out of range%'
    from outcomes as o where o.event_id = 'timestamp-month-13'
  ),
  'a timestamp that cannot be cast: rejected with the database''s message'
);
select is(count(*)::integer, 0, 'no payment') from tutela.payments;
select results_eq(
  format($$select * from tutela.subscriptions where id = %L$$, :'sub'),
  $$select * from before_sub$$,
  'the subscription is exactly as before'
);
select results_eq(
  $$select e.event_id, e.status, e.payload, e.payment_id, e.applied_at
    from tutela.payment_events as e order by e.event_id$$,
  $$select c.event_id, 'rejected', c.payload, null::uuid, null::timestamptz
    from cases as c order by c.event_id$$,
  'one event row per event: rejected, the payload as received, no payment'
);
select is(
  (select count(*)::integer from tutela.payment_events where error is null), 0,
  'every rejected event has its error'
);
select is(
  (select count(*)::integer from outcomes where outcome ->> 'replayed' = 'true'), 0,
  'none of them was a replay'
);

select * from finish();
rollback;
