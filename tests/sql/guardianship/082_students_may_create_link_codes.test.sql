-- students_may_create_link_codes: off, a student cannot create a link code (TU403) while staff
-- and admins still can; a code the student made before the switch went off is refused when
-- redeemed (TU403, no link, the code's use not counted) and staff codes still redeem. Back on,
-- the student creates codes again and their earlier code redeems.
begin;
select plan(17);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('g1@a.test') as g1 \gset
select tutela_tests.create_user('g2@a.test') as g2 \gset
select tutela_tests.create_user('g3@a.test') as g3 \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 6}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');

-- the student makes a code while the switch is on
select tutela_tests.authenticate_as(:'kid');
select code as kid_code from tutela.create_guardian_link_code() \gset

-- the admin turns student codes off
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"students_may_create_link_codes": false}');

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  'select tutela.create_guardian_link_code()',
  'TU403', null, 'off: the student cannot create a code for themself'
);
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU403', null, 'off: nor by naming their own record'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela_private.guardian_link_codes where student_id = :'student'),
  1::bigint,
  'off: the refused calls stored no code'
);

select tutela_tests.authenticate_as(:'staff');
select code as staff_code from tutela.create_guardian_link_code(:'student') \gset
select isnt(:'staff_code'::text, null::text, 'off: staff still create a code');
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'off: an admin still creates a code'
);

-- the student's earlier code no longer redeems
select tutela_tests.authenticate_as(:'g1');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'kid_code'),
  'TU403', null, 'off: a code the student made before is refused at redemption'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  0::bigint,
  'off: the refused redemption created no link'
);
select is(
  (
    select c.uses from tutela_private.guardian_link_codes as c
    where c.student_id = :'student' and c.created_by = :'kid'
  ),
  0,
  'off: and did not use up the student''s code'
);

-- a staff code redeems
select tutela_tests.authenticate_as(:'g2');
select is(
  tutela.redeem_guardian_link_code(:'staff_code') ->> 'status',
  'active',
  'off: a staff code still redeems'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_id, created_via from tutela.guardian_links where student_id = %L',
    :'student'
  ),
  format($$values (%L::uuid, 'code'::text)$$, :'g2'),
  'off: the only link is the one made with the staff code'
);

-- back on
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"students_may_create_link_codes": true}');

select tutela_tests.authenticate_as(:'kid');
select code as kid_code_2 from tutela.create_guardian_link_code() \gset
select isnt(:'kid_code_2'::text, null::text, 'on again: the student creates a code');
select tutela_tests.authenticate_as(:'g3');
select is(
  tutela.redeem_guardian_link_code(:'kid_code_2') ->> 'status',
  'active',
  'on again: the student''s new code redeems'
);
select tutela_tests.authenticate_as(:'g1');
select is(
  tutela.redeem_guardian_link_code(:'kid_code') ->> 'status',
  'active',
  'on again: the code the student made before the switch went off redeems'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select guardian_id, status from tutela.guardian_links where student_id = %L
      order by guardian_id$$,
    :'student'
  ),
  format(
    $$select * from (values (%L::uuid, 'active'::text), (%L::uuid, 'active'),
      (%L::uuid, 'active')) as v order by 1$$,
    :'g1', :'g2', :'g3'
  ),
  'three active links'
);

-- the switch does not touch guardians' own role: a guardian still cannot create codes
select tutela_tests.authenticate_as(:'g1');
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'TU403', null, 'a guardian cannot create a code for the child'
);
-- and a stranger (no student record) cannot create one for themself
select tutela_tests.authenticate_as(:'g2');
select throws_ok(
  'select tutela.create_guardian_link_code()',
  'TU403', null, 'someone without a student record cannot create a code for themself'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela_private.guardian_link_codes where student_id = :'student'),
  4::bigint,
  'four codes were made in all: two by the student, one by staff, one by the admin'
);

select * from finish();
rollback;
