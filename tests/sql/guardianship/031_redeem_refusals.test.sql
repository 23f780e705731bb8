-- redeem_guardian_link_code: refusals that raise (they record nothing and use nothing): the
-- student redeeming their own code and an already linked guardian are TU409, a relation that
-- is not mother, father, guardian or other is TU422, anon has no grant (42501), and a caller
-- without a user id is TU401.
begin;
select plan(11);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 5) \gset

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'the student cannot redeem their own code'
);

select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code', 'mother');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'an active guardian cannot redeem a code of the same student again'
);

select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format($$ select tutela.redeem_guardian_link_code(%L, 'uncle') $$, :'code'),
  'TU422', null, 'an unknown relation is TU422'
);
select throws_ok(
  format($$ select tutela.redeem_guardian_link_code(%L, 'Mother') $$, :'code'),
  'TU422', null, 'relations are lower case'
);
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L, null)', :'code'),
  'TU422', null, 'a null relation is TU422'
);

select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  '42501', null, 'anon may not call it'
);

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU401', null, 'the authenticated role without a user id is TU401'
);

-- nothing was used or recorded by the refusals
select tutela_tests.clear_authentication();
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  1,
  'only mum''s redemption used the code'
);
select results_eq(
  format(
    $$ select user_id, succeeded from tutela_private.link_code_attempts
       where user_id in (%L, %L, %L) $$,
    :'kid', :'mum', :'dad'
  ),
  format('values (%L::uuid, true)', :'mum'),
  'raised refusals record no attempt'
);
select is(
  (select relation from tutela.guardian_links where guardian_id = :'mum'),
  'mother',
  'the second try left mum''s link as it was'
);

-- dad, with a good relation, still can
select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'code', 'father') ->> 'relation',
  'father',
  'after the refusals the code still works'
);

select * from finish();
rollback;
