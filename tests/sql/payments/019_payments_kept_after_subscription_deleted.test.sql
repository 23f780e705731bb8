-- Payments are accounting records: when the subscription goes (deleted by the back office, or
-- with the student at an erasure), its payments and events stay, their subscription_id set
-- to null, and the payer still sees them in their history.
begin;
select plan(5);

select tutela_tests.create_user('payer-p019@world.test') as u_payer \gset
insert into tutela.organizations (name, slug) values ('World P019', 'world-p019')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as student \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset

select tutela_tests.as_service_role();
select
  tutela.record_payment_event('mobile_money', 'evt-p019', jsonb_build_object(
    'transaction_id', 'MM-P019', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000019', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )) ->> 'status' as applied
\gset
select tutela_tests.clear_authentication();
select is(:'applied'::text, 'applied', 'a payment is recorded');

delete from tutela.students where id = :'student';
select is(
  (select count(*)::integer from tutela.subscriptions where id = :'sub'), 0,
  'the student went, and the subscription with them'
);
select results_eq(
  $$select subscription_id, amount_cents, status from tutela.payments$$,
  $$values (null::uuid, 900::bigint, 'succeeded')$$,
  'the payment stays, unlinked'
);
select results_eq(
  $$select subscription_id, status from tutela.payment_events$$,
  $$values (null::uuid, 'applied')$$,
  'the event stays, unlinked'
);
select tutela_tests.authenticate_as(:'u_payer');
select is(
  jsonb_array_length(tutela.payment_history()), 1, 'the payer still sees the payment'
);

select * from finish();
rollback;
