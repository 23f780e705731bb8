-- guardian_invites, read under RLS: staff and admins see the invites of their organisation's
-- students, a student the invites for their record, the inviter the invites they sent, the
-- invitee (matched by email, any case) the invites sent to them. Other guardians, strangers and
-- staff of another organisation see nothing of A; anon has no grant. token_hash is never
-- readable through the API.
begin;
select plan(19);

-- Cast: organisation A (admin, staff, a student with a login and one without; an active, a
-- pending and a revoked guardian of the student), organisation B (admin, staff, a student
-- and an active guardian), and a stranger.
select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('guardian@a.test') as guardian \gset
select tutela_tests.create_user('pending@a.test') as pending \gset
select tutela_tests.create_user('revoked@a.test') as revoked \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset
select tutela_tests.create_user('staff@b.test') as staff_b \gset
select tutela_tests.create_user('guardian@b.test') as guardian_b \gset

select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset
select tutela_tests.add_member(:'org_b', :'staff_b', 'staff') is not null as added \gset
select id as kid_b from tutela.create_student(:'org_b', 'Kid B') \gset
select code from tutela.create_guardian_link_code(:'kid_b') \gset
select tutela_tests.authenticate_as(:'guardian_b');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_b \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset
select id as kid from tutela.create_student(:'org_a', 'Kid') \gset
select tutela_tests.attach_student_login(:'kid', :'kid_user');
select id as kid2 from tutela.create_student(:'org_a', 'Kid Two') \gset
select code from tutela.create_guardian_link_code(:'kid', 3) \gset
select tutela_tests.authenticate_as(:'revoked');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_revoked \gset
select tutela_tests.authenticate_as(:'guardian');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_active \gset
select tutela_tests.authenticate_as(:'kid_user');
select (tutela.revoke_guardian_link(:'link_revoked')).status as revoked_status \gset
select tutela_tests.authenticate_as(:'admin_a');
select
  tutela.update_organization_settings(
    :'org_a', '{"link_requires_student_approval": true, "max_guardians_per_student": 5}'
  ) is not null as changed
\gset
-- a new code: revoking a guardian withdrew the codes they had redeemed
select code from tutela.create_guardian_link_code(:'kid', 3) \gset
select tutela_tests.authenticate_as(:'pending');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_pending \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_id, status from tutela.guardian_links where student_id = %L '
    'order by status',
    :'kid'
  ),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'guardian', 'active', :'pending', 'pending', :'revoked', 'revoked'
  ),
  'setup: the student has an active, a pending and a revoked guardian'
);
select tutela_tests.create_user('Invitee@A.Test') as invitee \gset

-- invites: by staff and by the (primary) guardian for the student, by the admin for the
-- student without a login, and by staff of B
select tutela_tests.authenticate_as(:'kid_user');
select (tutela.set_primary_guardian(:'link_active')).is_primary as primary_set \gset
select tutela_tests.authenticate_as(:'staff_a');
select invite_id as inv_staff from tutela.invite_guardian(:'kid', 'invitee@a.test') \gset
select tutela_tests.authenticate_as(:'guardian');
select invite_id as inv_guardian from tutela.invite_guardian(:'kid', 'coparent@a.test') \gset
select tutela_tests.authenticate_as(:'admin_a');
select invite_id as inv_kid2 from tutela.invite_guardian(:'kid2', 'other@a.test') \gset
select tutela_tests.authenticate_as(:'staff_b');
select invite_id as inv_b from tutela.invite_guardian(:'kid_b', 'someone@b.test') \gset

select tutela_tests.authenticate_as(:'admin_a');
select set_eq(
  'select id from tutela.guardian_invites',
  array[:'inv_staff', :'inv_guardian', :'inv_kid2']::uuid[],
  'the admin sees every invite for A''s students'
);
select tutela_tests.authenticate_as(:'staff_a');
select set_eq(
  'select id from tutela.guardian_invites',
  array[:'inv_staff', :'inv_guardian', :'inv_kid2']::uuid[],
  'staff see every invite for A''s students'
);
select tutela_tests.authenticate_as(:'kid_user');
select set_eq(
  'select id from tutela.guardian_invites',
  array[:'inv_staff', :'inv_guardian']::uuid[],
  'a student sees the invites for their own record'
);
select tutela_tests.authenticate_as(:'guardian');
select results_eq(
  'select id from tutela.guardian_invites',
  format('values (%L::uuid)', :'inv_guardian'),
  'the inviting guardian sees exactly the invite they sent'
);
select tutela_tests.authenticate_as(:'invitee');
select results_eq(
  'select id from tutela.guardian_invites',
  format('values (%L::uuid)', :'inv_staff'),
  'the invitee sees exactly the invite sent to their email, whatever its case'
);
select tutela_tests.authenticate_as(:'staff_b');
select results_eq(
  'select id from tutela.guardian_invites',
  format('values (%L::uuid)', :'inv_b'),
  'staff of B see exactly the invites of B'
);
select is_empty(
  format('select id from tutela.guardian_invites where student_id in (%L, %L)', :'kid', :'kid2'),
  'staff of another organisation see no invite of A'
);

select tutela_tests.authenticate_as(:'pending');
select is_empty('select id from tutela.guardian_invites', 'a pending guardian sees nothing');
select tutela_tests.authenticate_as(:'revoked');
select is_empty('select id from tutela.guardian_invites', 'a revoked guardian sees nothing');
select tutela_tests.authenticate_as(:'guardian_b');
select is_empty('select id from tutela.guardian_invites', 'a guardian in B sees nothing');
select tutela_tests.authenticate_as(:'stranger');
select is_empty('select id from tutela.guardian_invites', 'a stranger sees nothing');

-- the token hash is not selectable, not even by those who see the row
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  'select token_hash from tutela.guardian_invites',
  '42501', null, 'staff cannot select token_hash'
);
select throws_ok(
  'select * from tutela.guardian_invites',
  '42501', null, 'select * includes token_hash and is refused'
);
select throws_ok(
  $$select id from tutela.guardian_invites where token_hash is not null$$,
  '42501', null, 'token_hash cannot be used in a filter either'
);
select tutela_tests.authenticate_as(:'invitee');
select throws_ok(
  'select token_hash from tutela.guardian_invites',
  '42501', null, 'the invitee cannot select token_hash'
);
select lives_ok(
  'select id, student_id, email, name, relation, permissions, expires_at, invited_by, status,'
  ' accepted_by, accepted_at, created_at, updated_at from tutela.guardian_invites',
  'every other column is readable'
);

select tutela_tests.as_anon();
select throws_ok('select id from tutela.guardian_invites', '42501', null, 'anon may not read it');

select tutela_tests.as_service_role();
select is(
  (
    select count(*) from tutela.guardian_invites
    where id in (:'inv_staff', :'inv_guardian', :'inv_kid2', :'inv_b')
  ),
  4::bigint,
  'service_role reads every invite'
);

select * from finish();
rollback;
