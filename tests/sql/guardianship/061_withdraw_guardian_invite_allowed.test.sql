-- withdraw_guardian_invite: the person who sent the invite (here a primary guardian) and any
-- staff or admin of the student's organisation withdraw a pending invite; it becomes
-- 'withdrawn' and its token stops working.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');
select invite_id as by_admin from tutela.invite_guardian(:'student', 'a@example.test') \gset
select tutela_tests.authenticate_as(:'staff');
select invite_id as by_staff from tutela.invite_guardian(:'student', 'b@example.test') \gset
select tutela_tests.authenticate_as(:'mum');
select
  invite_id as by_mum,
  token as mum_token
from tutela.invite_guardian(:'student', 'gran@example.test') \gset

-- the inviter withdraws their own invite
select tutela_tests.authenticate_as(:'mum');
select is(
  (select status from tutela.withdraw_guardian_invite(:'by_mum')),
  'withdrawn',
  'the inviter (a primary guardian) withdraws their invite'
);

-- staff withdraw an invite sent by the admin
select tutela_tests.authenticate_as(:'staff');
select is(
  (select status from tutela.withdraw_guardian_invite(:'by_admin')),
  'withdrawn',
  'staff withdraw an invite someone else sent'
);

-- the admin withdraws an invite sent by staff
select tutela_tests.authenticate_as(:'admin');
select is(
  (select status from tutela.withdraw_guardian_invite(:'by_staff')),
  'withdrawn',
  'an admin withdraws an invite someone else sent'
);

select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.guardian_invites
    where id in (:'by_mum', :'by_admin', :'by_staff') and status = 'withdrawn'
  ),
  3::bigint,
  'the three invites are stored as withdrawn'
);
select is(
  (
    select count(*) from tutela.link_events
    where action = 'invite_withdrawn' and invite_id in (:'by_mum', :'by_admin', :'by_staff')
  ),
  3::bigint,
  'each withdrawal is audited'
);
select is(
  (
    select actor_id from tutela.link_events
    where action = 'invite_withdrawn' and invite_id = :'by_mum'
  ),
  :'mum'::uuid,
  'the audit row names who withdrew'
);

select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'mum_token'),
  'TU404', null, 'a withdrawn invite can no longer be accepted'
);

select * from finish();
rollback;
