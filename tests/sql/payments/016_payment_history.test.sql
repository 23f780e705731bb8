-- payment_history(): the caller's own payments, newest first, with plan, amount, status and
-- the masked account; of one subscription when given. The payer sees theirs; a former payer
-- still sees the payments they made, not the new payer's; another guardian, the student and a
-- stranger see none, and naming a subscription they do not pay is TU403. An unknown
-- subscription: TU404. anon: 42501; no user (also the service role): TU401.
begin;
select plan(14);

select tutela_tests.create_user('payer-p016@world.test') as u_payer \gset
select tutela_tests.create_user('former-p016@world.test') as u_former \gset
select tutela_tests.create_user('other-guardian-p016@world.test') as u_other \gset
select tutela_tests.create_user('student-p016@world.test') as u_student \gset
select tutela_tests.create_user('stranger-p016@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World P016', 'world-p016', 5)
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Child', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_payer', 'active', 'staff', now()),
(:'student', :'u_other', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_payer', 'active') returning id as family_sub \gset
insert into tutela.payments (
  subscription_id, plan_id, payer_id, provider, provider_event_id, provider_reference,
  amount_cents, currency, status, failure_reason, account_hint, paid_at, covers_until,
  raw_payload
)
values
(
  :'sub', :'starter', :'u_former', 'mobile_money', 'e1', 'T1', 900, 'USD', 'succeeded', null,
  '****0001', now() - interval '60 days', now() - interval '30 days', '{}'
),
(
  :'sub', :'starter', :'u_payer', 'mobile_money', 'e2', 'T2', 900, 'USD', 'succeeded', null,
  '****0002', now() - interval '30 days', now(), '{}'
),
(
  :'sub', :'starter', :'u_payer', 'mobile_money', 'e3', 'T3', 900, 'USD', 'failed',
  'PAYER_DECLINED', '****0002', now() - interval '1 day', null, '{}'
),
(
  :'family_sub', :'starter', :'u_payer', 'mobile_money', 'e4', 'T4', 900, 'USD', 'succeeded',
  null, '****0002', now() - interval '2 days', now() + interval '28 days', '{}'
);

select tutela_tests.authenticate_as(:'u_payer');
select results_eq(
  $$select p ->> 'reference', p ->> 'status' from jsonb_array_elements(tutela.payment_history())
    as p$$,
  $$values ('T3', 'failed'), ('T4', 'succeeded'), ('T2', 'succeeded')$$,
  'the payer: their own payments on every subscription, newest first'
);
select is(
  tutela.payment_history(:'sub') -> 0,
  jsonb_build_object(
    'payment_id', (select id from tutela.payments where provider_reference = 'T3'),
    'subscription_id', :'sub'::uuid, 'plan_code', 'starter', 'plan_name', 'Starter',
    'provider', 'mobile_money', 'reference', 'T3', 'amount_cents', 900, 'currency', 'USD',
    'status', 'failed', 'failure_reason', 'PAYER_DECLINED', 'account_hint', '****0002',
    'paid_at', now() - interval '1 day', 'covers_until', null
  ),
  'one entry: plan, amount in cents, status, reason, masked account, dates'
);
select results_eq(
  format(
    $$select p ->> 'reference' from jsonb_array_elements(tutela.payment_history(%L)) as p$$,
    :'sub'
  ),
  $$values ('T3'), ('T2')$$,
  'one subscription: the payer''s payments on it, not the former payer''s'
);
select throws_ok(
  format($$select tutela.payment_history(%L)$$, gen_random_uuid()), 'TU403', null,
  'an unknown subscription: TU403'
);

select tutela_tests.authenticate_as(:'u_former');
select results_eq(
  format(
    $$select p ->> 'reference' from jsonb_array_elements(tutela.payment_history(%L)) as p$$,
    :'sub'
  ),
  $$values ('T1')$$,
  'a former payer still sees the payment they made'
);

select tutela_tests.authenticate_as(:'u_other');
select is(tutela.payment_history(), '[]'::jsonb, 'another guardian of the child: none');
select throws_ok(
  format($$select tutela.payment_history(%L)$$, :'sub'), 'TU403', null,
  'another guardian naming the subscription: TU403'
);
select tutela_tests.authenticate_as(:'u_student');
select is(tutela.payment_history(), '[]'::jsonb, 'the student: none');
select throws_ok(
  format($$select tutela.payment_history(%L)$$, :'sub'), 'TU403', null,
  'the student naming their own subscription: TU403 (they do not pay it)'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is(tutela.payment_history(), '[]'::jsonb, 'a stranger: none');
select throws_ok(
  format($$select tutela.payment_history(%L)$$, :'family_sub'), 'TU403', null,
  'a stranger naming a family subscription: TU403'
);
select tutela_tests.as_anon();
select throws_ok($$select tutela.payment_history()$$, '42501', null, 'anon: 42501');
select tutela_tests.as_service_role();
select throws_ok(
  $$select tutela.payment_history()$$, 'TU401', null,
  'the service role has no user, hence no history (it reads tutela.payments)'
);
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true) is not null as x
\gset
select set_config('role', 'authenticated', true) is not null as x
\gset
select throws_ok($$select tutela.payment_history()$$, 'TU401', null, 'no user: TU401');

select * from finish();
rollback;
