-- withdraw_guardian_link_code: the student, staff and admins of the organisation withdraw a
-- code at once (again: nothing happens); a guardian, a stranger and staff of another
-- organisation get TU403, anon 42501, an unknown code TU403 (no probing of ids).
begin;
select plan(14);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('other-staff@example.test') as other_staff \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-slug') \gset
select tutela_tests.add_member(:'other_org', :'other_staff', 'staff');

-- mum becomes an active guardian; the student makes three more codes
select tutela_tests.authenticate_as(:'kid');
select code as mum_code from tutela.create_guardian_link_code() \gset
select code as kid_code from tutela.create_guardian_link_code() \gset
select code as staff_code from tutela.create_guardian_link_code() \gset
select code as admin_code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'mum_code');

select tutela_tests.clear_authentication();
select id as kid_code_id from tutela_private.guardian_link_codes
where code_hash = sha256(convert_to(replace(:'kid_code', '-', ''), 'UTF8')) \gset
select id as staff_code_id from tutela_private.guardian_link_codes
where code_hash = sha256(convert_to(replace(:'staff_code', '-', ''), 'UTF8')) \gset
select id as admin_code_id from tutela_private.guardian_link_codes
where code_hash = sha256(convert_to(replace(:'admin_code', '-', ''), 'UTF8')) \gset

-- refused actors first: the code stays active
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  'TU403', null, 'an active guardian cannot withdraw the student''s code'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  'TU403', null, 'a stranger cannot withdraw a code'
);
select tutela_tests.authenticate_as(:'other_staff');
select throws_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  'TU403', null, 'staff of another organisation cannot withdraw a code'
);
select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  'TU403', null, 'an admin of another organisation cannot withdraw a code'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  '42501', null, 'anon may not call it'
);
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown code is TU403, like an id the caller may not act on'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela_private.guardian_link_codes
    where student_id = :'student' and withdrawn_at is not null
  ),
  0::bigint,
  'after the refusals no code is withdrawn'
);

-- allowed actors
select tutela_tests.authenticate_as(:'kid');
select lives_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  'the student withdraws their code'
);
select tutela_tests.authenticate_as(:'staff');
select lives_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'staff_code_id'),
  'staff of the organisation withdraw a code'
);
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'admin_code_id'),
  'an admin of the organisation withdraws a code'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id, withdrawn_at from tutela_private.guardian_link_codes
       where withdrawn_at is not null and student_id = %L order by id $$,
    :'student'
  ),
  format(
    $$ select id, now() from (values (%L::uuid), (%L::uuid), (%L::uuid)) as v (id)
       order by id $$,
    :'kid_code_id', :'staff_code_id', :'admin_code_id'
  ),
  'exactly the three codes are withdrawn, now'
);
select results_eq(
  format(
    $$ select actor_role from tutela.link_events
       where action = 'code_withdrawn' and student_id = %L order by id $$,
    :'student'
  ),
  $$ values ('student'::text), ('staff'), ('admin') $$,
  'each withdrawal is audited with the actor''s role'
);

-- withdrawing again changes nothing and adds no audit row
select tutela_tests.authenticate_as(:'kid');
select lives_ok(
  format('select tutela.withdraw_guardian_link_code(%L)', :'kid_code_id'),
  'withdrawing a withdrawn code again is allowed'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.link_events
    where action = 'code_withdrawn' and code_id = :'kid_code_id'
  ),
  1::bigint,
  'a second withdrawal is not audited again'
);

select * from finish();
rollback;
