-- Security review (issue 22, finding 2): membership of an existing login needs that person's
-- acceptance. An admin invites by email (the same answer whether or not the address has an
-- account); the invitee accepts or declines with the token; nothing about the invitee becomes
-- visible to the organisation before they accept. Refusals: staff, strangers and admins of
-- another organisation TU403 (an unknown organisation too), a bad role or email TU422, a token
-- accepted by another user TU403, an unknown, used, withdrawn or expired token TU404, an
-- inviter who is no longer an admin TU404, an existing member TU409 already_member; anon 42501.
-- The reported attack: a guardian the child revoked makes an organisation and adds the child
-- to reach them; now it cannot.
begin;
select plan(29);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('new@a.test') as newcomer \gset
select tutela_tests.create_user('other@a.test') as other \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('ex@a.test') as ex \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset

-- ---------------------------------------------------------------------------------------------
-- invite, see, accept
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select
  invite_id,
  token
from tutela.invite_organization_member(
  :'org', ' New@A.test ', 'staff', 'Maths'
) \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select email, role, title, status, invited_by from tutela.membership_invites
      where id = %L$$,
    :'invite_id'
  ),
  format(
    $$values ('new@a.test'::text, 'staff'::text, 'Maths'::text, 'pending'::text, %L::uuid)$$,
    :'admin'
  ),
  'the invite is stored with the address in lower case, pending'
);
select is(
  (
    select count(*) from tutela_private.notification_outbox
    where
      kind = 'member_invite' and recipient_email = 'new@a.test'
      and payload ->> 'token' = :'token'
  ),
  1::bigint,
  'the invite email carries the token'
);
select is_empty(
  format('select 1 from tutela.memberships where user_id = %L', :'newcomer'),
  'no membership before acceptance'
);

select tutela_tests.authenticate_as(:'admin');
select is_empty(
  format('select 1 from tutela.profiles where user_id = %L', :'newcomer'),
  'the admin cannot see the invitee''s profile before they accept'
);
select set_eq(
  'select id from tutela.membership_invites where status = ''pending''',
  format('values (%L::uuid)', :'invite_id'),
  'the admin sees the organisation''s invites'
);
select throws_ok(
  'select token_hash from tutela.membership_invites',
  '42501', null, 'nobody reads the token hash'
);
select tutela_tests.authenticate_as(:'staff');
select is_empty(
  'select id from tutela.membership_invites where email <> ''staff@a.test''',
  'staff see only the invite sent to them, no one else''s'
);
select tutela_tests.authenticate_as(:'newcomer');
select set_eq(
  'select id from tutela.membership_invites',
  format('values (%L::uuid)', :'invite_id'),
  'the invitee sees the invite sent to their address'
);
select tutela_tests.authenticate_as(:'other');
select is_empty('select id from tutela.membership_invites', 'others see nothing');
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', :'token'),
  'TU403', null, 'another user cannot accept it'
);

select tutela_tests.authenticate_as(:'newcomer');
select results_eq(
  format(
    'select organization_id, user_id, role, title from tutela.accept_organization_invite(%L)',
    :'token'
  ),
  format($$values (%L::uuid, %L::uuid, 'staff'::text, 'Maths'::text)$$, :'org', :'newcomer'),
  'the invitee accepts: a staff membership with the title'
);
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', :'token'),
  'TU404', null, 'a used token is TU404'
);
select tutela_tests.authenticate_as(:'admin');
select isnt_empty(
  format('select 1 from tutela.profiles where user_id = %L', :'newcomer'),
  'once a member, their profile is visible to the organisation'
);
select throws_ok(
  format(
    $$select tutela.invite_organization_member(%L, 'new@a.test', 'staff')$$, :'org'
  ),
  'TU409', null, 'a member is not invited again (already_member)'
);

-- ---------------------------------------------------------------------------------------------
-- decline, withdraw, expiry, an inviter who is no longer an admin
-- ---------------------------------------------------------------------------------------------
select token as t_decline from tutela.invite_organization_member(:'org', 'other@a.test') \gset
select tutela_tests.authenticate_as(:'other');
select lives_ok(
  format('select tutela.decline_organization_invite(%L)', :'t_decline'),
  'the invitee declines'
);
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', :'t_decline'),
  'TU404', null, 'a declined invite cannot be accepted'
);
select tutela_tests.authenticate_as(:'admin');
select
  invite_id as i_w,
  token as t_w
from tutela.invite_organization_member(:'org', 'other@a.test') \gset
select tutela_tests.authenticate_as(:'admin_b');
select throws_ok(
  format('select tutela.withdraw_organization_invite(%L)', :'i_w'),
  'TU403', null, 'an admin of another organisation cannot withdraw it'
);
select throws_ok(
  format('select tutela.withdraw_organization_invite(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown invite is refused the same way'
);
select tutela_tests.authenticate_as(:'admin');
select is(
  (tutela.withdraw_organization_invite(:'i_w')).status, 'withdrawn', 'the admin withdraws it'
);
select tutela_tests.authenticate_as(:'other');
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', :'t_w'),
  'TU404', null, 'a withdrawn invite cannot be accepted'
);
select tutela_tests.authenticate_as(:'admin');
select
  token as t_exp,
  invite_id as i_exp
from tutela.invite_organization_member(:'org', 'other@a.test') \gset
select tutela_tests.clear_authentication();
update tutela.membership_invites set expires_at = now() - interval '1 minute'
where id = :'i_exp';
select tutela_tests.authenticate_as(:'other');
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', :'t_exp'),
  'TU404', null, 'an expired invite cannot be accepted'
);
select tutela_tests.authenticate_as(:'admin');
select token as t_demoted from tutela.invite_organization_member(:'org', 'other@a.test') \gset
select tutela_tests.add_member(:'org', :'ex', 'admin') is not null as added \gset
select tutela.add_organization_member(:'org', :'admin', 'staff') is not null as demoted \gset
select tutela_tests.authenticate_as(:'other');
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', :'t_demoted'),
  'TU404', null, 'an invite from someone who is no longer an admin is not valid'
);

-- ---------------------------------------------------------------------------------------------
-- who may invite
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format($$select tutela.invite_organization_member(%L, 'x@a.test')$$, :'org'),
  'TU403', null, 'staff cannot invite members'
);
select tutela_tests.authenticate_as(:'ex');
select throws_ok(
  format($$select tutela.invite_organization_member(%L, 'x@a.test', 'owner')$$, :'org'),
  'TU422', null, 'an unknown role is TU422'
);
select throws_ok(
  format($$select tutela.invite_organization_member(%L, 'not-an-email')$$, :'org'),
  'TU422', null, 'a bad address is TU422'
);
select throws_ok(
  format($$select tutela.invite_organization_member(%L, 'x@a.test')$$, gen_random_uuid()),
  'TU403', null, 'an unknown organisation is TU403'
);

-- ---------------------------------------------------------------------------------------------
-- the reported attack: a revoked guardian's own organisation cannot reach the child
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'other');
select id as evil_org from tutela.create_organization('Evil Org', 'evil-org') \gset
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'evil_org', :'kid', 'staff'),
  'TU409', null, 'the child cannot be made a member without accepting'
);
select is_empty(
  format('select 1 from tutela.profiles where user_id = %L', :'kid'),
  'and nothing about the child is visible to that organisation'
);

select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.accept_organization_invite(%L)', 'x'),
  '42501', null, 'anon may not accept invites'
);

select * from finish();
rollback;
