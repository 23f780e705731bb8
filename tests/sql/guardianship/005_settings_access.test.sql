-- update_organization_settings, who may: admins of the organisation only. Staff, strangers,
-- admins of another organisation, students and guardians are TU403; an unknown organisation
-- is TU403, like one the caller does not run; no user is TU401; anon may not call it.
begin;
select plan(12);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('guardian@a.test') as guardian \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset

select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset
select id as kid from tutela.create_student(:'org_a', 'Kid') \gset
select tutela_tests.attach_student_login(:'kid', :'kid_user');
select code from tutela.create_guardian_link_code(:'kid') \gset
select tutela_tests.authenticate_as(:'guardian');
select tutela.redeem_guardian_link_code(:'code') ->> 'status' as link_status \gset
select is(:'link_status'::text, 'active', 'setup: the guardian has an active link');

-- the admin changes a setting
select tutela_tests.authenticate_as(:'admin_a');
select lives_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Alpha Academy"}'
  ),
  'the admin changes a setting'
);

-- denied actors
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Staff"}'),
  'TU403', null, 'staff may not change settings'
);
select tutela_tests.authenticate_as(:'admin_b');
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Beta"}'),
  'TU403', null, 'an admin of another organisation may not change settings'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "X"}'),
  'TU403', null, 'a stranger may not change settings'
);
select tutela_tests.authenticate_as(:'kid_user');
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Kid"}'),
  'TU403', null, 'a student may not change settings'
);
select tutela_tests.authenticate_as(:'guardian');
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Mum"}'),
  'TU403', null, 'a guardian may not change settings'
);

-- a refusal comes before input checks: a denied actor learns nothing about valid input
select tutela_tests.authenticate_as(:'staff_a');
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"bogus": 1}'),
  'TU403', null, 'staff with an invalid setting still get TU403'
);

select tutela_tests.clear_authentication();
select is(
  (select name from tutela.organizations where id = :'org_a'),
  'Alpha Academy',
  'only the admin''s change was applied'
);

select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', gen_random_uuid(), '{"name": "Nope"}'
  ),
  'TU403', null, 'an unknown organisation is TU403, like an id the caller may not act on'
);

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Ghost"}'),
  'TU401', null, 'authenticated role without a user is TU401'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.update_organization_settings(%L, %L)', :'org_a', '{"name": "Anon"}'),
  '42501', null, 'anon may not call it'
);

select * from finish();
rollback;
