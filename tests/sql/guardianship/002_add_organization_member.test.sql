-- add_organization_member: only an admin of the organisation adds members or changes a
-- member's role. Staff, strangers and admins of another organisation are TU403; an unknown
-- organisation or user is TU404; a role other than admin or staff is TU422.
begin;
select plan(20);

select tests.create_user('admin@a.test') as admin_a \gset
select tests.create_user('staff@a.test') as staff_a \gset
select tests.create_user('newcomer@a.test') as newcomer \gset
select tests.create_user('stranger@x.test') as stranger \gset
select tests.create_user('admin@b.test') as admin_b \gset

select tests.authenticate_as(:'admin_b');
select id as org_b from public.create_organization('Beta School', 'beta-school') \gset

select tests.authenticate_as(:'admin_a');
select id as org_a from public.create_organization('Alpha School', 'alpha-school') \gset

-- the admin adds a staff member
select
  user_id as added_user,
  role as added_role
from public.add_organization_member(:'org_a', :'staff_a', 'staff') \gset
select is(:'added_user'::uuid, :'staff_a'::uuid, 'the admin adds a member: the row is returned');
select is(:'added_role'::text, 'staff', 'with the role asked for');
select results_eq(
  format(
    'select user_id, role from public.memberships where organization_id = %L order by role',
    :'org_a'
  ),
  format('values (%L::uuid, %L::text), (%L, %L)', :'admin_a', 'admin', :'staff_a', 'staff'),
  'the organisation now has its admin and one staff member'
);

-- a second call changes the role instead of adding a row
select lives_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'admin'),
  'the admin promotes a staff member to admin'
);
select results_eq(
  format(
    'select count(*), min(role) from public.memberships where organization_id = %L '
    'and user_id = %L',
    :'org_a', :'staff_a'
  ),
  $$values (1::bigint, 'admin'::text)$$,
  'a role change keeps one membership row'
);
select lives_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'staff'),
  'the admin demotes them back to staff (another admin remains)'
);

-- the audit has both kinds of change
select tests.clear_authentication();
select results_eq(
  format(
    'select action, actor_id, actor_role from public.link_events '
    'where organization_id = %L and subject_user_id = %L order by id',
    :'org_a', :'staff_a'
  ),
  format(
    'values (%L, %L::uuid, %L), (%L, %L::uuid, %L), (%L, %L::uuid, %L)',
    'member_added', :'admin_a', 'admin',
    'member_role_changed', :'admin_a', 'admin',
    'member_role_changed', :'admin_a', 'admin'
  ),
  'each change is audited with the admin as actor'
);

-- input checks, as the admin
select tests.authenticate_as(:'admin_a');
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'newcomer', 'owner'),
  'TU422', null, 'an unknown role is TU422'
);
select throws_ok(
  format('select public.add_organization_member(%L, %L, null)', :'org_a', :'newcomer'),
  'TU422', null, 'a missing role is TU422'
);
select throws_ok(
  format(
    'select public.add_organization_member(%L, %L, %L)', :'org_a', gen_random_uuid(), 'staff'
  ),
  'TU404', null, 'an unknown user is TU404'
);
select throws_ok(
  format('select public.add_organization_member(%L, null, %L)', :'org_a', 'staff'),
  'TU404', null, 'a missing user is TU404'
);
select throws_ok(
  format(
    'select public.add_organization_member(%L, %L, %L)', gen_random_uuid(), :'newcomer', 'staff'
  ),
  'TU404', null, 'an unknown organisation is TU404'
);

-- denied actors
select tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'newcomer', 'staff'),
  'TU403', null, 'staff may not add members'
);
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'staff_a', 'admin'),
  'TU403', null, 'staff may not promote themselves'
);
select tests.authenticate_as(:'stranger');
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'stranger', 'admin'),
  'TU403', null, 'a stranger may not add themselves'
);
select tests.authenticate_as(:'admin_b');
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'newcomer', 'staff'),
  'TU403', null, 'an admin of another organisation may not add members'
);

select tests.clear_authentication();
select is_empty(
  format(
    'select 1 from public.memberships where organization_id = %L and user_id in (%L, %L, %L)',
    :'org_a', :'newcomer', :'stranger', :'admin_b'
  ),
  'no refused call added a member'
);
select is(
  (select role from public.memberships where organization_id = :'org_a' and user_id = :'staff_a'),
  'staff',
  'the refused self-promotion changed nothing'
);

-- no user in the token; anon
set local role authenticated;
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'newcomer', 'staff'),
  'TU401', null, 'authenticated role without a user is TU401'
);
select tests.as_anon();
select throws_ok(
  format('select public.add_organization_member(%L, %L, %L)', :'org_a', :'newcomer', 'staff'),
  '42501', null, 'anon may not call it'
);

select * from finish();
rollback;
