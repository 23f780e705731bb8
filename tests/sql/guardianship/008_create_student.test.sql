-- create_student: staff and admins of the organisation add students; only the service role
-- attaches an existing login (staff use invite_student, which needs the user's consent).
-- Strangers, guardians, students and staff of another organisation are TU403; invalid names,
-- emails and birth dates are TU422; a login that already belongs to a student is TU409.
begin;
select plan(29);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('kid2@a.test') as kid2_user \gset
select tutela_tests.create_user('guardian@a.test') as guardian \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.create_user('staff@b.test') as staff_b \gset

select tutela_tests.authenticate_as(:'staff_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset

-- the service role (the back office) adds a student with a login
select tutela_tests.as_service_role();
select
  id as kid,
  organization_id as kid_org,
  display_name as kid_name,
  email as kid_email,
  birth_date as kid_birth,
  user_id as kid_login
from
  tutela.create_student(
    :'org_a', '  Kid One  ', 'Kid.One@Example.TEST', date '2015-03-01', :'kid_user'
  )
\gset
select is(:'kid_org'::uuid, :'org_a'::uuid, 'the service role adds a student to an organisation');
select is(:'kid_name'::text, 'Kid One', 'the display name is trimmed');
select is(:'kid_email'::text, 'kid.one@example.test', 'the email is stored in lower case');
select is(:'kid_birth'::date, date '2015-03-01', 'the birth date is stored');
select is(:'kid_login'::uuid, :'kid_user'::uuid, 'the login is attached');
select is(
  (select created_by from tutela.students where id = :'kid'), null,
  'created_by is empty: no user made it'
);

-- the admin adds a student, but may not attach someone's login
select tutela_tests.authenticate_as(:'admin_a');
select
  id as kid3,
  created_by as kid3_created_by
from tutela.create_student(:'org_a', 'Kid Three') \gset
select is(:'kid3_created_by'::uuid, :'admin_a'::uuid, 'created_by is the calling admin');
select throws_ok(
  format('select tutela.create_student(%L, %L, p_user_id => %L)', :'org_a', 'Hijack', :'kid2_user'),
  'TU403', null, 'staff and admins cannot attach an existing login: TU403'
);

-- staff add a student without a login
select tutela_tests.authenticate_as(:'staff_a');
select
  id as kid2,
  user_id is null as kid2_no_login
from tutela.create_student(:'org_a', 'Kid Two')
\gset
select ok(:'kid2_no_login'::boolean, 'staff add a student without a login');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select student_id, actor_id, actor_role, subject_user_id from tutela.link_events '
    'where organization_id = %L and action = %L order by id',
    :'org_a', 'student_created'
  ),
  format(
    'values (%L::uuid, null::uuid, %L::text, %L::uuid), (%L, %L, %L, null), (%L, %L, %L, null)',
    :'kid', 'service_role', :'kid_user', :'kid3', :'admin_a', 'admin',
    :'kid2', :'staff_a', 'staff'
  ),
  'each creation is audited with the caller''s role'
);

-- a guardian of a student in the organisation
select tutela_tests.authenticate_as(:'kid_user');
select code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'guardian');
select tutela.redeem_guardian_link_code(:'code') ->> 'status' as link_status \gset
select is(:'link_status'::text, 'active', 'setup: the guardian has an active link');

-- denied actors
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', 'Intruder'),
  'TU403', null, 'a stranger may not add students'
);
select tutela_tests.authenticate_as(:'guardian');
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', 'Sibling'),
  'TU403', null, 'a guardian may not add students'
);
select tutela_tests.authenticate_as(:'kid_user');
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', 'Friend'),
  'TU403', null, 'a student may not add students'
);
select tutela_tests.authenticate_as(:'staff_b');
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', 'Poached'),
  'TU403', null, 'staff of another organisation may not add students'
);
select tutela_tests.as_service_role();
select throws_ok(
  format('select tutela.create_student(%L, %L, p_user_id => %L)', :'org_b', 'Poached', :'kid_user'),
  'TU409', null, 'a login that is a student elsewhere cannot become a student here: TU409'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.students),
  3::bigint,
  'the refused calls added no student'
);

-- input checks, as staff
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', '   '),
  'TU422', null, 'a blank display name is TU422'
);
select throws_ok(
  format('select tutela.create_student(%L, null)', :'org_a'),
  'TU422', null, 'a missing display name is TU422'
);
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', repeat('k', 201)),
  'TU422', null, 'a display name over 200 characters is TU422'
);
select throws_ok(
  format('select tutela.create_student(%L, %L, %L)', :'org_a', 'Kid', 'not-an-email'),
  'TU422', null, 'a bad email is TU422'
);
select throws_ok(
  format('select tutela.create_student(%L, %L, %L)', :'org_a', 'Kid', 'kid @example.test'),
  'TU422', null, 'an email with a space is TU422'
);
select throws_ok(
  format(
    'select tutela.create_student(%L, %L, null, %L)', :'org_a', 'Kid', current_date + 1
  ),
  'TU422', null, 'a birth date in the future is TU422'
);
select throws_ok(
  format(
    'select tutela.create_student(%L, %L, null, %L)', :'org_a', 'Kid', date '1900-01-01'
  ),
  'TU422', null, 'a birth date before 1900-01-02 is TU422'
);
select tutela_tests.as_service_role();
select throws_ok(
  format('select tutela.create_student(%L, %L, p_user_id => %L)', :'org_a', 'Again', :'kid_user'),
  'TU409', null, 'a login that already belongs to a student is TU409'
);
select throws_ok(
  format(
    'select tutela.create_student(%L, %L, p_user_id => %L)', :'org_a', 'Ghost', gen_random_uuid()
  ),
  'TU404', null, 'an unknown user is TU404'
);
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select tutela.create_student(%L, %L)', gen_random_uuid(), 'Kid'),
  'TU403', null, 'an unknown organisation is TU403, like an id the caller may not act on'
);

-- no user in the token; anon
select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', 'Nobody'),
  'TU401', null, 'authenticated role without a user is TU401'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.create_student(%L, %L)', :'org_a', 'Anon'),
  '42501', null, 'anon may not call it'
);

select * from finish();
rollback;
