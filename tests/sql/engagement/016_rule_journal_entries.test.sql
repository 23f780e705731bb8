-- Rule journal_entries (journal_7, journal_30): the number of the student's journal entries.
-- Each award comes exactly at its threshold and only once; another student's entries do not
-- count.
begin;
select plan(7);

insert into tutela.organizations (name, slug) values ('Academy 016', 'academy-016')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset

-- p_count entries, one a day, from p_from days ago backwards.
create function pg_temp.write_entries(p_student uuid, p_from integer, p_count integer)
returns void
language sql
as $$
  insert into tutela.journal_entries (student_id, entry_date, mood, body)
  select p_student, current_date - d, 3, 'Training went fine.'
  from generate_series(p_from, p_from + p_count - 1) as d
$$;

-- The codes check_achievements newly awards (of one rule, or all), sorted. Called as the
-- service role, as the job calls it; the owner's session comes back afterwards.
create function pg_temp.new_codes(p_student uuid, p_rule text default null)
returns text[]
language plpgsql
as $$
declare
  v_codes text[];
begin
  perform tutela_tests.as_service_role();
  select coalesce(array_agg(c.code order by c.code), '{}') into v_codes
  from tutela.check_achievements(p_student) as c
  where
    p_rule is null
    or c.code in (select a.code from tutela.achievements as a where a.rule = p_rule);
  perform tutela_tests.clear_authentication();
  return v_codes;
end;
$$;

-- 7
select pg_temp.write_entries(:'student', 0, 6);
select pg_temp.write_entries(:'kim', 0, 40);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '6 entries: no journal_7');
select pg_temp.write_entries(:'student', 6, 1);
select is(pg_temp.new_codes(:'student'), array['journal_7'], '7 entries earn journal_7');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 30
select pg_temp.write_entries(:'student', 7, 22);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '29 entries: no journal_30');
select pg_temp.write_entries(:'student', 29, 1);
select is(pg_temp.new_codes(:'student'), array['journal_30'], '30 entries earn journal_30');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
select is(
  pg_temp.new_codes(:'kim'), array['journal_30', 'journal_7'],
  'the other student''s 40 entries earn both for that student'
);

select * from finish();
rollback;
