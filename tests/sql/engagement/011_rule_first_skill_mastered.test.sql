-- Rule skills_mastered (first_skill_mastered, 1): a skill is mastered when the student's
-- latest assessment of it is at the skill's max_level or above. A lower level, or an older
-- assessment at the top followed by a lower one, does not count.
begin;
select plan(5);

insert into tutela.organizations (name, slug) values ('Academy 011', 'academy-011')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.skills (organization_id, category, name, max_level)
values (:'org', 'Technique', 'Serve', 3) returning id as serve \gset
insert into tutela.skills (organization_id, category, name, max_level)
values (:'org', 'Technique', 'Volley', 5) returning id as volley \gset

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

-- one level below the top
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values (:'serve', :'student', :'org', 2, now() - interval '3 days');
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  'serve at level 2 of 3: no award'
);

-- the top level
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values (:'serve', :'student', :'org', 3, now() - interval '2 days');
select is(
  pg_temp.new_codes(:'student'), array['first_skill_mastered'],
  'serve at level 3 of 3: first_skill_mastered'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- a second mastered skill earns nothing more
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values (:'volley', :'student', :'org', 5, now() - interval '1 day');
select is(pg_temp.new_codes(:'student', 'skills_mastered'), '{}'::text[], 'never twice');

-- only the latest assessment counts: top level first, then a lower one
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values
(:'volley', :'kim', :'org', 5, now() - interval '3 days'),
(:'volley', :'kim', :'org', 4, now() - interval '1 day');
select is(
  pg_temp.new_codes(:'kim'), '{}'::text[],
  'top level earlier, lower level latest: not mastered'
);

select * from finish();
rollback;
