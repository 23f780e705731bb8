-- The outbox protocol is the dispatcher's (service role): a signed-in user and anon get 42501
-- from claim_notifications, complete_notification and fail_notification, and cannot read the
-- outbox (42501). Their attempts change nothing.
begin;
select plan(13);

select tutela_tests.create_user('mum-065@ntf.test') as u_mum \gset
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id
)
values ('test', 'email', 'alert', 'test-065', :'u_mum')
returning id as msg \gset
-- a claimed row for complete and fail
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, status, claimed_at, attempts
)
values ('test', 'email', 'alert', 'test-065-sending', :'u_mum', 'sending', now(), 1)
returning id as sending \gset

select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  'select * from tutela.claim_notifications(10, 300)', '42501', null,
  'a user cannot claim'
);
select throws_ok(
  format('select tutela.complete_notification(%L)', :'sending'), '42501', null,
  'nor complete'
);
select throws_ok(
  format('select tutela.fail_notification(%L, %L)', :'sending', 'x'), '42501', null,
  'nor fail'
);
select throws_ok(
  'select * from tutela_private.notification_outbox', '42501', null, 'nor read the outbox'
);
select tutela_tests.as_anon();
select throws_ok(
  'select * from tutela.claim_notifications(10, 300)', '42501', null, 'anon cannot claim'
);
select throws_ok(
  format('select tutela.complete_notification(%L)', :'sending'), '42501', null,
  'nor complete'
);
select throws_ok(
  format('select tutela.fail_notification(%L, %L)', :'sending', 'x'), '42501', null,
  'nor fail'
);
select throws_ok(
  'select * from tutela_private.notification_outbox', '42501', null, 'nor read the outbox'
);

select tutela_tests.clear_authentication();
select results_eq(
  $$ select idempotency_key, status, attempts from tutela_private.notification_outbox
     where idempotency_key like 'test-065%' order by 1 $$,
  $$ values ('test-065'::text, 'pending'::text, 0), ('test-065-sending', 'sending', 1) $$,
  'nothing changed'
);

-- the service role may
select tutela_tests.as_service_role();
select results_eq(
  'select id from tutela.claim_notifications(10, 300)',
  format($$ values (%L::uuid) $$, :'msg'),
  'the service role claims'
);
select is(tutela.complete_notification(:'msg'), true, 'completes');
select is(tutela.fail_notification(:'sending', 'x'), 'pending', 'and fails');
select throws_ok(
  'select * from tutela_private.notification_outbox', '42501', null,
  'but reads the outbox only through the protocol'
);

select * from finish();
rollback;
