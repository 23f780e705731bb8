-- Rule reviews (reviews_100, reviews_1000): student_stats.total_reviews, the number of
-- flashcard reviews the student recorded (right or wrong). Each award comes exactly at its
-- threshold and only once.
begin;
select plan(8);

insert into tutela.organizations (name, slug) values ('Academy 019', 'academy-019')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', '7 x 8?', '56') returning id as card \gset

-- p_count reviews of the card now, wrong (the card stays in box 1, the streak is one day).
create function pg_temp.review(p_student uuid, p_card uuid, p_count integer)
returns void
language sql
as $$
  insert into tutela.card_reviews (student_id, flashcard_id, correct)
  select p_student, p_card, false from generate_series(1, p_count)
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

-- 100
select pg_temp.review(:'student', :'card', 99);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '99 reviews: no reviews_100');
select pg_temp.review(:'student', :'card', 1);
select is(pg_temp.new_codes(:'student'), array['reviews_100'], '100 reviews earn reviews_100');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');

-- 1000
select pg_temp.review(:'student', :'card', 899);
select is(
  (select total_reviews from tutela.student_stats where student_id = :'student'), 999::bigint,
  'student_stats counts 999 reviews'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], '999 reviews: no reviews_1000');
select pg_temp.review(:'student', :'card', 1);
select is(
  pg_temp.new_codes(:'student'), array['reviews_1000'], '1,000 reviews earn reviews_1000'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
select is(
  (
    select sa.metric_value from tutela.student_achievements as sa
    where
      sa.student_id = :'student'
      and sa.achievement_id = (
        select a.id from tutela.achievements as a where a.code = 'reviews_1000'
      )
  ),
  1000,
  'the award records 1,000 reviews'
);

select * from finish();
rollback;
