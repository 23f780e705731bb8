-- Callbacks PostgreSQL cannot hold as jsonb, or too large, get a documented outcome instead of
-- an undocumented error on every retry. record_payment_callback(provider, event_id, body text)
-- takes the body as received: a \u0000 escape (22P05 as jsonb), a body that is not JSON
-- (22P02), nesting too deep (54001) and a body over 64 KiB are each recorded once as
-- 'rejected', with the reason (malformed_payload / payload_too_large) and without the payload;
-- a repeat returns the first outcome (replayed). A valid body is applied as by
-- record_payment_event. record_payment_event(jsonb) records a payload over 64 KiB as rejected
-- without it too; a \u0000 never reaches it as jsonb (22P05, raised by the cast before the
-- call: docs/errors.md). Only the service role may call it (42501 for API users).
begin;
select plan(14);

select tutela_tests.create_user('payer-p021@world.test') as u_payer \gset
insert into tutela.organizations (name, slug) values ('World P021', 'world-p021')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_payer', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset

select tutela_tests.as_service_role();
select tutela.record_payment_callback(
  'mobile_money', 'p021-nul', '{"transaction_id": "MM\u0000", "status": "SUCCESSFUL"}'
) as nul \gset
select
  tutela.record_payment_callback(
    'mobile_money', 'p021-deep',
    repeat('[', 32000) || repeat(']', 32000)
  ) as deep
\gset
select
  tutela.record_payment_callback(
    'mobile_money', 'p021-big',
    jsonb_build_object('transaction_id', 'MM-BIG', 'padding', repeat('x', 70000))::text
  ) as big
\gset
select tutela.record_payment_callback('mobile_money', 'p021-text', 'not json at all') as notjson
\gset
select
  tutela.record_payment_event(
    'mobile_money', 'p021-big-jsonb',
    jsonb_build_object('padding', repeat('x', 70000))
  ) as big_jsonb
\gset
select
  tutela.record_payment_callback(
    'mobile_money', 'p021-nul',
    '{"transaction_id": "MM\u0000"}'
  ) as nul_again
\gset
select tutela.record_payment_callback('mobile_money', 'p021-ok', jsonb_build_object(
  'transaction_id', 'MM-P021', 'status', 'SUCCESSFUL', 'amount', '9.00', 'currency', 'USD',
  'msisdn', '+256772123456', 'external_reference', :'sub',
  'timestamp', '2026-11-22T10:15:00+03:00'
)::text) as ok \gset
select tutela_tests.clear_authentication();

select results_eq(
  format(
    $$select o ->> 'status', split_part(o ->> 'error', ':', 1), (o ->> 'replayed')::boolean
      from unnest(array[%L, %L, %L, %L, %L]::jsonb[]) with ordinality as x (o, n) order by n$$,
    :'nul', :'deep', :'big', :'notjson', :'big_jsonb'
  ),
  $$values ('rejected', 'malformed_payload', false), ('rejected', 'malformed_payload', false),
    ('rejected', 'payload_too_large', false), ('rejected', 'malformed_payload', false),
    ('rejected', 'payload_too_large', false)$$,
  '\u0000, deep nesting, not JSON, and over 64 KiB (as text or as jsonb): rejected with a reason'
);
select results_eq(
  $$select event_id, status, payload is null, error is not null from tutela.payment_events
    where event_id like 'p021-%' and event_id <> 'p021-ok' order by event_id$$,
  $$values ('p021-big', 'rejected', true, true), ('p021-big-jsonb', 'rejected', true, true),
    ('p021-deep', 'rejected', true, true), ('p021-nul', 'rejected', true, true),
    ('p021-text', 'rejected', true, true)$$,
  'each is stored once, as rejected, without its payload'
);
select is(
  :'nul_again'::jsonb ->> 'replayed', 'true', 'a retry returns the first outcome (replayed)'
);
select is(
  (:'nul_again'::jsonb ->> 'event_id'), (:'nul'::jsonb ->> 'event_id'),
  'the same event as the first delivery'
);
select is(:'ok'::jsonb ->> 'status', 'applied', 'a valid body is applied');
select is(
  (select count(*) from tutela.payments where provider_reference = 'MM-P021'), 1::bigint,
  'its payment is recorded'
);
select is(
  (select count(*) from tutela.payments where provider_reference = 'MM-BIG'), 0::bigint,
  'the rejected ones recorded no payment'
);

-- the limit and the jsonb entry point
select tutela_tests.as_service_role();
select throws_ok(
  $$select tutela.record_payment_event('mobile_money', 'p021-nul-jsonb',
    '{"transaction_id": "MM\u0000"}'::jsonb)$$,
  '22P05', null,
  'as jsonb, \u0000 fails in the cast, before the call (documented: use the text entry point)'
);
select throws_ok(
  $$select tutela.record_payment_callback(null, 'x', '{}')$$, 'TU422', null,
  'a missing provider is TU422'
);
select throws_ok(
  $$select tutela.record_payment_callback('mobile_money', repeat('e', 201), '{}')$$, 'TU422', null,
  'an event id over 200 characters is TU422'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.payment_events where event_id in ('p021-nul-jsonb', 'x')),
  0::bigint,
  'refusals store nothing'
);
select tutela_tests.authenticate_as(:'u_payer');
select throws_ok(
  $$select tutela.record_payment_callback('mobile_money', 'p021-user', '{}')$$, '42501', null,
  'an API user may not call it'
);
select tutela_tests.as_anon();
select throws_ok(
  $$select tutela.record_payment_callback('mobile_money', 'p021-anon', '{}')$$, '42501', null,
  'anon may not call it'
);
select tutela_tests.clear_authentication();
select throws_ok(
  $$insert into tutela.payment_events (provider, event_id, payload, status, error)
    values ('mobile_money', 'p021-direct', jsonb_build_object('p', repeat('x', 70000)),
      'rejected', 'x')$$,
  '23514', null, 'the table itself refuses a payload over the limit'
);

select * from finish();
rollback;
