-- Invites are mailed only while they can still be accepted: claim_notifications cancels a
-- guardian or student invite that was withdrawn ('invite_withdrawn'), replaced by a newer one
-- to the same address (the old one is withdrawn), has expired even before the expiry job ran
-- ('invite_expired'), or whose student record already has a login ('already_claimed'); a
-- co-parent's invite is cancelled once its inviter may no longer invite (here the organisation
-- lets only staff invite from now on: 'inviter_not_allowed'). The token goes with the
-- cancellation. A valid invite is claimed.
begin;
select plan(6);

select tutela_tests.create_user('staff-083@ntf.test') as u_staff \gset
select tutela_tests.create_user('mum-083@ntf.test') as u_mum \gset
select tutela_tests.create_user('kid-083@ntf.test') as u_kid \gset
insert into tutela.organizations (name, slug)
values ('Ntf 083', 'ntf-083') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, is_primary
)
values (:'sam', :'u_mum', 'active', 'staff', now(), true);

select tutela_tests.authenticate_as(:'u_staff');
-- withdrawn
select invite_id as withdrawn from tutela.invite_guardian(:'sam', 'w-083@ntf.test') \gset
select tutela.withdraw_guardian_invite(:'withdrawn');
-- replaced: the first invite to r-083 is withdrawn by the second
select invite_id as replaced_1 from tutela.invite_guardian(:'sam', 'r-083@ntf.test') \gset
select invite_id as replaced_2 from tutela.invite_guardian(:'sam', 'r-083@ntf.test') \gset
-- expired (back-dated below), and a valid one
select invite_id as expired from tutela.invite_guardian(:'sam', 'e-083@ntf.test') \gset
select invite_id as valid from tutela.invite_guardian(:'sam', 'v-083@ntf.test') \gset
-- student invites: one whose record gets a login first, one expired, one valid
select student_id as claimed_kid from tutela.invite_student(:'org', 'Ann', 'ann-083@ntf.test')
\gset
select student_id as expired_kid from tutela.invite_student(:'org', 'Bo', 'bo-083@ntf.test')
\gset
select student_id as valid_kid from tutela.invite_student(:'org', 'Cy', 'cy-083@ntf.test')
\gset
-- a co-parent invited by Mum (primary); then only staff may invite
select tutela_tests.authenticate_as(:'u_mum');
select invite_id as coparent from tutela.invite_guardian(:'sam', 'c-083@ntf.test') \gset
select tutela_tests.authenticate_as(:'u_staff');
select tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "staff"}');
select tutela_tests.clear_authentication();

update tutela.guardian_invites set expires_at = now() - interval '1 minute'
where id = :'expired';
update tutela.student_invites set expires_at = now() - interval '1 minute'
where student_id = :'expired_kid';
select tutela_tests.attach_student_login(:'claimed_kid', :'u_kid');

select is(
  (select count(*)::integer from tutela_private.notification_outbox where status = 'pending'),
  9,
  'nine invite emails queued'
);

select tutela_tests.as_service_role();
select results_eq(
  'select recipient_email from tutela.claim_notifications(100, 300) order by 1',
  $$ values ('cy-083@ntf.test'::text), ('r-083@ntf.test'), ('v-083@ntf.test') $$,
  'only the invites that can still be accepted are handed out'
);
select tutela_tests.clear_authentication();

select results_eq(
  $$ select recipient_email, kind, cancel_reason from tutela_private.notification_outbox
     where status = 'cancelled' order by 1 $$,
  $$ values ('ann-083@ntf.test'::text, 'student_invite'::text, 'already_claimed'::text),
     ('bo-083@ntf.test', 'student_invite', 'invite_expired'),
     ('c-083@ntf.test', 'guardian_invite', 'inviter_not_allowed'),
     ('e-083@ntf.test', 'guardian_invite', 'invite_expired'),
     ('r-083@ntf.test', 'guardian_invite', 'invite_withdrawn'),
     ('w-083@ntf.test', 'guardian_invite', 'invite_withdrawn') $$,
  'the others are cancelled, each with its reason'
);
select is(
  (
    select payload ->> 'invite_id' from tutela_private.notification_outbox
    where recipient_email = 'r-083@ntf.test' and status = 'sending'
  ),
  :'replaced_2'::text,
  'of the replaced invites, the newer one goes'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where status = 'cancelled' and payload ? 'token'
  ),
  0,
  'no cancelled invite keeps its token'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where status = 'sending' and payload ? 'token'
  ),
  3,
  'the claimed invites still carry theirs (dropped once sent)'
);

select * from finish();
rollback;
