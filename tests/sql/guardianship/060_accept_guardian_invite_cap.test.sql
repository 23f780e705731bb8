-- accept_guardian_invite: the guardian cap is checked again when the invite is accepted. If the
-- student gained guardians meanwhile and the cap is full, accepting is TU409 and the invite
-- stays pending (usable once a slot frees up).
begin;
select plan(5);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
-- invited while slots were free (cap 2, no guardian yet)
select
  invite_id,
  token
from tutela.invite_guardian(:'student', 'gran@example.test') \gset
-- then mum and dad link by code: the cap is full
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as dad_link \gset

select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'token'),
  'TU409', null, 'accepting when the cap is full: TU409'
);

select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where id = :'invite_id'),
  'pending',
  'the invite stays pending'
);
select is_empty(
  format('select 1 from tutela.guardian_links where guardian_id = %L', :'gran'),
  'no link was made for the invitee'
);

-- a slot frees up: the same invite now works
select tutela_tests.authenticate_as(:'admin');
select tutela.revoke_guardian_link(:'dad_link');
select tutela_tests.authenticate_as(:'gran');
select lives_ok(
  format('select tutela.accept_guardian_invite(%L)', :'token'),
  'after a link is revoked, the pending invite can be accepted'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where id = :'invite_id'),
  'accepted',
  'and it is accepted'
);

select * from finish();
rollback;
