-- profiles, read under guardianship: everyone sees their own profile; staff and admins see
-- their co-members, their students with a login and every guardian (any status) of their
-- students; a student sees the guardians (any status) of their record; an active guardian sees
-- their child. Pending and revoked guardians and strangers see only themselves; anon has no
-- grant.
begin;
select plan(12);

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
select set_eq(
  'select user_id from tutela.profiles',
  array[:'admin_a', :'staff_a', :'kid_user', :'guardian', :'pending', :'revoked']::uuid[],
  'the admin sees co-members, the student and every guardian of A''s students'
);
select tutela_tests.authenticate_as(:'staff_a');
select set_eq(
  'select user_id from tutela.profiles',
  array[:'admin_a', :'staff_a', :'kid_user', :'guardian', :'pending', :'revoked']::uuid[],
  'staff see co-members, the student and every guardian of A''s students'
);
select tutela_tests.authenticate_as(:'kid_user');
select set_eq(
  'select user_id from tutela.profiles',
  array[:'kid_user', :'guardian', :'pending', :'revoked']::uuid[],
  'a student sees themself and the guardians of their record'
);
select tutela_tests.authenticate_as(:'guardian');
select set_eq(
  'select user_id from tutela.profiles',
  array[:'guardian', :'kid_user']::uuid[],
  'an active guardian sees themself and their child, not the other guardians'
);
select tutela_tests.authenticate_as(:'staff_b');
select set_eq(
  'select user_id from tutela.profiles',
  array[:'admin_b', :'staff_b', :'guardian_b']::uuid[],
  'staff of B see only the people of B'
);
select tutela_tests.authenticate_as(:'guardian_b');
select results_eq(
  'select user_id from tutela.profiles',
  format('values (%L::uuid)', :'guardian_b'),
  'a guardian of a student without a login sees only themself'
);
select tutela_tests.authenticate_as(:'pending');
select results_eq(
  'select user_id from tutela.profiles',
  format('values (%L::uuid)', :'pending'),
  'a pending guardian sees only themself'
);
select tutela_tests.authenticate_as(:'revoked');
select results_eq(
  'select user_id from tutela.profiles',
  format('values (%L::uuid)', :'revoked'),
  'a revoked guardian sees only themself'
);
select tutela_tests.authenticate_as(:'stranger');
select results_eq(
  'select user_id from tutela.profiles',
  format('values (%L::uuid)', :'stranger'),
  'a stranger sees only themself'
);
select is_empty(
  format('select user_id from tutela.profiles where user_id <> %L', :'stranger'),
  'and no one else'
);

select tutela_tests.as_anon();
select throws_ok('select user_id from tutela.profiles', '42501', null, 'anon may not read it');

select * from finish();
rollback;
