-- Rule best_session_score (first_score_8, first_score_9): the student's highest session score,
-- rounded down to a whole number. 7.99 is not 8 and 8.99 is not 9; an unscored session counts
-- for nothing. Each award comes once.
begin;
select plan(7);

insert into tutela.organizations (name, slug) values ('Academy 017', 'academy-017')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset

-- A past session the student attended; returns its id.
create function pg_temp.attended_session(p_org uuid, p_student uuid, p_days_ago integer)
returns uuid
language sql
as $$
  with s as (
    insert into tutela.coaching_sessions (organization_id, starts_at)
    values (p_org, now() - p_days_ago * interval '1 day')
    returning id
  )
  insert into tutela.session_students (session_id, student_id, organization_id, attendance)
  select s.id, p_student, p_org, 'present' from s
  returning session_id
$$;

select
  pg_temp.attended_session(:'org', :'student', 6) as s1,
  pg_temp.attended_session(:'org', :'student', 5) as s2,
  pg_temp.attended_session(:'org', :'student', 4) as s3,
  pg_temp.attended_session(:'org', :'student', 3) as s4,
  pg_temp.attended_session(:'org', :'student', 2) as s5,
  pg_temp.attended_session(:'org', :'student', 1) as s6
\gset

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

select is(
  pg_temp.new_codes(:'student', 'best_session_score'), '{}'::text[],
  'sessions without scores: no score award'
);

-- 8
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values
(:'s1', :'student', :'org', null),
(:'s2', :'student', :'org', 7.99);
select is(
  pg_temp.new_codes(:'student', 'best_session_score'), '{}'::text[],
  'best score 7.99: no first_score_8'
);
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'s3', :'student', :'org', 8);
select is(
  pg_temp.new_codes(:'student', 'best_session_score'), array['first_score_8'],
  'a score of 8 earns first_score_8'
);
select is(
  pg_temp.new_codes(:'student', 'best_session_score'), '{}'::text[],
  'checking again awards nothing'
);

-- 9
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'s4', :'student', :'org', 8.99);
select is(
  pg_temp.new_codes(:'student', 'best_session_score'), '{}'::text[],
  'best score 8.99: no first_score_9'
);
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'s5', :'student', :'org', 9);
select is(
  pg_temp.new_codes(:'student', 'best_session_score'), array['first_score_9'],
  'a score of 9 earns first_score_9'
);
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'s6', :'student', :'org', 10);
select is(
  pg_temp.new_codes(:'student', 'best_session_score'), '{}'::text[],
  'a later 10 awards nothing again'
);

select * from finish();
rollback;
