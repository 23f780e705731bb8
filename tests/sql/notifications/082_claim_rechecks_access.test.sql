-- claim_notifications checks each due message about a child again, in the claim's own
-- transaction, whatever cancelled or did not cancel it before (here the revoke trigger is
-- switched off, to show the claim alone holds): the recipient's link still active
-- ('link_revoked'), family access on for the organisation ('family_access_off'), the
-- permission the type needs ('permission_withdrawn'). A message that fails is cancelled with
-- its reason and its token dropped and is not handed out; the claim goes on to the next due
-- rows, so a batch of cancelled messages never hides the messages after it. A message about a
-- child of a kind no rule knows is never sent ('unknown_kind'). The journal also needs consent
-- for a guardian who is not primary (tutela_private.guardian_access_gap).
begin;
select plan(13);

select tutela_tests.create_user('mum-082@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-082@ntf.test') as u_dad \gset
select tutela_tests.create_user('gran-082@ntf.test') as u_gran \gset
select tutela_tests.create_user('other-082@ntf.test') as u_other \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 082', 'ntf-082', 3) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Ntf 082 B', 'ntf-082-b') returning id as org_b \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org_b', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'sam', :'u_dad', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'sam', :'u_gran', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'kim', :'u_other', 'active', 'staff', now(), tutela_hidden.default_link_permissions());

alter table tutela.guardian_links disable trigger guardian_links_cancel_outbox;

-- due in this order: mum (revoked), dad (attendance withdrawn), other (family access off),
-- a row of an unknown kind about Sam, then gran's, which may go
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_user_id, student_id, payload,
  next_attempt_at
)
values
(
  'child_absent', 'email', 'alert', 'k-mum', :'u_mum', :'sam',
  '{"title": "Missed", "token": "secret"}', now() - interval '5 minutes'
),
(
  'child_absent', 'email', 'alert', 'k-dad', :'u_dad', :'sam', '{"title": "Missed"}',
  now() - interval '4 minutes'
),
(
  'child_graded', 'email', 'alert', 'k-other', :'u_other', :'kim', '{"title": "Graded"}',
  now() - interval '3 minutes'
),
(
  'mystery', 'email', 'alert', 'k-mystery', :'u_gran', :'sam', '{"title": "?"}',
  now() - interval '2 minutes'
),
(
  'child_absent', 'email', 'alert', 'k-gran', :'u_gran', :'sam', '{"title": "Missed"}',
  now() - interval '1 minute'
);

update tutela.guardian_links set status = 'revoked', revoked_at = now()
where guardian_id = :'u_mum';
update tutela.guardian_links
set permissions = permissions || '{"attendance": false}' where guardian_id = :'u_dad';
update tutela.organizations set family_access_enabled = false where id = :'org_b';
select is(
  (select count(*)::integer from tutela_private.notification_outbox where status = 'pending'),
  5,
  'without the trigger, all five are still queued'
);

select tutela_tests.as_service_role();
select results_eq(
  'select idempotency_key from tutela.claim_notifications(1, 300)',
  $$ values ('k-gran'::text) $$,
  'a claim of one skips the four that may not go and hands out the fifth'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select idempotency_key, status, cancel_reason from tutela_private.notification_outbox
     order by next_attempt_at $$,
  $$ values ('k-mum'::text, 'cancelled'::text, 'link_revoked'::text),
     ('k-dad', 'cancelled', 'permission_withdrawn'),
     ('k-other', 'cancelled', 'family_access_off'),
     ('k-mystery', 'cancelled', 'unknown_kind'),
     ('k-gran', 'sending', null) $$,
  'each cancelled with its reason'
);
select is(
  (
    select payload ? 'token' from tutela_private.notification_outbox where idempotency_key = 'k-mum'
  ),
  false,
  'a cancelled message keeps no token'
);
select is(
  (select attempts from tutela_private.notification_outbox where idempotency_key = 'k-mum'),
  0,
  'a cancelled message used no attempt'
);
select ok(
  (
    select bool_and(cancelled_at is not null and claimed_at is null)
    from tutela_private.notification_outbox where status = 'cancelled'
  ),
  'cancelled_at set, no claim held'
);

-- cancelled is final: completing, failing or claiming again changes nothing
select id as dad_msg from tutela_private.notification_outbox where idempotency_key = 'k-dad' \gset
select tutela_tests.as_service_role();
select is(
  tutela.complete_notification(:'dad_msg'),
  false,
  'complete_notification leaves a cancelled message alone'
);
select is(
  tutela.fail_notification(:'dad_msg', 'x'),
  null,
  'fail_notification too'
);
select is_empty('select 1 from tutela.claim_notifications(100, 10)', 'nothing is left to claim');
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela_private.notification_outbox where status = 'cancelled'),
  4,
  'still four cancelled'
);

-- the journal: a guardian who is not primary also needs the student's consent
update tutela.guardian_links set permissions = permissions || '{"journal": true}'
where guardian_id = :'u_gran';
select is(
  tutela_private.guardian_access_gap(:'u_gran', :'sam', 'journal'), 'consent_missing',
  'journal without consent: consent_missing'
);
insert into tutela.consent_records (student_id, data_type, recipient_type, granted, granted_at)
values (:'sam', 'journal', 'other_guardians', true, now());
select is(
  tutela_private.guardian_access_gap(:'u_gran', :'sam', 'journal'), null,
  'with consent: nothing missing'
);
select is(
  tutela_private.guardian_access_gap(:'u_other', :'sam', 'progress'), 'no_link',
  'no link at all: no_link'
);

select * from finish();
rollback;
