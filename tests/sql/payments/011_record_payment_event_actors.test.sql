-- Only the service role records payment events: anon and every signed-in user (the payer, the
-- student, a stranger) have no EXECUTE grant (42501). The service role succeeds. An event
-- without a provider or an event id cannot be keyed for idempotency: TU422, nothing stored.
begin;
select plan(11);

select tutela_tests.create_user('payer-p011@world.test') as u_payer \gset
select tutela_tests.create_user('student-p011@world.test') as u_student \gset
select tutela_tests.create_user('stranger-p011@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('World P011', 'world-p011')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Child', :'u_student') returning id as student \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status, access_until)
values (:'starter', :'student', :'u_payer', 'active', now() + interval '1 day')
returning id as sub \gset
select
  jsonb_build_object(
    'transaction_id', 'MM-P011', 'status', 'SUCCESSFUL', 'amount', '9.00',
    'currency', 'USD', 'msisdn', '+256772000011', 'external_reference', :'sub',
    'timestamp', '2026-11-22T10:00:00Z'
  )::text as cb
\gset

prepare record as
select tutela.record_payment_event('mobile_money', 'evt-p011', :'cb'::jsonb);

select tutela_tests.as_anon();
select throws_ok('record', '42501', null, 'anon: refused');
select tutela_tests.authenticate_as(:'u_payer');
select throws_ok('record', '42501', null, 'the payer: refused (no crediting oneself)');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('record', '42501', null, 'the student: refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('record', '42501', null, 'a stranger: refused');

select tutela_tests.clear_authentication();
select is(count(*)::integer, 0, 'the refused calls stored nothing') from tutela.payment_events;

select tutela_tests.as_service_role();
select throws_ok(
  $$select tutela.record_payment_event('mobile_money', null, '{}')$$, 'TU422', null,
  'no event id: TU422'
);
select throws_ok(
  $$select tutela.record_payment_event('mobile_money', '', '{}')$$, 'TU422', null,
  'an empty event id: TU422'
);
select throws_ok(
  $$select tutela.record_payment_event(null, 'evt-p011-x', '{}')$$, 'TU422', null,
  'no provider: TU422'
);
select throws_ok(
  format($$select tutela.record_payment_event('mobile_money', %L, '{}')$$, repeat('e', 201)),
  'TU422', null, 'an event id over 200 characters: TU422'
);
select is(
  (select (tutela.record_payment_event('mobile_money', 'evt-p011', :'cb'::jsonb)) ->> 'status'),
  'applied', 'the service role: applied'
);

select tutela_tests.clear_authentication();
select is(count(*)::integer, 1, 'only the service role''s event is stored')
from tutela.payment_events;

select * from finish();
rollback;
