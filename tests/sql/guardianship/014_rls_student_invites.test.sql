-- student_invites, read under RLS: staff and admins see the invites of their organisation,
-- the invitee (matched by email, any case) sees the invite sent to them, before and after
-- accepting it. Students, guardians, strangers and staff of another organisation see nothing
-- of A; anon has no grant. token_hash is never readable through the API.
begin;
select plan(17);

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
select tutela_tests.create_user('NewKid@A.Test') as newkid \gset

select tutela_tests.authenticate_as(:'staff_a');
select
  student_id as newkid_student,
  token as newkid_token
from tutela.invite_student(:'org_a', 'New Kid', 'newkid@a.test')
\gset
select tutela_tests.authenticate_as(:'admin_a');
select student_id as later_student from tutela.invite_student(:'org_a', 'Later', 'later@a.test')
\gset
select tutela_tests.authenticate_as(:'staff_b');
select student_id as b_student from tutela.invite_student(:'org_b', 'B New', 'new@b.test') \gset

select tutela_tests.authenticate_as(:'admin_a');
select set_eq(
  'select student_id from tutela.student_invites',
  array[:'newkid_student', :'later_student']::uuid[],
  'the admin sees every student invite of A'
);
select tutela_tests.authenticate_as(:'staff_a');
select set_eq(
  'select student_id from tutela.student_invites',
  array[:'newkid_student', :'later_student']::uuid[],
  'staff see every student invite of A'
);
select tutela_tests.authenticate_as(:'newkid');
select results_eq(
  'select student_id, status from tutela.student_invites',
  format('values (%L::uuid, %L::text)', :'newkid_student', 'pending'),
  'the invitee sees exactly the invite sent to their email, whatever its case'
);
select tutela_tests.authenticate_as(:'staff_b');
select results_eq(
  'select student_id from tutela.student_invites',
  format('values (%L::uuid)', :'b_student'),
  'staff of B see exactly the invites of B'
);
select is_empty(
  format(
    'select id from tutela.student_invites where student_id in (%L, %L)',
    :'newkid_student', :'later_student'
  ),
  'staff of another organisation see no invite of A'
);

select tutela_tests.authenticate_as(:'kid_user');
select is_empty('select id from tutela.student_invites', 'another student sees nothing');
select tutela_tests.authenticate_as(:'guardian');
select is_empty('select id from tutela.student_invites', 'an active guardian sees nothing');
select tutela_tests.authenticate_as(:'pending');
select is_empty('select id from tutela.student_invites', 'a pending guardian sees nothing');
select tutela_tests.authenticate_as(:'revoked');
select is_empty('select id from tutela.student_invites', 'a revoked guardian sees nothing');
select tutela_tests.authenticate_as(:'stranger');
select is_empty('select id from tutela.student_invites', 'a stranger sees nothing');

-- after accepting, the invitee still sees their (accepted) invite
select tutela_tests.authenticate_as(:'newkid');
select lives_ok(
  format('select tutela.accept_student_invite(%L)', :'newkid_token'),
  'setup: the invitee accepts'
);
select results_eq(
  'select student_id, status from tutela.student_invites',
  format('values (%L::uuid, %L::text)', :'newkid_student', 'accepted'),
  'the new student sees their accepted invite only'
);

-- the token hash is not selectable
select throws_ok(
  'select token_hash from tutela.student_invites',
  '42501', null, 'the invitee cannot select token_hash'
);
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  'select token_hash from tutela.student_invites',
  '42501', null, 'staff cannot select token_hash'
);
select throws_ok(
  'select * from tutela.student_invites',
  '42501', null, 'select * includes token_hash and is refused'
);

select tutela_tests.as_anon();
select throws_ok('select id from tutela.student_invites', '42501', null, 'anon may not read it');

select * from finish();
rollback;
