-- The last-admin rule: an organisation always keeps at least one admin. The last admin cannot
-- be removed nor demoted to staff (TU409); with a second admin both become possible.
begin;
select plan(11);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('deputy@a.test') as deputy \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset

-- alone: neither removal nor demotion
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'admin_a'),
  'TU409', null, 'the last admin cannot remove themselves'
);
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'admin_a', 'staff'),
  'TU409', null, 'the last admin cannot demote themselves to staff'
);
select lives_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'admin_a', 'admin'),
  'the last admin may re-state their own admin role'
);
select results_eq(
  format('select user_id, role from tutela.memberships where organization_id = %L', :'org_a'),
  format('values (%L::uuid, %L::text)', :'admin_a', 'admin'),
  'the admin is still there, still admin'
);

-- with a second admin, the first may step down
select tutela_tests.add_member(:'org_a', :'deputy', 'admin') is not null as added \gset
select lives_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'admin_a', 'staff'),
  'with another admin, an admin may become staff'
);

-- the deputy is now the last admin: same protection
select tutela_tests.authenticate_as(:'deputy');
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'deputy'),
  'TU409', null, 'the new last admin cannot remove themselves'
);
select throws_ok(
  format('select tutela.add_organization_member(%L, %L, %L)', :'org_a', :'deputy', 'staff'),
  'TU409', null, 'the new last admin cannot demote themselves'
);
select lives_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'admin_a'),
  'the last admin may remove a staff member (the former admin)'
);
select results_eq(
  format('select user_id, role from tutela.memberships where organization_id = %L', :'org_a'),
  format('values (%L::uuid, %L::text)', :'deputy', 'admin'),
  'one admin remains'
);

-- two admins: one may remove the other
select tutela_tests.add_member(:'org_a', :'admin_a', 'admin') is not null as added \gset
select lives_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'deputy'),
  'with two admins, an admin may remove themselves'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select user_id from tutela.memberships where organization_id = %L and role = %L',
    :'org_a', 'admin'
  ),
  format('values (%L::uuid)', :'admin_a'),
  'the other admin remains'
);

select * from finish();
rollback;
