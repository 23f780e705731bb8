-- claim_notifications(p_limit, p_lease_seconds) (service role) hands out due messages,
-- oldest due first: pending ones whose next_attempt_at has come, and 'sending' ones claimed
-- longer ago than the lease (their sender died). Each claimed row turns 'sending' with
-- claimed_at = now() and one more attempt, so a second claim never gets it again: two claims
-- in one transaction split the due rows. Not due, sent and dead rows are never claimed. The
-- address is the row's own, else the recipient user's email. Limits: 1..1000 rows, a lease of
-- 10..86400 seconds (TU422).
begin;
select plan(11);

select tutela_tests.create_user('mum-062@ntf.test') as u_mum \gset
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, recipient_email,
  status, next_attempt_at, claimed_at, attempts
)
values
(
  'test', 'email', 'alert', 'test-062-r1', :'u_mum', null,
  'pending', now() - interval '3 minutes', null, 0
),
(
  'test', 'sms', 'alert', 'test-062-r2', :'u_mum', null,
  'pending', now() - interval '2 minutes', null, 0
),
(
  'test', 'email', 'alert', 'test-062-r3', :'u_mum', 'other-062@ntf.test', 'pending',
  now() - interval '1 minute', null, 0
),
(
  'test', 'email', 'alert', 'test-062-later', :'u_mum', null,
  'pending', now() + interval '1 hour', null, 0
),
(
  'test', 'email', 'alert', 'test-062-sent', :'u_mum', null,
  'sent', now() - interval '1 hour', null, 1
),
(
  'test', 'email', 'alert', 'test-062-dead', :'u_mum', null,
  'dead', now() - interval '1 hour', null, 6
),
(
  'test', 'push', 'alert', 'test-062-stale', :'u_mum', null, 'sending',
  now() - interval '4 minutes', now() - interval '10 minutes', 1
),
(
  'test', 'email', 'alert', 'test-062-fresh', :'u_mum', null, 'sending',
  now() - interval '5 minutes', now() - interval '1 minute', 1
);

select tutela_tests.as_service_role();
select results_eq(
  $$ select idempotency_key, channel, template, recipient_email, attempts
     from tutela.claim_notifications(2, 300) order by idempotency_key $$,
  $$ values ('test-062-r1'::text, 'email'::text, 'alert'::text, 'mum-062@ntf.test'::text, 1),
     ('test-062-stale', 'push', 'alert', 'mum-062@ntf.test', 2) $$,
  'the first claim: the two due first (a stale sending row and the oldest pending one)'
);
select results_eq(
  $$ select idempotency_key, recipient_email from tutela.claim_notifications(10, 300)
     order by idempotency_key $$,
  $$ values ('test-062-r2'::text, 'mum-062@ntf.test'::text),
     ('test-062-r3', 'other-062@ntf.test') $$,
  'the second claim in the same transaction: the rest, none of the first claim''s rows'
);
select is_empty(
  'select * from tutela.claim_notifications(10, 300)', 'a third claim: nothing left'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select idempotency_key, status, claimed_at = now() from tutela_private.notification_outbox
     where idempotency_key in ('test-062-r1', 'test-062-r2', 'test-062-r3', 'test-062-stale')
     order by idempotency_key $$,
  $$ values ('test-062-r1'::text, 'sending'::text, true), ('test-062-r2', 'sending', true),
     ('test-062-r3', 'sending', true), ('test-062-stale', 'sending', true) $$,
  'claimed rows are sending, claimed now'
);
select results_eq(
  $$ select idempotency_key, status, attempts from tutela_private.notification_outbox
     where idempotency_key in ('test-062-later', 'test-062-sent', 'test-062-dead',
       'test-062-fresh')
     order by idempotency_key $$,
  $$ values ('test-062-dead'::text, 'dead'::text, 6), ('test-062-fresh', 'sending', 1),
     ('test-062-later', 'pending', 0), ('test-062-sent', 'sent', 1) $$,
  'not due, sent, dead, and sending within the lease: left alone'
);

-- the lease is the row's own (issue 27): a claimer with a shorter lease does not take a row
-- another claimer holds for 300 seconds; once that lease has run out, it does
select tutela_tests.as_service_role();
select is_empty(
  $$ select idempotency_key from tutela.claim_notifications(10, 30) $$,
  'a 30-second claimer leaves alone the row claimed a minute ago under a 300-second lease'
);

select throws_ok('select tutela.claim_notifications(0, 300)', 'TU422', null, 'p_limit 0');
select throws_ok('select tutela.claim_notifications(1001, 300)', 'TU422', null, 'p_limit 1001');
select throws_ok('select tutela.claim_notifications(10, 9)', 'TU422', null, 'a lease of 9 s');
select throws_ok(
  'select tutela.claim_notifications(10, 86401)', 'TU422', null, 'a lease over a day'
);
select throws_ok('select tutela.claim_notifications(null, null)', 'TU422', null, 'nulls');

select * from finish();
rollback;
