-- update_organization_settings, the per-organisation switches: guardian_invite_policy (admins,
-- staff, staff_and_primary_guardians), students_may_create_link_codes and
-- family_access_enabled (booleans), digital_consent_age (13 to 21). Their defaults; every valid
-- value is stored; wrong types and values are TU422 and change nothing (not even a valid key
-- next to the bad one); staff are TU403 and change nothing; each accepted change is audited as
-- 'settings_changed' with the old and the new values.
begin;
select plan(46);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.authenticate_as(:'admin_a');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff_a', 'staff') is not null as added \gset

-- the defaults of a new organisation
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_invite_policy, students_may_create_link_codes, family_access_enabled,'
    ' digital_consent_age::int from tutela.organizations where id = %L',
    :'org'
  ),
  $$values ('staff_and_primary_guardians'::text, true, true, 16)$$,
  'defaults: staff and primary guardians invite, students make codes, family access on, 16'
);

-- every valid value is accepted and returned
select tutela_tests.authenticate_as(:'admin_a');
select is(
  (tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "admins"}'))
  .guardian_invite_policy,
  'admins', 'guardian_invite_policy: admins'
);
select is(
  (tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "staff"}'))
  .guardian_invite_policy,
  'staff', 'guardian_invite_policy: staff'
);
select is(
  (
    tutela.update_organization_settings(
      :'org', '{"guardian_invite_policy": "staff_and_primary_guardians"}'
    )
  ).guardian_invite_policy,
  'staff_and_primary_guardians', 'guardian_invite_policy: staff_and_primary_guardians'
);
select is(
  (tutela.update_organization_settings(:'org', '{"students_may_create_link_codes": false}'))
  .students_may_create_link_codes,
  false, 'students_may_create_link_codes: false'
);
select is(
  (tutela.update_organization_settings(:'org', '{"students_may_create_link_codes": true}'))
  .students_may_create_link_codes,
  true, 'students_may_create_link_codes: true'
);
select is(
  (tutela.update_organization_settings(:'org', '{"family_access_enabled": false}'))
  .family_access_enabled,
  false, 'family_access_enabled: false'
);
select is(
  (tutela.update_organization_settings(:'org', '{"family_access_enabled": true}'))
  .family_access_enabled,
  true, 'family_access_enabled: true'
);
select is(
  (tutela.update_organization_settings(:'org', '{"digital_consent_age": 13}'))
  .digital_consent_age::int,
  13, 'digital_consent_age: 13 is the lower bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"digital_consent_age": 21}'))
  .digital_consent_age::int,
  21, 'digital_consent_age: 21 is the upper bound'
);

-- the four switches in one call, stored
select lives_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', :'org',
    '{"guardian_invite_policy": "staff", "students_may_create_link_codes": false,'
    ' "family_access_enabled": false, "digital_consent_age": 14}'
  ),
  'the four switches change in one call'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_invite_policy, students_may_create_link_codes, family_access_enabled,'
    ' digital_consent_age::int from tutela.organizations where id = %L',
    :'org'
  ),
  $$values ('staff'::text, false, false, 14)$$,
  'every switch is stored'
);

-- audited: the last change with the admin, the old and the new values
select results_eq(
  format(
    $$select actor_id, actor_role,
      old_values ->> 'guardian_invite_policy', new_values ->> 'guardian_invite_policy',
      (old_values ->> 'students_may_create_link_codes')::boolean,
      (new_values ->> 'students_may_create_link_codes')::boolean,
      (old_values ->> 'family_access_enabled')::boolean,
      (new_values ->> 'family_access_enabled')::boolean,
      (old_values ->> 'digital_consent_age')::int, (new_values ->> 'digital_consent_age')::int
      from tutela.link_events
      where organization_id = %L and action = 'settings_changed'
      order by id desc limit 1$$,
    :'org'
  ),
  format(
    $$values (%L::uuid, 'admin'::text, 'staff_and_primary_guardians'::text, 'staff'::text,
      true, false, true, false, 21, 14)$$,
    :'admin_a'
  ),
  'settings_changed is audited with the admin, the old and the new values of each switch'
);
select is(
  (
    select count(*) from tutela.link_events
    where organization_id = :'org' and action = 'settings_changed'
  ),
  10::bigint,
  'one settings_changed row per accepted call'
);

-- invalid values: TU422
select tutela_tests.authenticate_as(:'admin_a');
select
  throws_ok(
    format('select tutela.update_organization_settings(%L, %L)', :'org', v.settings),
    'TU422', null, v.description
  )
from (
  values
  ('{"guardian_invite_policy": "everyone"}', 'guardian_invite_policy: unknown value'),
  ('{"guardian_invite_policy": "Admins"}', 'guardian_invite_policy: values are case-sensitive'),
  ('{"guardian_invite_policy": ""}', 'guardian_invite_policy: empty'),
  ('{"guardian_invite_policy": 1}', 'guardian_invite_policy: a number'),
  ('{"guardian_invite_policy": ["admins"]}', 'guardian_invite_policy: an array'),
  ('{"guardian_invite_policy": null}', 'guardian_invite_policy: null'),
  ('{"students_may_create_link_codes": "true"}', 'students_may_create_link_codes: string'),
  ('{"students_may_create_link_codes": 1}', 'students_may_create_link_codes: number'),
  ('{"students_may_create_link_codes": null}', 'students_may_create_link_codes: null'),
  ('{"family_access_enabled": "false"}', 'family_access_enabled: string'),
  ('{"family_access_enabled": 0}', 'family_access_enabled: number'),
  ('{"family_access_enabled": null}', 'family_access_enabled: null'),
  ('{"family_access_enabled": {}}', 'family_access_enabled: an object'),
  ('{"digital_consent_age": 12}', 'digital_consent_age: 12, under the range'),
  ('{"digital_consent_age": 22}', 'digital_consent_age: 22, over the range'),
  ('{"digital_consent_age": 0}', 'digital_consent_age: 0'),
  ('{"digital_consent_age": -16}', 'digital_consent_age: negative'),
  ('{"digital_consent_age": 100}', 'digital_consent_age: three digits'),
  ('{"digital_consent_age": 16.5}', 'digital_consent_age: a fraction'),
  ('{"digital_consent_age": "16"}', 'digital_consent_age: a string'),
  ('{"digital_consent_age": "sixteen"}', 'digital_consent_age: a word'),
  ('{"digital_consent_age": null}', 'digital_consent_age: null'),
  ('{"Family_access_enabled": false}', 'keys are case-sensitive'),
  (
    '{"family_access_enabled": true, "guardian_invite_policy": "nobody"}',
    'a valid switch next to an invalid one'
  ),
  (
    '{"students_may_create_link_codes": true, "digital_consent_age": 30}',
    'a valid switch next to an out-of-range age'
  )
) as v (settings, description);

-- refused: row unchanged, no audit row
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_invite_policy, students_may_create_link_codes, family_access_enabled,'
    ' digital_consent_age::int from tutela.organizations where id = %L',
    :'org'
  ),
  $$values ('staff'::text, false, false, 14)$$,
  'the refused calls left every switch as it was'
);

-- staff may not change a switch; nothing changes
select tutela_tests.authenticate_as(:'staff_a');
select
  throws_ok(
    format('select tutela.update_organization_settings(%L, %L)', :'org', v.settings),
    'TU403', null, v.description
  )
from (
  values
  ('{"guardian_invite_policy": "staff_and_primary_guardians"}', 'staff: guardian_invite_policy'),
  ('{"students_may_create_link_codes": true}', 'staff: students_may_create_link_codes'),
  ('{"family_access_enabled": true}', 'staff: family_access_enabled'),
  ('{"digital_consent_age": 18}', 'staff: digital_consent_age')
) as v (settings, description);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_invite_policy, students_may_create_link_codes, family_access_enabled,'
    ' digital_consent_age::int from tutela.organizations where id = %L',
    :'org'
  ),
  $$values ('staff'::text, false, false, 14)$$,
  'the staff calls changed nothing'
);
select is(
  (
    select count(*) from tutela.link_events
    where organization_id = :'org' and action = 'settings_changed'
  ),
  10::bigint,
  'refused calls wrote no settings_changed row'
);

select * from finish();
rollback;
