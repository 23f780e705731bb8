-- Rule sessions_attended (first_session 1, sessions_10, sessions_50, sessions_100): the number
-- of session_students rows with attendance 'present' whose coaching session has already
-- started. Absent and excused rows and sessions in the future do not count. Each award comes
-- exactly at its threshold, not one session before, and only once.
begin;
select plan(14);

insert into tutela.organizations (name, slug) values ('Academy 010', 'academy-010')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset

-- Adds p_count sessions (one hour apart, ending p_hours_ago hours back) with one attendance.
create function pg_temp.add_sessions(
  p_org uuid, p_student uuid, p_count integer, p_attendance text, p_hours_ago integer
)
returns void
language sql
as $$
  with s as (
    insert into tutela.coaching_sessions (organization_id, starts_at)
    select p_org, now() - (p_hours_ago + g) * interval '1 hour'
    from generate_series(1, p_count) as g
    returning id
  )
  insert into tutela.session_students (session_id, student_id, organization_id, attendance)
  select s.id, p_student, p_org, p_attendance from s
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

-- absent, excused and future sessions earn nothing
select pg_temp.add_sessions(:'org', :'student', 3, 'absent', 0);
select pg_temp.add_sessions(:'org', :'student', 3, 'excused', 0);
select pg_temp.add_sessions(:'org', :'student', 3, 'present', -200);
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  'absent, excused and future sessions: no award'
);

-- 1
select pg_temp.add_sessions(:'org', :'student', 1, 'present', 10);
select is(
  pg_temp.new_codes(:'student'), array['first_session'],
  'the first present session earns first_session'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 10
select pg_temp.add_sessions(:'org', :'student', 8, 'present', 10);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '9 present sessions: no sessions_10');
select pg_temp.add_sessions(:'org', :'student', 1, 'present', 10);
select is(pg_temp.new_codes(:'student'), array['sessions_10'], '10 earn sessions_10');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 50
select pg_temp.add_sessions(:'org', :'student', 39, 'present', 10);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '49 present sessions: no sessions_50');
select pg_temp.add_sessions(:'org', :'student', 1, 'present', 10);
select is(pg_temp.new_codes(:'student'), array['sessions_50'], '50 earn sessions_50');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 100
select pg_temp.add_sessions(:'org', :'student', 49, 'present', 10);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '99 present sessions: no sessions_100');
select pg_temp.add_sessions(:'org', :'student', 1, 'present', 10);
select is(pg_temp.new_codes(:'student'), array['sessions_100'], '100 earn sessions_100');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

select is(
  (
    select sa.metric_value from tutela.student_achievements as sa
    where
      sa.student_id = :'student'
      and sa.achievement_id = (
        select a.id from tutela.achievements as a where a.code = 'sessions_100'
      )
  ),
  100,
  'the award records the metric value it was earned with'
);
select is(
  (select count(*)::integer from tutela.student_achievements where student_id = :'student'),
  4,
  'four awards in all: one per session threshold, none twice'
);

select * from finish();
rollback;
