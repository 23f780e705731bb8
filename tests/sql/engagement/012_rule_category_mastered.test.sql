-- Rule categories_mastered (category_mastered, 1): a category is mastered when every skill of
-- that category in the student's organisation is mastered (latest assessment at max_level or
-- above). Skills of the same category name in another organisation do not count; neither does
-- an older top-level assessment that a lower one followed.
begin;
select plan(5);

insert into tutela.organizations (name, slug) values ('Academy 012', 'academy-012')
returning id as org \gset
insert into tutela.organizations (name, slug) values ('Elsewhere 012', 'elsewhere-012')
returning id as other_org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.skills (organization_id, category, name, max_level)
values (:'org', 'Technique', 'Serve', 3) returning id as serve \gset
insert into tutela.skills (organization_id, category, name, max_level)
values (:'org', 'Technique', 'Volley', 5) returning id as volley \gset
insert into tutela.skills (organization_id, category, name, max_level)
values (:'org', 'Technique', 'Smash', 4) returning id as smash \gset
-- another category of the organisation, never assessed
insert into tutela.skills (organization_id, category, name, max_level)
values (:'org', 'Fitness', 'Sprint', 2);
-- the same category in another organisation
insert into tutela.skills (organization_id, category, name, max_level)
values (:'other_org', 'Technique', 'Lob', 3);

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

-- two of the three Technique skills at the top
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values
(:'serve', :'student', :'org', 3, now() - interval '5 days'),
(:'volley', :'student', :'org', 5, now() - interval '5 days'),
(:'smash', :'student', :'org', 3, now() - interval '5 days');
select is(
  pg_temp.new_codes(:'student'), array['first_skill_mastered'],
  'two of three skills of the category mastered: a skill, not the category'
);

-- smash reaches the top, then drops back: the latest assessment is below the top
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values
(:'smash', :'student', :'org', 4, now() - interval '3 days'),
(:'smash', :'student', :'org', 3, now() - interval '1 day');
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  'the third skill''s latest assessment is below the top: no category'
);

-- smash at the top again: every Technique skill of the organisation is mastered
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values (:'smash', :'student', :'org', 4, now() - interval '1 hour');
select is(
  pg_temp.new_codes(:'student'), array['category_mastered'],
  'every skill of the category mastered: category_mastered'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
select is(
  (
    select sa.metric_value from tutela.student_achievements as sa
    where
      sa.student_id = :'student'
      and sa.achievement_id = (
        select a.id from tutela.achievements as a where a.code = 'category_mastered'
      )
  ),
  1,
  'one category mastered (Fitness is not, Technique of the other organisation is not asked)'
);

select * from finish();
rollback;
