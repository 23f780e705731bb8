-- create_guardian_link_code: nobody else may create a code. A guardian (even an active one),
-- a stranger, staff of another organisation and a non-student without a student id get TU403;
-- anon has no grant (42501); an unknown student is TU403 (no probing of ids); no user id is TU401.
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('other-staff@example.test') as other_staff \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student') \gset

select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-slug') \gset
select tutela_tests.add_member(:'other_org', :'other_staff', 'staff');

-- mum is an active guardian of the student
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');

select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU403',
  null,
  'an active guardian cannot create a code for their child'
);
select throws_ok(
  'select tutela.create_guardian_link_code()',
  'TU403',
  null,
  'a guardian who is not a student cannot create a code for "themself"'
);

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU403',
  null,
  'a stranger cannot create a code for a student'
);

select tutela_tests.authenticate_as(:'other_staff');
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU403',
  null,
  'staff of another organisation cannot create a code'
);
select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU403',
  null,
  'an admin of another organisation cannot create a code'
);

select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  'select tutela.create_guardian_link_code()',
  'TU403',
  null,
  'an admin who is not a student cannot create a code without naming the student'
);
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', gen_random_uuid()),
  'TU403',
  null,
  'an unknown student is TU403, like one the caller may not act on'
);

select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  '42501',
  null,
  'anon may not call it'
);

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU401',
  null,
  'the authenticated role without a user id is TU401'
);

-- none of the refusals left a code behind: only the one made by the admin exists
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela_private.guardian_link_codes where student_id = :'student'),
  1::bigint,
  'refused calls store no code'
);

select * from finish();
rollback;
