-- add_organization_member: an admin of the organisation changes a member's role; a newcomer
-- joins only by accepting an invite (security review: an admin could make anyone a member),
-- and an id that is no member gets the same TU409 whether or not it is a user. Staff,
-- strangers and admins of another organisation are TU403, and so is an unknown organisation
-- (no probing of ids); a role other than admin or staff is TU422. The service role (the app's
-- back office) adds a user directly.
begin;
select plan(20);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('newcomer@a.test') as newcomer \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset

select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset

-- the admin cannot make a login a member without that person's consent
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'newcomer', 'staff'),
  'TU409', null, 'adding an existing login directly is refused (invite_required)'
);
select throws_ok(
  format(
    'select tutela.add_organization_member(%L, %L, %L)', :'org_a', gen_random_uuid(), 'staff'
  ),
  'TU409', null, 'an unknown user id gets the same answer: no probing of user ids'
);
select is_empty(
  format('select 1 from tutela.memberships where user_id = %L', :'newcomer'),
  'no membership was made'
);

-- staff_a joins by accepting an invite
select tutela_tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset
select results_eq(
  format(
    'select user_id, role from tutela.memberships where organization_id = %L order by role',
    :'org_a'
  ),
  format('values (%L::uuid, %L::text), (%L, %L)', :'admin_a', 'admin', :'staff_a', 'staff'),
  'after accepting, the organisation has its admin and one staff member'
);

-- a second call changes the role of a member
select lives_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'admin'),
  'the admin promotes a staff member to admin'
);
select results_eq(
  format(
    'select count(*), min(role) from tutela.memberships where organization_id = %L '
    'and user_id = %L',
    :'org_a', :'staff_a'
  ),
  $$values (1::bigint, 'admin'::text)$$,
  'a role change keeps one membership row'
);
select lives_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'staff'),
  'the admin demotes them back to staff (another admin remains)'
);

-- the audit has the joining (by the member) and both role changes (by the admin)
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select action, actor_id, actor_role from tutela.link_events '
    'where organization_id = %L and subject_user_id = %L order by id',
    :'org_a', :'staff_a'
  ),
  format(
    'values (%L, %L::uuid, %L), (%L, %L::uuid, %L), (%L, %L::uuid, %L)',
    'member_added', :'staff_a', 'member',
    'member_role_changed', :'admin_a', 'admin',
    'member_role_changed', :'admin_a', 'admin'
  ),
  'each change is audited with who made it'
);

-- input checks, as the admin
select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'owner'),
  'TU422', null, 'an unknown role is TU422'
);
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, null)', :'org_a', :'staff_a'),
  'TU422', null, 'a missing role is TU422'
);
select throws_ok(
  format(
    'select tutela.add_organization_member(%L, %L, %L)', gen_random_uuid(), :'staff_a', 'staff'
  ),
  'TU403', null, 'an unknown organisation is TU403, like one the caller does not run'
);

-- denied actors
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'admin'),
  'TU403', null, 'staff may not promote themselves'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'stranger', 'admin'),
  'TU403', null, 'a stranger may not add themselves'
);
select tutela_tests.authenticate_as(:'admin_b');
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'admin'),
  'TU403', null, 'an admin of another organisation may not change roles'
);

select tutela_tests.clear_authentication();
select is_empty(
  format(
    'select 1 from tutela.memberships where organization_id = %L and user_id in (%L, %L, %L)',
    :'org_a', :'newcomer', :'stranger', :'admin_b'
  ),
  'no refused call added a member'
);
select is(
  (select role from tutela.memberships where organization_id = :'org_a' and user_id = :'staff_a'),
  'staff',
  'the refused promotions changed nothing'
);

-- the service role (back office) adds a user directly; an unknown user is TU404 to it
select tutela_tests.as_service_role();
select is(
  (tutela.add_organization_member(:'org_a', :'newcomer', 'staff')).user_id,
  :'newcomer'::uuid,
  'the service role adds a member directly'
);
select throws_ok(
  format(
    'select tutela.add_organization_member(%L, %L, %L)', :'org_a', gen_random_uuid(), 'staff'
  ),
  'TU404', null, 'the service role is told an unknown user is TU404'
);

-- no user in the token; anon
select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'staff'),
  'TU401', null, 'authenticated role without a user is TU401'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'staff'),
  '42501', null, 'anon may not call it'
);

select * from finish();
rollback;
