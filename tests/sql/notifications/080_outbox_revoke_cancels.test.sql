-- Revoking a link cancels at once what is queued for that guardian about that child (the
-- trigger guardian_links_cancel_outbox): a weekly digest and a child_absent email for Mum end
-- 'cancelled' with cancel_reason 'link_revoked' and cancelled_at, whether still pending or
-- already claimed ('sending'); the dispatcher never gets them. Dad's messages about the same
-- child and Mum's about her other child stay queued. Restoring the link does not bring the
-- cancelled messages back.
begin;
select plan(9);

select tutela_tests.create_user('mum-080@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-080@ntf.test') as u_dad \gset
select tutela_tests.create_user('staff-080@ntf.test') as u_staff \gset
insert into tutela.organizations (name, slug)
values ('Ntf 080', 'ntf-080') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
select id as mum_sam from tutela.guardian_links
where student_id = :'sam' and guardian_id = :'u_mum' \gset

-- queued: the weekly digests (email), and an absence (in_app and email) for Sam
select is(tutela_private.run_weekly_digests(), 3, 'three digests queued');
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Live', now() - interval '2 hours', now() - interval '1 hour')
returning id as live \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'sam', :'org', :'live', 'missed');
-- one of Mum's rows about Sam is already claimed by a dispatcher
update tutela_private.notification_outbox set status = 'sending', claimed_at = now(), attempts = 1
where recipient_user_id = :'u_mum' and student_id = :'sam' and kind = 'child_absent';

select tutela_tests.authenticate_as(:'u_staff');
select lives_ok(
  format($$ select tutela.revoke_guardian_link(%L, 'moved away') $$, :'mum_sam'),
  'staff revoke Mum''s link to Sam'
);
select tutela_tests.clear_authentication();

select results_eq(
  format(
    $$ select kind, status, cancel_reason, cancelled_at is not null
       from tutela_private.notification_outbox where recipient_user_id = %L and student_id = %L
       order by kind $$,
    :'u_mum', :'sam'
  ),
  $$ values ('child_absent'::text, 'cancelled'::text, 'link_revoked'::text, true),
     ('weekly_digest', 'cancelled', 'link_revoked', true) $$,
  'Mum''s messages about Sam: cancelled at once, pending or sending, the reason recorded'
);
select results_eq(
  format(
    $$ select kind, status from tutela_private.notification_outbox
       where not (recipient_user_id = %L and student_id = %L) order by kind $$,
    :'u_mum', :'sam'
  ),
  $$ values ('child_absent'::text, 'pending'::text), ('weekly_digest', 'pending'),
     ('weekly_digest', 'pending') $$,
  'Dad''s messages about Sam and Mum''s about Kim stay queued'
);

select tutela_tests.as_service_role();
select is_empty(
  format(
    $$ select 1 from tutela.claim_notifications(100, 300)
       where recipient_user_id = %L and student_id = %L $$,
    :'u_mum', :'sam'
  ),
  'the dispatcher is handed nothing of Mum''s about Sam'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela_private.notification_outbox where status = 'sending'),
  3,
  'the others were claimed'
);

-- restored: what was cancelled stays cancelled
select tutela_tests.authenticate_as(:'u_staff');
select lives_ok(
  format($$ select tutela.restore_guardian_link(%L) $$, :'mum_sam'), 'staff restore the link'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_mum' and student_id = :'sam' and status = 'cancelled'
  ),
  2,
  'restoring the link does not resend what was cancelled'
);
select tutela_tests.as_service_role();
select is_empty(
  'select 1 from tutela.claim_notifications(100, 300)', 'nothing more to claim'
);

select * from finish();
rollback;
