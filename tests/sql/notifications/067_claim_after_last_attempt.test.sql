-- A message whose sender died during its last allowed attempt (status 'sending', attempts =
-- max_attempts, lease expired) is not handed out again: the next claim marks it 'dead'
-- (keeping its last error, or noting that the sender stopped), drops the payload's token, and
-- never makes an attempt beyond max_attempts. Within its lease it is left alone.
begin;
select plan(4);

select tutela_tests.create_user('mum-067@ntf.test') as u_mum \gset
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, status, claimed_at, attempts,
  max_attempts, last_error, payload
)
values
(
  'guardian_invite', 'email', 'guardian_invite', 'test-067-a', :'u_mum', 'sending',
  now() - interval '1 hour', 6, 6, null, '{"token": "t", "invite_id": "i"}'
),
(
  'child_absent', 'email', 'alert', 'test-067-b', :'u_mum', 'sending',
  now() - interval '1 hour', 3, 3, 'SMTP 451', '{}'
),
(
  'child_absent', 'email', 'alert', 'test-067-c', :'u_mum', 'sending',
  now() - interval '1 minute', 3, 3, null, '{}'
);

select tutela_tests.as_service_role();
select is_empty(
  'select * from tutela.claim_notifications(10, 300)',
  'an abandoned last attempt is not claimed again'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select idempotency_key, status, attempts, last_error is not null, payload
     from tutela_private.notification_outbox order by idempotency_key $$,
  $$ values ('test-067-a'::text, 'dead'::text, 6, true, '{"invite_id": "i"}'::jsonb),
     ('test-067-b', 'dead', 3, true, '{}'),
     ('test-067-c', 'sending', 3, false, '{}') $$,
  'it is dead, with an error and without the token; one still within its lease is left alone'
);
select is(
  (select last_error from tutela_private.notification_outbox where idempotency_key = 'test-067-b'),
  'SMTP 451',
  'a last error it had is kept'
);
select is(
  (select max(attempts) from tutela_private.notification_outbox),
  6,
  'attempts never exceed max_attempts'
);

select * from finish();
rollback;
