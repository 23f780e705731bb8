-- fail_notification(id, error, attempt, permanent) (service role) records a failed attempt of
-- a claimed message: back to 'pending', due again after 1, 2, 4 ... minutes (2^(attempts-1),
-- at most 6 hours), last_error kept, the claim cleared; once attempts reach max_attempts, or
-- at once for a permanent failure, it is 'dead' instead, with its last error and without the
-- payload's token, and no claim takes it again. With the claim's attempt number it acts only
-- while the claim is still that one. It returns the new status; null for a message that is
-- not (or no longer ours) being sent.
-- Time: a waiting message is made due again by moving its next_attempt_at back.
begin;
select plan(17);

select tutela_tests.create_user('mum-064@ntf.test') as u_mum \gset
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, max_attempts, payload
)
values ('test', 'email', 'alert', 'test-064-a', :'u_mum', 4, '{"token": "t"}')
returning id as msg \gset

prepare due_again as
update tutela_private.notification_outbox set next_attempt_at = now() - interval '1 second'
where id = :'msg';
create temporary view state as
select
  status,
  attempts,
  last_error,
  claimed_at,
  payload,
  next_attempt_at - now() as wait
from tutela_private.notification_outbox
where id = :'msg';

-- attempt 1
select tutela_tests.as_service_role();
select tutela.claim_notifications(10, 300);
select is(tutela.fail_notification(:'msg', 'SMTP 451 later'), 'pending', 'attempt 1 failed');
select tutela_tests.clear_authentication();
select results_eq(
  'select status, attempts, wait, last_error, claimed_at from state',
  $$ values ('pending'::text, 1, interval '1 minute', 'SMTP 451 later'::text,
     null::timestamptz) $$,
  'pending again, due in 1 minute, the error kept, the claim cleared'
);
select tutela_tests.as_service_role();
select is_empty(
  'select * from tutela.claim_notifications(10, 300)', 'not claimed before it is due'
);

-- attempt 2
select tutela_tests.clear_authentication();
execute due_again;
select tutela_tests.as_service_role();
select tutela.claim_notifications(10, 300);
select is(
  tutela.fail_notification(:'msg', 'late', 1), null,
  'a failure reported for attempt 1 while attempt 2 holds the claim: null'
);
select is(tutela.fail_notification(:'msg', 'timeout', 2), 'pending', 'attempt 2 failed');
select tutela_tests.clear_authentication();
select results_eq(
  'select attempts, wait, last_error from state',
  $$ values (2, interval '2 minutes', 'timeout'::text) $$,
  'due in 2 minutes'
);

-- attempt 3
execute due_again;
select tutela_tests.as_service_role();
select tutela.claim_notifications(10, 300);
select tutela.fail_notification(:'msg', null);
select tutela_tests.clear_authentication();
select results_eq(
  'select attempts, wait, last_error from state',
  $$ values (3, interval '4 minutes', 'unknown error'::text) $$,
  'due in 4 minutes; a missing error is recorded as unknown'
);

-- attempt 4 of 4
execute due_again;
select tutela_tests.as_service_role();
select tutela.claim_notifications(10, 300);
select is(tutela.fail_notification(:'msg', '550 no such user'), 'dead', 'the last attempt: dead');
select tutela_tests.clear_authentication();
select results_eq(
  'select status, attempts, last_error, payload from state',
  $$ values ('dead'::text, 4, '550 no such user'::text, '{}'::jsonb) $$,
  'dead after max_attempts, with the last error, the token dropped'
);
execute due_again;
select tutela_tests.as_service_role();
select is_empty(
  'select * from tutela.claim_notifications(10, 300)', 'a dead message is never claimed'
);
select is(
  tutela.fail_notification(:'msg', 'again'), null, 'failing a message not being sent: null'
);
select tutela_tests.clear_authentication();
select results_eq(
  'select status, last_error from state',
  $$ values ('dead'::text, '550 no such user'::text) $$,
  'and nothing changes'
);

-- the cap: the 13th attempt would wait 2^12 minutes; it waits 6 hours
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, max_attempts, attempts
)
values ('test', 'email', 'alert', 'test-064-b', :'u_mum', 50, 12)
returning id as msg_b \gset
select tutela_tests.as_service_role();
select tutela.claim_notifications(10, 300);
select tutela.fail_notification(:'msg_b', repeat('x', 3000));
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select status, attempts, next_attempt_at - now(), length(last_error)
       from tutela_private.notification_outbox where id = %L $$,
    :'msg_b'
  ),
  $$ values ('pending'::text, 13, interval '6 hours', 2000) $$,
  'the wait is capped at 6 hours; the error is cut to 2000 characters'
);
select tutela_tests.as_service_role();
select is(
  tutela.fail_notification(gen_random_uuid(), 'x'), null, 'an unknown id: null'
);

-- a permanent failure: dead at its first attempt
select tutela_tests.clear_authentication();
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, payload
)
values ('test', 'sms', 'alert', 'test-064-c', :'u_mum', '{"token": "t", "x": 1}')
returning id as msg_c \gset
select tutela_tests.as_service_role();
select tutela.claim_notifications(10, 300);
select is(
  tutela.fail_notification(:'msg_c', 'no provider configured for sms', 1, true), 'dead',
  'a permanent failure: dead at once'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select status, attempts, max_attempts, last_error, payload
       from tutela_private.notification_outbox where id = %L $$,
    :'msg_c'
  ),
  $$ values ('dead'::text, 1, 10, 'no provider configured for sms'::text, '{"x": 1}'::jsonb) $$,
  'after one attempt of ten (the default since issue 27), with its error and without the token'
);
select tutela_tests.as_service_role();
select is_empty(
  'select * from tutela.claim_notifications(10, 300)', 'and it is never claimed again'
);

select * from finish();
rollback;
