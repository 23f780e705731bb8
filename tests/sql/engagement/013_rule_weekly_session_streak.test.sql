-- Rule weekly_session_streak (weekly_streak_4, weekly_streak_8, weekly_streak_12): the longest
-- run of consecutive ISO weeks (Monday to Sunday, UTC) with at least one present session that
-- has started. Several sessions in one week count as one week. Each award comes exactly at its
-- threshold and only once.
begin;
select plan(9);

insert into tutela.organizations (name, slug) values ('Academy 013', 'academy-013')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset

-- One present session per copy in each week from p_from to p_to weeks ago (a session exactly
-- k times 7 days back lies in the k-th ISO week before this one).
create function pg_temp.add_weeks(
  p_org uuid, p_student uuid, p_from integer, p_to integer, p_copies integer default 1
)
returns void
language sql
as $$
  with s as (
    insert into tutela.coaching_sessions (organization_id, starts_at)
    select p_org, now() - w * interval '7 days'
    from generate_series(p_from, p_to) as w, generate_series(1, p_copies) as c
    returning id
  )
  insert into tutela.session_students (session_id, student_id, organization_id, attendance)
  select s.id, p_student, p_org, 'present' from s
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

-- 4
select pg_temp.add_weeks(:'org', :'student', 1, 3, 4);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  '3 consecutive weeks (12 sessions): no weekly_streak_4'
);
select pg_temp.add_weeks(:'org', :'student', 4, 4);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), array['weekly_streak_4'],
  '4 consecutive weeks: weekly_streak_4'
);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  'checking again awards nothing'
);

-- 8
select pg_temp.add_weeks(:'org', :'student', 5, 7);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  '7 consecutive weeks: no weekly_streak_8'
);
select pg_temp.add_weeks(:'org', :'student', 8, 8);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), array['weekly_streak_8'],
  '8 consecutive weeks: weekly_streak_8'
);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  'checking again awards nothing'
);

-- 12
select pg_temp.add_weeks(:'org', :'student', 9, 11);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  '11 consecutive weeks: no weekly_streak_12'
);
select pg_temp.add_weeks(:'org', :'student', 12, 12);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), array['weekly_streak_12'],
  '12 consecutive weeks: weekly_streak_12'
);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  'checking again awards nothing'
);

select * from finish();
rollback;
