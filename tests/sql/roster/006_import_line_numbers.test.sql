-- import_roster and the "line" of a row: a whole number is the row's line in reports; anything
-- else (a fraction, a number too large, text) falls back to the row's position + 1 instead of
-- failing the call (regression: 22P02 and 22003 escaped from the cast).
begin;
select plan(4);

insert into tutela.organizations (name, slug) values ('Line School', 'line-school');
select id as org from tutela.organizations where slug = 'line-school' \gset

select tutela_tests.as_service_role();
select tutela.import_roster(
  :'org', 'students',
  '[{"line": 3.5, "display_name": "No key"},
    {"line": 1000000000000, "display_name": "No key"},
    {"line": "7", "display_name": "No key"},
    {"line": 42, "display_name": "No key"}]'::jsonb
) as result \gset

select is(
  (:'result'::jsonb -> 'counts' ->> 'error')::int, 4,
  'every row is reported (each lacks its sis_id)'
);
select is(
  (
    select array_agg((e.value ->> 'line')::int order by e.n)
    from jsonb_array_elements(:'result'::jsonb -> 'errors') with ordinality as e (value, n)
  ),
  array[2, 3, 4, 42],
  'fractions, huge numbers and text fall back to the position; whole numbers are kept'
);
select is(
  (
    select count(distinct e ->> 'code')::int
    from jsonb_array_elements(:'result'::jsonb -> 'errors') as e
  ),
  1,
  'one reason for all of them'
);
select is(
  (select min(e ->> 'code') from jsonb_array_elements(:'result'::jsonb -> 'errors') as e),
  'TU422',
  'the reason is a TU422 (sis_id is required)'
);

select * from finish();
rollback;
