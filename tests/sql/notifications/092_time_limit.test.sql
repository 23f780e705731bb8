-- A message ends by a time limit, never by outage rounds (issue 27): a notification not
-- delivered within three days of being queued (deliver_until) ends dead at the next claim,
-- with its last error and without secrets; an invite has no such limit (deliver_until null):
-- it stays deliverable until the invite itself expires (then it is cancelled,
-- 'invite_expired').
begin;
select plan(4);

insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_email, payload, last_error
)
values
('test', 'email', 'alert', 'test-092-old', 'x-092@ntf.test', '{"token": "t"}', 'SMTP 451'),
('test', 'email', 'alert', 'test-092-new', 'y-092@ntf.test', '{"title": "t"}', null);
select is(
  (
    select deliver_until = created_at + interval '3 days' from tutela_private.notification_outbox
    where idempotency_key = 'test-092-new'
  ), true,
  'a notification may wait three days'
);
update tutela_private.notification_outbox set deliver_until = now() - interval '1 second'
where idempotency_key = 'test-092-old';

select tutela_tests.as_service_role();
select results_eq(
  $$ select idempotency_key from tutela.claim_notifications(10, 300) $$,
  $$ values ('test-092-new'::text) $$,
  'past its time limit: not claimed'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select status, payload, last_error like 'not delivered before its time limit%'
     from tutela_private.notification_outbox where idempotency_key = 'test-092-old' $$,
  $$ values ('dead'::text, '{}'::jsonb, true) $$,
  'dead, with why, without the token'
);

select tutela_tests.create_user('staff-092@ntf.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('Ntf 092', 'ntf-092') returning id as org
\gset
insert into tutela.memberships (organization_id, user_id, role) values (
  :'org', :'u_staff', 'admin'
);
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
select tutela_tests.authenticate_as(:'u_staff');
select tutela.invite_guardian(:'sam', 'g-092@ntf.test');
select tutela_tests.clear_authentication();
select is(
  (select deliver_until from tutela_private.notification_outbox where kind = 'guardian_invite'),
  null,
  'an invite has no time limit of its own'
);

select * from finish();
rollback;
