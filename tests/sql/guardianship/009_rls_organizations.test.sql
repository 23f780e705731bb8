-- organizations, read under RLS: members (admins, staff), students with a login and active
-- guardians see their organisation; pending and revoked guardians, strangers and staff of
-- another organisation do not; anon has no grant at all.
begin;
select plan(14);

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

select tutela_tests.authenticate_as(:'admin_a');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org_a'),
  'the admin sees exactly their organisation'
);
select tutela_tests.authenticate_as(:'staff_a');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org_a'),
  'staff see exactly their organisation'
);
select tutela_tests.authenticate_as(:'kid_user');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org_a'),
  'a student sees exactly their organisation'
);
select tutela_tests.authenticate_as(:'guardian');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org_a'),
  'an active guardian sees exactly their child''s organisation'
);
select tutela_tests.authenticate_as(:'guardian_b');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org_b'),
  'the guardian in B sees exactly organisation B'
);
select tutela_tests.authenticate_as(:'staff_b');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org_b'),
  'staff of B see exactly organisation B'
);
select is_empty(
  format('select id from tutela.organizations where id = %L', :'org_a'),
  'staff of another organisation do not see A'
);

select tutela_tests.authenticate_as(:'pending');
select is_empty('select id from tutela.organizations', 'a pending guardian sees nothing');
select tutela_tests.authenticate_as(:'revoked');
select is_empty('select id from tutela.organizations', 'a revoked guardian sees nothing');
select tutela_tests.authenticate_as(:'stranger');
select is_empty('select id from tutela.organizations', 'a stranger sees nothing');
select is_empty(
  format('select id from tutela.organizations where id in (%L, %L)', :'org_a', :'org_b'),
  'not even when asking for the ids'
);

select tutela_tests.as_anon();
select throws_ok('select id from tutela.organizations', '42501', null, 'anon may not read it');

select tutela_tests.as_service_role();
select is(
  (select count(*) from tutela.organizations where id in (:'org_a', :'org_b')),
  2::bigint,
  'service_role reads every organisation'
);

select * from finish();
rollback;
