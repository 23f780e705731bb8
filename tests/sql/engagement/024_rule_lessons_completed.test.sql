-- Rule lessons_completed (lessons_10, 10): the number of the student's lessons with status
-- 'completed'. Scheduled, cancelled and missed lessons do not count. The award comes exactly
-- at the tenth completed lesson, once.
begin;
select plan(4);

insert into tutela.organizations (name, slug) values ('Academy 024', 'academy-024')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset

-- p_count lessons with this status, one a day from p_from days ago backwards.
create function pg_temp.add_lessons(
  p_org uuid, p_student uuid, p_from integer, p_count integer, p_status text
)
returns void
language sql
as $$
  insert into tutela.lessons (student_id, organization_id, scheduled_at, status)
  select p_student, p_org, now() - d * interval '1 day', p_status
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

select pg_temp.add_lessons(:'org', :'student', 1, 9, 'completed');
select pg_temp.add_lessons(:'org', :'student', 10, 3, 'cancelled');
select pg_temp.add_lessons(:'org', :'student', 13, 3, 'missed');
select pg_temp.add_lessons(:'org', :'student', -3, 3, 'scheduled');
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  '9 completed lessons (and cancelled, missed, scheduled ones): no lessons_10'
);
update tutela.lessons set status = 'completed'
where student_id = :'student' and scheduled_at = now() - interval '10 days';
select is(
  pg_temp.new_codes(:'student'), array['lessons_10'],
  'a tenth lesson completed earns lessons_10'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
select pg_temp.add_lessons(:'org', :'student', 20, 5, 'completed');
select is(pg_temp.new_codes(:'student'), '{}'::text[], '15 completed lessons: nothing again');

select * from finish();
rollback;
