-- remove_organization_member: only an admin of the organisation removes members. Staff,
-- strangers and admins of another organisation are TU403; an unknown organisation or a user
-- who is not a member is TU403, like an organisation they do not run (no probing of ids).
-- The removal is audited and takes effect at once.
begin;
select plan(15);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('teacher@a.test') as teacher_a \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset

select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset
select tutela_tests.add_member(:'org_a', :'teacher_a', 'staff') is not null as added \gset

-- denied actors first: nothing changes
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'teacher_a'),
  'TU403', null, 'staff may not remove a member'
);
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'admin_a'),
  'TU403', null, 'staff may not remove the admin'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'teacher_a'),
  'TU403', null, 'a stranger may not remove a member'
);
select tutela_tests.authenticate_as(:'admin_b');
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'teacher_a'),
  'TU403', null, 'an admin of another organisation may not remove a member'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.memberships where organization_id = :'org_a'),
  3::bigint,
  'the refused calls removed nobody'
);

-- the admin removes a staff member
select tutela_tests.authenticate_as(:'admin_a');
select lives_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'teacher_a'),
  'the admin removes a staff member'
);
select set_eq(
  'select user_id from tutela.memberships',
  array[:'admin_a', :'staff_a']::uuid[],
  'the removed member is gone from the member list'
);

-- the removed member loses the organisation at once
select tutela_tests.authenticate_as(:'teacher_a');
select is_empty('select id from tutela.organizations', 'the removed member no longer sees it');
select is_empty('select id from tutela.memberships', 'nor its members');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select actor_id, actor_role, old_values ->> %L from tutela.link_events '
    'where organization_id = %L and action = %L and subject_user_id = %L',
    'role', :'org_a', 'member_removed', :'teacher_a'
  ),
  format('values (%L::uuid, %L::text, %L::text)', :'admin_a', 'admin', 'staff'),
  'the removal is audited with the old membership'
);

-- not found
select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'teacher_a'),
  'TU403', null, 'removing someone who is no longer a member is TU403 (no probing)'
);
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'stranger'),
  'TU403', null, 'removing a user who never was a member is TU403 (no probing)'
);
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', gen_random_uuid(), :'staff_a'),
  'TU403', null, 'an unknown organisation is TU403 (no probing)'
);

-- no user in the token; anon
select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'staff_a'),
  'TU401', null, 'authenticated role without a user is TU401'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.remove_organization_member(%L, %L)', :'org_a', :'staff_a'),
  '42501', null, 'anon may not call it'
);

select * from finish();
rollback;
