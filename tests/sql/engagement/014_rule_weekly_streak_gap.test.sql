-- Rule weekly_session_streak: a week without a present session breaks the run; an absent or
-- excused session does not fill the gap, and neither do sessions that have not started yet.
-- Filling the gap joins the two runs.
begin;
select plan(3);

insert into tutela.organizations (name, slug) values ('Academy 014', 'academy-014')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset

-- One session with this attendance in each week from p_from to p_to weeks ago.
create function pg_temp.add_weeks(
  p_org uuid, p_student uuid, p_from integer, p_to integer, p_attendance text
)
returns void
language sql
as $$
  with s as (
    insert into tutela.coaching_sessions (organization_id, starts_at)
    select p_org, now() - w * interval '7 days'
    from generate_series(p_from, p_to) as w
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

-- present in weeks 1-3 and 5-7 before this one; week 4 has only absent and excused sessions;
-- this week has only a present session that has not started yet (its last microsecond)
select pg_temp.add_weeks(:'org', :'student', 1, 3, 'present');
select pg_temp.add_weeks(:'org', :'student', 5, 7, 'present');
select pg_temp.add_weeks(:'org', :'student', 4, 4, 'absent');
select pg_temp.add_weeks(:'org', :'student', 4, 4, 'excused');
insert into tutela.coaching_sessions (organization_id, starts_at)
values (
  :'org',
  (date_trunc('week', now() at time zone 'UTC') + interval '7 days' - interval '1 microsecond')
  at time zone 'UTC'
)
returning id as future_session \gset
insert into tutela.session_students (session_id, student_id, organization_id, attendance)
values (:'future_session', :'student', :'org', 'present');
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  'two runs of 3 weeks split by a gap week: no weekly_streak_4'
);

-- a present session in the gap week joins them into 7 weeks
select pg_temp.add_weeks(:'org', :'student', 4, 4, 'present');
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), array['weekly_streak_4'],
  'the gap filled: weeks 1-7 earn weekly_streak_4 (with this week''s future session: 8)'
);
select is(
  pg_temp.new_codes(:'student', 'weekly_session_streak'), '{}'::text[],
  'checking again awards nothing'
);

select * from finish();
rollback;
