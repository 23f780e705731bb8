-- set_primary_guardian: the student, staff and admins choose the primary guardian among active
-- links; there is at most one, so setting another unsets the first. A guardian (even the one
-- named) gets TU403, anon 42501; a pending or revoked link is TU409.
begin;
select plan(16);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('aunt@example.test') as aunt \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 4}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 4) \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'gran');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as gran_link \gset
-- aunt's request waits for approval
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select tutela_tests.authenticate_as(:'aunt');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as aunt_link \gset

-- the student makes mum primary
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.set_primary_guardian(:'mum_link')).is_primary, true, 'the student sets a primary'
);

-- staff move it to dad: mum is no longer primary
select tutela_tests.authenticate_as(:'staff');
select is(
  (tutela.set_primary_guardian(:'dad_link')).is_primary, true, 'staff set another primary'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id from tutela.guardian_links where student_id = %L and is_primary $$,
    :'student'
  ),
  format('values (%L::uuid)', :'dad_link'),
  'setting another primary unsets the first: only dad is primary'
);

-- the admin moves it to gran
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format('select tutela.set_primary_guardian(%L)', :'gran_link'), 'an admin sets a primary'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id from tutela.guardian_links where student_id = %L and is_primary $$,
    :'student'
  ),
  format('values (%L::uuid)', :'gran_link'),
  'only gran is primary'
);
select results_eq(
  format(
    $$ select actor_role, old_values ->> 'primary_link_id', new_values ->> 'primary_link_id'
       from tutela.link_events where action = 'primary_changed' and student_id = %L
       order by id $$,
    :'student'
  ),
  format(
    $$ values ('student'::text, null::text, %L::text), ('staff', %L, %L), ('admin', %L, %L) $$,
    :'mum_link', :'mum_link', :'dad_link', :'dad_link', :'gran_link'
  ),
  'each change is audited with the previous and the new primary'
);

-- setting the current primary again is a no-op
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.set_primary_guardian(:'gran_link')).is_primary, true,
  'setting the current primary again is allowed'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.link_events where action = 'primary_changed'),
  3::bigint,
  'and changes nothing'
);

-- refused actors
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', :'mum_link'),
  'TU403', null, 'a guardian cannot make themself primary'
);
select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', :'mum_link'),
  'TU403', null, 'even the primary guardian cannot move the flag'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', :'mum_link'),
  'TU403', null, 'a stranger cannot set a primary'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', :'mum_link'),
  '42501', null, 'anon may not call it'
);

-- links that are not active
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', :'aunt_link'),
  'TU409', null, 'a pending link cannot be primary'
);
select tutela.revoke_guardian_link(:'mum_link');
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', :'mum_link'),
  'TU409', null, 'a revoked link cannot be primary'
);
select throws_ok(
  format('select tutela.set_primary_guardian(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown link is TU403, like an id the caller may not act on'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id from tutela.guardian_links where student_id = %L and is_primary $$,
    :'student'
  ),
  format('values (%L::uuid)', :'gran_link'),
  'after the refusals gran is still the only primary'
);

select * from finish();
rollback;
