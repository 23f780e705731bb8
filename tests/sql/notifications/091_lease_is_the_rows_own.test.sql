-- The lease is the row's own (issue 27, finding 3): claim_notifications records the lease its
-- claimer took, and another claimer, whatever its own lease, takes the row again only once
-- that lease has run out. Each claim gets the next claim number; the earlier claim can no
-- longer complete, fail, recheck or release the row. recheck_notification renews the lease
-- just before the send (claimed_at = now).
begin;
select plan(8);

insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_email, payload
)
values ('test', 'email', 'alert', 'test-091', 'x-091@ntf.test', '{"title": "t"}')
returning id as msg \gset

select tutela_tests.as_service_role();
select
  claim as c1,
  lease_seconds as l1
from tutela.claim_notifications(10, 600) \gset
select is(:l1, 600, 'the claim records its lease on the row');
select tutela_tests.clear_authentication();
update tutela_private.notification_outbox set claimed_at = now() - interval '5 minutes'
where idempotency_key = 'test-091';

select tutela_tests.as_service_role();
select is_empty(
  'select * from tutela.claim_notifications(10, 10)',
  'a claimer with a 10-second lease leaves a row held for 600 seconds alone after 5 minutes'
);
select tutela_tests.clear_authentication();
update tutela_private.notification_outbox set claimed_at = now() - interval '601 seconds'
where idempotency_key = 'test-091';
select tutela_tests.as_service_role();
select claim as c2 from tutela.claim_notifications(10, 10) \gset
select is(:c2, :c1 + 1, 'once it has run out: claimed again, with the next claim number');
select is(tutela.complete_notification(:'msg', :c1), false, 'the old claim cannot complete');
select is(tutela.fail_notification(:'msg', 'x', :c1), null, 'nor fail');
select is(tutela.recheck_notification(:'msg', :c1), null, 'nor recheck');
select tutela_tests.clear_authentication();
update tutela_private.notification_outbox set claimed_at = now() - interval '9 seconds'
where idempotency_key = 'test-091';
select tutela_tests.as_service_role();
select isnt(tutela.recheck_notification(:'msg', :c2), null, 'the new claim rechecks');
select tutela_tests.clear_authentication();
select is(
  (select claimed_at = now() from tutela_private.notification_outbox where id = :'msg'), true,
  'and the recheck renewed the lease for the send'
);

select * from finish();
rollback;
