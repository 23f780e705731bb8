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
select tests.create_user('admin@a.test') as admin_a \gset
select tests.create_user('staff@a.test') as staff_a \gset
select tests.create_user('kid@a.test') as kid_user \gset
select tests.create_user('guardian@a.test') as guardian \gset
select tests.create_user('pending@a.test') as pending \gset
select tests.create_user('revoked@a.test') as revoked \gset
select tests.create_user('stranger@x.test') as stranger \gset
select tests.create_user('admin@b.test') as admin_b \gset
select tests.create_user('staff@b.test') as staff_b \gset
select tests.create_user('guardian@b.test') as guardian_b \gset

select tests.authenticate_as(:'admin_b');
select id as org_b from public.create_organization('Beta School', 'beta-school') \gset
select tests.add_member(:'org_b', :'staff_b', 'staff') is not null as added \gset
select id as kid_b from public.create_student(:'org_b', 'Kid B') \gset
select code from public.create_guardian_link_code(:'kid_b') \gset
select tests.authenticate_as(:'guardian_b');
select public.redeem_guardian_link_code(:'code') ->> 'id' as link_b \gset

select tests.authenticate_as(:'admin_a');
select id as org_a from public.create_organization('Alpha School', 'alpha-school') \gset
select tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset
select id as kid from public.create_student(:'org_a', 'Kid') \gset
select tests.attach_student_login(:'kid', :'kid_user');
select id as kid2 from public.create_student(:'org_a', 'Kid Two') \gset
select code from public.create_guardian_link_code(:'kid', 3) \gset
select tests.authenticate_as(:'revoked');
select public.redeem_guardian_link_code(:'code') ->> 'id' as link_revoked \gset
select tests.authenticate_as(:'guardian');
select public.redeem_guardian_link_code(:'code') ->> 'id' as link_active \gset
select tests.authenticate_as(:'kid_user');
select (public.revoke_guardian_link(:'link_revoked')).status as revoked_status \gset
select tests.authenticate_as(:'admin_a');
select
  public.update_organization_settings(
    :'org_a', '{"link_requires_student_approval": true, "max_guardians_per_student": 5}'
  ) is not null as changed
\gset
-- a new code: revoking a guardian withdrew the codes they had redeemed
select code from public.create_guardian_link_code(:'kid', 3) \gset
select tests.authenticate_as(:'pending');
select public.redeem_guardian_link_code(:'code') ->> 'id' as link_pending \gset
select tests.clear_authentication();
select results_eq(
  format(
    'select guardian_id, status from public.guardian_links where student_id = %L '
    'order by status',
    :'kid'
  ),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'guardian', 'active', :'pending', 'pending', :'revoked', 'revoked'
  ),
  'setup: the student has an active, a pending and a revoked guardian'
);
select tests.create_user('Invitee@A.Test') as invitee \gset

-- invites: by staff and by the (primary) guardian for the student, by the admin for the
-- student without a login, and by staff of B
select tests.authenticate_as(:'kid_user');
select (public.set_primary_guardian(:'link_active')).is_primary as primary_set \gset
select tests.authenticate_as(:'staff_a');
select invite_id as inv_staff from public.invite_guardian(:'kid', 'invitee@a.test') \gset
select tests.authenticate_as(:'guardian');
select invite_id as inv_guardian from public.invite_guardian(:'kid', 'coparent@a.test') \gset
select tests.authenticate_as(:'admin_a');
select invite_id as inv_kid2 from public.invite_guardian(:'kid2', 'other@a.test') \gset
select tests.authenticate_as(:'staff_b');
select invite_id as inv_b from public.invite_guardian(:'kid_b', 'someone@b.test') \gset

select tests.authenticate_as(:'admin_a');
select set_eq(
  'select id from public.guardian_invites',
  array[:'inv_staff', :'inv_guardian', :'inv_kid2']::uuid[],
  'the admin sees every invite for A''s students'
);
select tests.authenticate_as(:'staff_a');
select set_eq(
  'select id from public.guardian_invites',
  array[:'inv_staff', :'inv_guardian', :'inv_kid2']::uuid[],
  'staff see every invite for A''s students'
);
select tests.authenticate_as(:'kid_user');
select set_eq(
  'select id from public.guardian_invites',
  array[:'inv_staff', :'inv_guardian']::uuid[],
  'a student sees the invites for their own record'
);
select tests.authenticate_as(:'guardian');
select results_eq(
  'select id from public.guardian_invites',
  format('values (%L::uuid)', :'inv_guardian'),
  'the inviting guardian sees exactly the invite they sent'
);
select tests.authenticate_as(:'invitee');
select results_eq(
  'select id from public.guardian_invites',
  format('values (%L::uuid)', :'inv_staff'),
  'the invitee sees exactly the invite sent to their email, whatever its case'
);
select tests.authenticate_as(:'staff_b');
select results_eq(
  'select id from public.guardian_invites',
  format('values (%L::uuid)', :'inv_b'),
  'staff of B see exactly the invites of B'
);
select is_empty(
  format('select id from public.guardian_invites where student_id in (%L, %L)', :'kid', :'kid2'),
  'staff of another organisation see no invite of A'
);

select tests.authenticate_as(:'pending');
select is_empty('select id from public.guardian_invites', 'a pending guardian sees nothing');
select tests.authenticate_as(:'revoked');
select is_empty('select id from public.guardian_invites', 'a revoked guardian sees nothing');
select tests.authenticate_as(:'guardian_b');
select is_empty('select id from public.guardian_invites', 'a guardian in B sees nothing');
select tests.authenticate_as(:'stranger');
select is_empty('select id from public.guardian_invites', 'a stranger sees nothing');

-- the token hash is not selectable, not even by those who see the row
select tests.authenticate_as(:'staff_a');
select throws_ok(
  'select token_hash from public.guardian_invites',
  '42501', null, 'staff cannot select token_hash'
);
select throws_ok(
  'select * from public.guardian_invites',
  '42501', null, 'select * includes token_hash and is refused'
);
select throws_ok(
  $$select id from public.guardian_invites where token_hash is not null$$,
  '42501', null, 'token_hash cannot be used in a filter either'
);
select tests.authenticate_as(:'invitee');
select throws_ok(
  'select token_hash from public.guardian_invites',
  '42501', null, 'the invitee cannot select token_hash'
);
select lives_ok(
  'select id, student_id, email, name, relation, permissions, expires_at, invited_by, status,'
  ' accepted_by, accepted_at, created_at, updated_at from public.guardian_invites',
  'every other column is readable'
);

select tests.as_anon();
select throws_ok('select id from public.guardian_invites', '42501', null, 'anon may not read it');

select tests.as_service_role();
select is(
  (
    select count(*) from public.guardian_invites
    where id in (:'inv_staff', :'inv_guardian', :'inv_kid2', :'inv_b')
  ),
  4::bigint,
  'service_role reads every invite'
);

select * from finish();
rollback;
