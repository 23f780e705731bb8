-- Review of the first security fix, two low findings. A student invite is accepted, and mailed,
-- only while its sender is still staff of the organisation (TU404 at acceptance,
-- 'inviter_not_allowed' at sending), like guardian and membership invites. The audit rows of
-- membership invitations (the invitee's address) are for admins: other staff read every other
-- event of their organisation, not those; a decline names no user.
begin;
select plan(6);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('x@a.test') as x \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select tutela_tests.authenticate_as(:'staff');
select token as kid_token from tutela.invite_student(:'org', 'Kid', 'kid@a.test') \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.remove_organization_member(:'org', :'staff') is null as removed \gset

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'kid_token'),
  'TU404', null, 'a student invite from staff who have left is no longer valid'
);
select tutela_tests.as_service_role();
select is_empty(
  $$select 1 from tutela.claim_notifications(100, 300) where template = 'student_invite'$$,
  'and its email is not sent'
);
select tutela_tests.clear_authentication();
select is(
  (select cancel_reason from tutela_private.notification_outbox where kind = 'student_invite'),
  'inviter_not_allowed',
  'the message says why'
);

-- membership invitations in the audit: admins only; a decline names no user
select tutela_tests.authenticate_as(:'admin');
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select token as x_token from tutela.invite_organization_member(:'org', 'x@a.test') \gset
select tutela_tests.authenticate_as(:'x');
select tutela.decline_organization_invite(:'x_token') is null as declined \gset
select tutela_tests.authenticate_as(:'staff');
select is_empty(
  $$select 1 from tutela.link_events where action like 'member\_invite\_%'$$,
  'staff do not read membership invitations in the audit'
);
select tutela_tests.authenticate_as(:'admin');
select isnt_empty(
  $$select 1 from tutela.link_events where action = 'member_invite_created'$$,
  'admins do'
);
select is(
  (
    select subject_user_id from tutela.link_events
    where action = 'member_invite_declined' and organization_id = :'org'
  ),
  null,
  'a decline does not tell the organisation that the address has an account'
);

select * from finish();
rollback;
