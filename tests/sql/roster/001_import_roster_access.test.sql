-- import_roster, who may: the service role (the service key, an edge function) and the
-- database owner's own session (`tutela import`). anon and every signed-in user, an admin of
-- the organisation included, lack the grant (42501). A refused call writes nothing.
begin;
select plan(8);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset

select tutela_tests.as_anon();
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'students', '[{"sis_id": "S1", "display_name": "A"}]')$$,
    :'org'
  ),
  '42501', null, 'anon may not import'
);

select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'students', '[{"sis_id": "S1", "display_name": "A"}]')$$,
    :'org'
  ),
  '42501', null, 'an admin of the organisation may not import through the API'
);

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'students', '[{"sis_id": "S1", "display_name": "A"}]')$$,
    :'org'
  ),
  '42501', null, 'a stranger may not import'
);

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'students', '[{"sis_id": "S1", "display_name": "A"}]')$$,
    :'org'
  ),
  '42501', null, 'the authenticated role without a user may not import'
);

select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.students where organization_id = :'org'), 0::bigint,
  'the refused calls created no student'
);

select tutela_tests.as_service_role();
select is(
  tutela.import_roster(
    :'org', 'students', '[{"sis_id": "S1", "display_name": "A"}]'
  ) -> 'counts' ->> 'create',
  '1',
  'the service role imports'
);

-- the owner's direct session (no role set), as `tutela import` connects
select tutela_tests.clear_authentication();
select is(
  tutela.import_roster(
    :'org', 'students', '[{"sis_id": "S2", "display_name": "B"}]'
  ) -> 'counts' ->> 'create',
  '1',
  'the database owner''s session imports'
);
select results_eq(
  format(
    'select sis_id, display_name from tutela.students where organization_id = %L order by 1',
    :'org'
  ),
  $$values ('S1'::text, 'A'::text), ('S2', 'B')$$,
  'both imports created their student'
);

select * from finish();
rollback;
