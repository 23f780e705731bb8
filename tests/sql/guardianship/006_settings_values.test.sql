-- update_organization_settings, what: each setting accepts its valid range and refuses the
-- rest with TU422, as do unknown keys and anything but a non-empty object. A refused call
-- changes nothing (not even the valid keys next to the bad one). Each change is audited as
-- 'settings_changed' with the old and new values.
begin;
select plan(49);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.authenticate_as(:'admin_a');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset

-- valid values, at the edges of each range
select is(
  (tutela.update_organization_settings(:'org', '{"name": "  Alpha Academy  "}')).name,
  'Alpha Academy', 'name: set, trimmed'
);
select is(
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 10}'))
  .max_guardians_per_student,
  10, 'max_guardians_per_student: 10 is the upper bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 1}'))
  .max_guardians_per_student,
  1, 'max_guardians_per_student: 1 is the lower bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}'))
  .link_requires_student_approval,
  true, 'link_requires_student_approval: true'
);
select is(
  (tutela.update_organization_settings(:'org', '{"link_requires_student_approval": false}'))
  .link_requires_student_approval,
  false, 'link_requires_student_approval: false'
);
select is(
  (tutela.update_organization_settings(:'org', '{"link_code_ttl": "5 minutes"}')).link_code_ttl,
  interval '5 minutes', 'link_code_ttl: 5 minutes is the lower bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"link_code_ttl": "30 days"}')).link_code_ttl,
  interval '30 days', 'link_code_ttl: 30 days is the upper bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"guardian_invite_ttl": "1 hour"}'))
  .guardian_invite_ttl,
  interval '1 hour', 'guardian_invite_ttl: 1 hour is the lower bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"guardian_invite_ttl": "90 days"}'))
  .guardian_invite_ttl,
  interval '90 days', 'guardian_invite_ttl: 90 days is the upper bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"student_invite_ttl": "1 hour"}'))
  .student_invite_ttl,
  interval '1 hour', 'student_invite_ttl: 1 hour is the lower bound'
);
select is(
  (tutela.update_organization_settings(:'org', '{"student_invite_ttl": "90 days"}'))
  .student_invite_ttl,
  interval '90 days', 'student_invite_ttl: 90 days is the upper bound'
);

-- several keys at once
select lives_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', :'org',
    '{"name": "Alpha", "max_guardians_per_student": 3, "link_requires_student_approval": true,'
    ' "link_code_ttl": "2 hours", "guardian_invite_ttl": "3 days",'
    ' "student_invite_ttl": "14 days"}'
  ),
  'several settings change in one call'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select name, max_guardians_per_student, link_requires_student_approval, link_code_ttl,'
    ' guardian_invite_ttl, student_invite_ttl from tutela.organizations where id = %L',
    :'org'
  ),
  $$values ('Alpha', 3, true, interval '2 hours', interval '3 days', interval '14 days')$$,
  'every setting is stored'
);

-- the last change is audited with old and new values
select results_eq(
  format(
    $$select actor_id, actor_role, old_values ->> 'name', new_values ->> 'name',
      (new_values ->> 'max_guardians_per_student')::int
      from tutela.link_events
      where organization_id = %L and action = 'settings_changed'
      order by id desc limit 1$$,
    :'org'
  ),
  format($$values (%L::uuid, 'admin'::text, 'Alpha Academy'::text, 'Alpha'::text, 3)$$, :'admin_a'),
  'settings_changed is audited with the admin, the old and the new values'
);
select is(
  (
    select count(*) from tutela.link_events
    where organization_id = :'org' and action = 'settings_changed'
  ),
  12::bigint,
  'one settings_changed row per successful call'
);

-- invalid input: every refusal is TU422
select tutela_tests.authenticate_as(:'admin_a');
select
  throws_ok(
    format('select tutela.update_organization_settings(%L, %L)', :'org', v.settings),
    'TU422', null, v.description
  )
from (
  values
  ('{"name": ""}', 'name: empty'),
  ('{"name": "   "}', 'name: blank'),
  ('{"name": 42}', 'name: not a string'),
  ('{"name": null}', 'name: null'),
  (format('{"name": "%s"}', repeat('n', 201)), 'name: over 200 characters'),
  ('{"max_guardians_per_student": 0}', 'max_guardians_per_student: 0'),
  ('{"max_guardians_per_student": 11}', 'max_guardians_per_student: 11'),
  ('{"max_guardians_per_student": -1}', 'max_guardians_per_student: negative'),
  ('{"max_guardians_per_student": 2.5}', 'max_guardians_per_student: fraction'),
  ('{"max_guardians_per_student": "3"}', 'max_guardians_per_student: string'),
  ('{"max_guardians_per_student": null}', 'max_guardians_per_student: null'),
  ('{"link_requires_student_approval": "true"}', 'link_requires_student_approval: string'),
  ('{"link_requires_student_approval": 1}', 'link_requires_student_approval: number'),
  ('{"link_requires_student_approval": null}', 'link_requires_student_approval: null'),
  ('{"link_code_ttl": "4 minutes"}', 'link_code_ttl: under 5 minutes'),
  ('{"link_code_ttl": "31 days"}', 'link_code_ttl: over 30 days'),
  ('{"link_code_ttl": "-1 hour"}', 'link_code_ttl: negative'),
  ('{"link_code_ttl": "forever"}', 'link_code_ttl: not an interval'),
  ('{"link_code_ttl": 3600}', 'link_code_ttl: a number, not a string'),
  ('{"guardian_invite_ttl": "59 minutes"}', 'guardian_invite_ttl: under 1 hour'),
  ('{"guardian_invite_ttl": "91 days"}', 'guardian_invite_ttl: over 90 days'),
  ('{"guardian_invite_ttl": "soon"}', 'guardian_invite_ttl: not an interval'),
  ('{"student_invite_ttl": "59 minutes"}', 'student_invite_ttl: under 1 hour'),
  ('{"student_invite_ttl": "91 days"}', 'student_invite_ttl: over 90 days'),
  ('{"student_invite_ttl": null}', 'student_invite_ttl: null'),
  ('{"colour": "blue"}', 'an unknown key'),
  ('{"Name": "Alpha"}', 'keys are case-sensitive: Name is unknown'),
  ('{}', 'an empty object'),
  ('[]', 'an array'),
  ('"name"', 'a string'),
  ('{"name": "Fine", "max_guardians_per_student": 99}', 'a valid key next to an invalid one')
) as v (settings, description);
select throws_ok(
  format('select tutela.update_organization_settings(%L, null)', :'org'),
  'TU422', null, 'null settings'
);

-- refused calls changed nothing and left no audit row
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select name, max_guardians_per_student, link_requires_student_approval, link_code_ttl,'
    ' guardian_invite_ttl, student_invite_ttl from tutela.organizations where id = %L',
    :'org'
  ),
  $$values ('Alpha', 3, true, interval '2 hours', interval '3 days', interval '14 days')$$,
  'the refused calls left every setting as it was'
);
select is(
  (
    select count(*) from tutela.link_events
    where organization_id = :'org' and action = 'settings_changed'
  ),
  12::bigint,
  'and wrote no settings_changed row'
);

select * from finish();
rollback;
