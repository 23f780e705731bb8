-- complete_notification(id, attempt) (service role) marks a claimed ('sending') message sent:
-- status 'sent', sent_at and dispatched_at now, last_error cleared, and the payload's token
-- removed (an invite's secret is kept only until its email is out). It returns true. With
-- the attempt number of the claim, it completes only while the claim is still that one (a row
-- re-claimed after the lease ran out belongs to its new holder). For a message not being sent
-- (already sent, still pending, unknown) it returns false and changes nothing.
begin;
select plan(10);

select tutela_tests.create_user('mum-063@ntf.test') as u_mum \gset
-- a real, pending invite (the claim sends an invite only while it can still be accepted)
insert into tutela.organizations (name, slug)
values ('Ntf 063', 'ntf-063') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_invites (student_id, email, token_hash, expires_at, managed_by_roster)
values (
  :'sam', 'mum-063@ntf.test', extensions.digest('s3cret', 'sha256'),
  now() + interval '1 day', true
)
returning id as inv \gset
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, payload, last_error,
  attempts, claims
)
values
(
  'guardian_invite', 'email', 'guardian_invite', 'test-063-invite', :'u_mum',
  jsonb_build_object('token', 's3cret', 'invite_id', :'inv'), 'SMTP 451 try later', 1, 1
),
(
  'test', 'email', 'alert', 'test-063-waiting', :'u_mum', '{"token": "keep"}', null,
  0, 0
);
-- the invite is claimed (its second attempt); the other row waits for later
update tutela_private.notification_outbox set next_attempt_at = now() + interval '1 hour'
where idempotency_key = 'test-063-waiting';
select id as waiting from tutela_private.notification_outbox
where idempotency_key = 'test-063-waiting' \gset

select tutela_tests.as_service_role();
select
  id as invite,
  claim as attempt
from tutela.claim_notifications(10, 300) \gset
select is(:attempt, 2, 'the claim is the second attempt');
select is(
  tutela.complete_notification(:'invite', 1), false,
  'completing with an earlier attempt number (a claim that is no longer ours): false'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela_private.notification_outbox where id = :'invite'),
  'sending',
  'and the message stays with its current claim'
);
select tutela_tests.as_service_role();
select is(tutela.complete_notification(:'invite', 2), true, 'with the claim''s attempt: done');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select status, sent_at = now(), dispatched_at = now(), last_error, payload
       from tutela_private.notification_outbox where id = %L $$,
    :'invite'
  ),
  format(
    $$ values ('sent'::text, true, true, null::text, '{"invite_id": "%s"}'::jsonb) $$, :'inv'
  ),
  'sent, timestamped, error cleared, the token gone and the rest of the payload kept'
);

select tutela_tests.as_service_role();
select is(tutela.complete_notification(:'invite'), false, 'completing it again: false');
select is(
  tutela.complete_notification(:'waiting'), false, 'a pending message never claimed: false'
);
select is(tutela.complete_notification(gen_random_uuid()), false, 'an unknown id: false');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select status, sent_at, payload from tutela_private.notification_outbox where id = %L $$,
    :'waiting'
  ),
  $$ values ('pending'::text, null::timestamptz, '{"token": "keep"}'::jsonb) $$,
  'the pending message is unchanged'
);
select is(
  (select sent_at from tutela_private.notification_outbox where id = :'invite'),
  now(),
  'the sent message keeps its first sent_at'
);

select * from finish();
rollback;
