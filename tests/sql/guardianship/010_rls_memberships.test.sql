-- memberships, read under RLS: a member (admin or staff) sees every member of their
-- organisations and no other. Students, guardians of any status, strangers and staff of
-- another organisation see nothing of A; anon has no grant.
begin;
select plan(14);

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

select tests.authenticate_as(:'admin_a');
select results_eq(
  'select user_id, role from public.memberships order by role',
  format('values (%L::uuid, %L::text), (%L, %L)', :'admin_a', 'admin', :'staff_a', 'staff'),
  'the admin sees exactly the members of A'
);
select tests.authenticate_as(:'staff_a');
select results_eq(
  'select user_id, role from public.memberships order by role',
  format('values (%L::uuid, %L::text), (%L, %L)', :'admin_a', 'admin', :'staff_a', 'staff'),
  'staff see exactly the members of A'
);
select tests.authenticate_as(:'staff_b');
select results_eq(
  'select user_id, role from public.memberships order by role',
  format('values (%L::uuid, %L::text), (%L, %L)', :'admin_b', 'admin', :'staff_b', 'staff'),
  'staff of B see exactly the members of B'
);
select is_empty(
  format('select id from public.memberships where organization_id = %L', :'org_a'),
  'staff of another organisation see no member of A'
);

select tests.authenticate_as(:'kid_user');
select is_empty('select id from public.memberships', 'a student sees no membership');
select tests.authenticate_as(:'guardian');
select is_empty('select id from public.memberships', 'an active guardian sees no membership');
select tests.authenticate_as(:'pending');
select is_empty('select id from public.memberships', 'a pending guardian sees no membership');
select tests.authenticate_as(:'revoked');
select is_empty('select id from public.memberships', 'a revoked guardian sees no membership');
select tests.authenticate_as(:'stranger');
select is_empty('select id from public.memberships', 'a stranger sees no membership');

select tests.as_anon();
select throws_ok('select id from public.memberships', '42501', null, 'anon may not read it');

-- a member removed from A loses sight of A's members at once
select tests.authenticate_as(:'admin_a');
select lives_ok(
  format('select public.remove_organization_member(%L, %L)', :'org_a', :'staff_a'),
  'setup: the admin removes the staff member'
);
select tests.authenticate_as(:'staff_a');
select is_empty('select id from public.memberships', 'a removed member sees no membership');

select tests.as_service_role();
select is(
  (select count(*) from public.memberships where organization_id in (:'org_a', :'org_b')),
  3::bigint,
  'service_role reads every membership'
);

select * from finish();
rollback;
