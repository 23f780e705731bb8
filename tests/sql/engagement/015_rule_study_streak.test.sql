-- Rule study_streak_days (study_streak_7, study_streak_30): student_stats.longest_streak, the
-- longest run of consecutive UTC days with a review or an activity, as the review triggers
-- keep it; a longest run in the past counts even when the current streak is shorter. A missing
-- day breaks the run; filling it joins the runs. Each award comes exactly at its threshold and
-- only once.
begin;
select plan(9);

insert into tutela.organizations (name, slug) values ('Academy 015', 'academy-015')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', '2 + 2?', '4') returning id as card \gset

-- One wrong review (the card stays in box 1) on each UTC day from p_from to p_to days ago.
create function pg_temp.review_days(p_student uuid, p_card uuid, p_from integer, p_to integer)
returns void
language sql
as $$
  insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
  select p_student, p_card, now() - d * interval '1 day', false
  from generate_series(p_from, p_to) as d
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

-- 7: yesterday, then days 3-8 and 10 back (day 2 and day 9 missing): the longest run is 6
select pg_temp.review_days(:'student', :'card', 1, 1);
select pg_temp.review_days(:'student', :'card', 3, 8);
select pg_temp.review_days(:'student', :'card', 10, 10);
select results_eq(
  format(
    'select current_streak, longest_streak from tutela.student_stats where student_id = %L',
    :'student'
  ),
  $$ values (1, 6) $$,
  'the current streak is 1 day, the longest 6'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'a 6-day streak: no study_streak_7');
select pg_temp.review_days(:'student', :'card', 9, 9);
select is(
  pg_temp.new_codes(:'student'), array['study_streak_7'],
  'day 9 filled: an 8-day streak in the past (the current one is 1) earns study_streak_7'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 30: days 3-31, then day 32
select pg_temp.review_days(:'student', :'card', 11, 31);
select is(
  (select longest_streak from tutela.student_stats where student_id = :'student'), 29,
  'days 3-31: the longest streak is 29 days'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'a 29-day streak: no study_streak_30');
select pg_temp.review_days(:'student', :'card', 32, 32);
select is(
  pg_temp.new_codes(:'student'), array['study_streak_30'],
  'a 30-day streak earns study_streak_30'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
select is(
  (
    select count(*)::integer from tutela.student_achievements as sa
    where
      sa.student_id = :'student'
      and sa.achievement_id in (
        select a.id from tutela.achievements as a where a.rule = 'study_streak_days'
      )
  ),
  2,
  'two study-streak awards, none twice'
);

select * from finish();
rollback;
