-- import_roster 'students': rows create students keyed by sis_id; the same rows again change
-- nothing; a changed name updates in place; a student added by hand (no sis_id) is claimed by
-- email. Bad rows (missing sis_id, malformed email, bad birth_date, unknown column, non-text
-- value, not an object, a duplicate sis_id) are reported with their line and SQLSTATE and
-- skipped while the good rows apply; strict aborts the whole call (TU422); dry_run returns the
-- plan and writes nothing. Bad calls: unknown kind, rows not an array, bad options, a full
-- sync of students (TU422); unknown organisation (TU404).
begin;
select plan(39);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
-- a student added by hand, without an SIS id
select id as dee from tutela.create_student(:'org', 'Dee', 'dee@s.test') \gset

-- ---------------------------------------------------------------------------------------------
-- create, again (unchanged), update
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S1", "display_name": "Ann", "email": "ANN@s.test", "birth_date": "2012-03-04"},
  {"sis_id": "S2", "display_name": " Ben ", "email": "", "birth_date": ""},
  {"sis_id": "S3", "display_name": "Cat"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 3, "update": 0, "revoke": 0, "invite": 0, "unchanged": 0, "error": 0}'::jsonb,
  'create: three students created'
);
select is(
  :'r'::jsonb -> 'changes',
  $$[{"line": 2, "action": "create", "key": "S1"}, {"line": 3, "action": "create", "key": "S2"},
    {"line": 4, "action": "create", "key": "S3"}]$$::jsonb,
  'create: each change with its line (the header is line 1) and key'
);
select is(
  (:'r'::jsonb ->> 'dry_run')::boolean, false, 'create: not a dry run'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select sis_id, display_name, email, birth_date from tutela.students
      where organization_id = %L and sis_id is not null order by sis_id$$,
    :'org'
  ),
  $$values ('S1'::text, 'Ann'::text, 'ann@s.test'::text, date '2012-03-04'),
    ('S2', 'Ben', null, null), ('S3', 'Cat', null, null)$$,
  'create: stored trimmed, email lower-cased, blanks as null'
);

select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S1", "display_name": "Ann", "email": "ann@s.test", "birth_date": "2012-03-04"},
  {"sis_id": "S2", "display_name": "Ben"},
  {"sis_id": "S3", "display_name": "Cat"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 0, "invite": 0, "unchanged": 3, "error": 0}'::jsonb,
  'again: the same rows leave all three unchanged'
);
select is(:'r'::jsonb -> 'changes', '[]'::jsonb, 'again: no change listed');

select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S1", "display_name": "Ann", "email": "ann@s.test", "birth_date": "2012-03-04"},
  {"sis_id": "S2", "display_name": "Benjamin"},
  {"sis_id": "S3", "display_name": "Cat"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 1, "revoke": 0, "invite": 0, "unchanged": 2, "error": 0}'::jsonb,
  'update: a changed name is one update'
);
select tutela_tests.clear_authentication();
select is(
  (select display_name from tutela.students where organization_id = :'org' and sis_id = 'S2'),
  'Benjamin', 'update: the name changed in place'
);
select is(
  (select count(*) from tutela.students where organization_id = :'org'), 4::bigint,
  'update: no student was added (three imported, one by hand)'
);

-- ---------------------------------------------------------------------------------------------
-- claim by email
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S4", "display_name": "Dee", "email": "DEE@s.test"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 1, "revoke": 0, "invite": 0, "unchanged": 0, "error": 0}'::jsonb,
  'claim: the hand-made student is updated, not duplicated'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select id, sis_id from tutela.students
      where organization_id = %L and lower(email) = 'dee@s.test'$$,
    :'org'
  ),
  format($$values (%L::uuid, 'S4'::text)$$, :'dee'),
  'claim: the hand-made student now carries the sis_id'
);

-- ---------------------------------------------------------------------------------------------
-- bad rows: reported and skipped, the good ones applied
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"display_name": "No SIS id"},
  {"sis_id": "S5", "display_name": "Eve", "email": "not-an-email"},
  {"sis_id": "S6", "display_name": "Fay", "birth_date": "2012-13-40"},
  {"sis_id": "S7", "display_name": "Gus", "grade": "5"},
  {"sis_id": "S8", "display_name": "Hal"},
  {"sis_id": "S9", "display_name": "Ida", "birth_date": "03/04/2012"},
  {"sis_id": "S10", "display_name": "Jo", "birth_date": "2999-01-01"},
  {"sis_id": 11, "display_name": "Kim"},
  "S12,Lee",
  {"sis_id": "S13", "line": 40},
  {"sis_id": "S8", "display_name": "Hal again"},
  {"sis_id": "S14", "display_name": "Max"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 2, "update": 0, "revoke": 0, "invite": 0, "unchanged": 0, "error": 10}'::jsonb,
  'bad rows: two created, ten errors'
);
select results_eq(
  format(
    $$select (e ->> 'line')::int, e ->> 'code' from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values (2, 'TU422'::text), (3, 'TU422'), (4, 'TU422'), (5, 'TU422'), (7, 'TU422'),
    (8, 'TU422'), (9, 'TU422'), (10, 'TU422'), (40, 'TU422'), (12, 'TU409')$$,
  'bad rows: each error with its line and SQLSTATE (a row''s own "line" wins)'
);
select is(
  :'r'::jsonb -> 'errors' -> 9 ->> 'detail', 'duplicate_row',
  'bad rows: the second row with a sis_id is a duplicate'
);
select ok(
  :'r'::jsonb -> 'errors' -> 3 ->> 'reason' like '%grade%',
  'bad rows: the unknown column is named'
);
select results_eq(
  format(
    $$select (c ->> 'line')::int, c ->> 'action' from jsonb_array_elements(%L::jsonb) as c$$,
    :'r'::jsonb -> 'changes'
  ),
  $$values (6, 'create'::text), (13, 'create')$$,
  'bad rows: the good rows are applied'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select sis_id, display_name from tutela.students
      where organization_id = %L and sis_id in ('S5', 'S6', 'S7', 'S8', 'S9', 'S10', 'S13',
        'S14')
      order by sis_id$$,
    :'org'
  ),
  $$values ('S14'::text, 'Max'::text), ('S8', 'Hal')$$,
  'bad rows: nothing of a bad row was written'
);

-- ---------------------------------------------------------------------------------------------
-- strict: one bad row aborts everything
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'students', %L, '{"strict": true}')$$, :'org',
    '[{"sis_id": "S20", "display_name": "Ok"}, {"sis_id": "S21", "display_name": "Bad",'
    ' "email": "bad"}, {"sis_id": "S22", "display_name": "Ok too"}]'
  ),
  'TU422', null, 'strict: a bad row raises TU422'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.students
    where organization_id = :'org' and sis_id in ('S20', 'S21', 'S22')
  ),
  0::bigint,
  'strict: not even the good rows were applied'
);

-- ---------------------------------------------------------------------------------------------
-- dry_run: the plan, nothing written
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S30", "display_name": "New"},
  {"sis_id": "S1", "display_name": "Annie", "email": "ann@s.test", "birth_date": "2012-03-04"},
  {"sis_id": "S3", "display_name": "Cat"},
  {"sis_id": "S31", "display_name": "Bad", "email": "bad"}
]$$, '{"dry_run": true}') as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 1, "update": 1, "revoke": 0, "invite": 0, "unchanged": 1, "error": 1}'::jsonb,
  'dry_run: the plan counts a create, an update, an unchanged row and an error'
);
select is((:'r'::jsonb ->> 'dry_run')::boolean, true, 'dry_run: the result says so');
select is(
  jsonb_array_length(:'r'::jsonb -> 'changes'), 2, 'dry_run: the planned changes are listed'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.students where organization_id = :'org' and sis_id = 'S30'),
  0::bigint,
  'dry_run: no student was created'
);
select is(
  (select display_name from tutela.students where organization_id = :'org' and sis_id = 'S1'),
  'Ann', 'dry_run: no student was updated'
);

-- ---------------------------------------------------------------------------------------------
-- bad calls
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select
  throws_ok(
    format('select tutela.import_roster(%L, %L, %L, %L)', :'org', v.kind, v.rows, v.options),
    'TU422', null, v.description
  )
from (
  values
  ('teachers', '[]', '{}', 'an unknown kind'),
  ('Students', '[]', '{}', 'kinds are case-sensitive'),
  (null, '[]', '{}', 'no kind'),
  ('students', '{"sis_id": "S1"}', '{}', 'rows as an object, not an array'),
  ('students', '"S1"', '{}', 'rows as a string'),
  ('students', null, '{}', 'no rows'),
  ('students', '[]', '{"dry_run": "yes"}', 'dry_run not a boolean'),
  ('students', '[]', '{"strict": 1}', 'strict not a boolean'),
  ('students', '[]', '{"force": true}', 'an unknown option'),
  ('students', '[]', '[]', 'options as an array'),
  ('staff', '[]', '{"keep": "a@b.test"}', 'keep not a list'),
  ('students', '[]', '{"full": true}', 'a full sync of students')
) as v (kind, rows, options, description);
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'students', '[{"sis_id": "S1", "display_name": "A"}]')$$,
    gen_random_uuid()
  ),
  'TU404', null, 'an unknown organisation is TU404'
);
select throws_ok(
  $$select tutela.import_roster(null, 'students', '[]')$$,
  'TU404', null, 'no organisation is TU404'
);

-- the refused calls changed nothing
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.students where organization_id = :'org'), 6::bigint,
  'in all: six students (S1 to S4 with the claimed one, S8, S14)'
);

select * from finish();
rollback;
