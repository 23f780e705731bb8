-- Rule drills_completed (drills_1, drills_10, drills_50): the number of the student's drill
-- assignments with completed_at set. Open assignments do not count. Each award comes exactly
-- at its threshold and only once; completing an open assignment counts like a new one.
begin;
select plan(9);

insert into tutela.organizations (name, slug) values ('Academy 018', 'academy-018')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.drills (organization_id, title)
values (:'org', 'Footwork ladder') returning id as drill \gset

-- p_count assignments of the drill, completed (yesterday) or open.
create function pg_temp.assign(
  p_org uuid, p_student uuid, p_drill uuid, p_count integer, p_completed boolean
)
returns void
language sql
as $$
  insert into tutela.drill_assignments (drill_id, student_id, organization_id, completed_at)
  select p_drill, p_student, p_org, case when p_completed then now() - interval '1 day' end
  from generate_series(1, p_count)
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

-- 1
select pg_temp.assign(:'org', :'student', :'drill', 60, false);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '60 open assignments: no drills_1');
select pg_temp.assign(:'org', :'student', :'drill', 1, true);
select is(pg_temp.new_codes(:'student'), array['drills_1'], 'one completed drill earns drills_1');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 10
select pg_temp.assign(:'org', :'student', :'drill', 8, true);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '9 completed: no drills_10');
update tutela.drill_assignments set completed_at = now()
where id = (
  select da.id from tutela.drill_assignments as da
  where da.student_id = :'student' and da.completed_at is null
  order by da.id
  limit 1
);
select is(
  pg_temp.new_codes(:'student'), array['drills_10'],
  'an open assignment completed: 10 completed earn drills_10'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 50
select pg_temp.assign(:'org', :'student', :'drill', 39, true);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '49 completed: no drills_50');
select pg_temp.assign(:'org', :'student', :'drill', 1, true);
select is(pg_temp.new_codes(:'student'), array['drills_50'], '50 completed earn drills_50');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

select * from finish();
rollback;
