-- seed_achievements() writes the rule book: at least 24 definitions, one per code, every rule
-- one the engine computes. Calling it again changes nothing: no new row, no rewritten row, the
-- same ids.
begin;
select plan(9);

select cmp_ok(
  (select count(*)::integer from tutela.achievements), '>=', 24,
  'the migration seeded at least 24 definitions'
);
select set_eq(
  'select code from tutela.achievements',
  $$ values
    ('first_session'), ('sessions_10'), ('sessions_50'), ('sessions_100'),
    ('first_skill_mastered'), ('category_mastered'),
    ('weekly_streak_4'), ('weekly_streak_8'), ('weekly_streak_12'),
    ('study_streak_7'), ('study_streak_30'), ('journal_7'), ('journal_30'),
    ('first_score_8'), ('first_score_9'), ('drills_1'), ('drills_10'), ('drills_50'),
    ('reviews_100'), ('reviews_1000'), ('first_card_mastered'), ('first_certificate'),
    ('first_course_completed'), ('perfect_assignment'), ('lessons_10') $$,
  'the rule book holds the documented codes (docs/achievements.md)'
);
select set_eq(
  'select distinct rule from tutela.achievements',
  $$ values
    ('sessions_attended'), ('skills_mastered'), ('categories_mastered'),
    ('weekly_session_streak'), ('study_streak_days'), ('journal_entries'),
    ('best_session_score'), ('drills_completed'), ('reviews'), ('cards_mastered'),
    ('certificates'), ('courses_completed'), ('perfect_assignments'), ('lessons_completed') $$,
  'every definition uses one of the metrics tutela_private.achievement_metrics computes'
);

create temporary table before_seed as
select
  a.id,
  a.code,
  a.xmin::text as row_version,
  a.updated_at
from tutela.achievements as a;
select count(*)::integer as definitions from before_seed \gset

select tutela_tests.as_service_role();
select is(
  tutela.seed_achievements(), :definitions,
  'calling it again returns the number of definitions'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela.achievements), (select count(*)::integer from before_seed),
  'no definition added'
);
select is(
  (select count(distinct code)::integer from tutela.achievements),
  (select count(*)::integer from tutela.achievements),
  'no code twice'
);
select set_eq(
  'select id, code from tutela.achievements',
  'select id, code from before_seed',
  'every code keeps its id'
);
select set_eq(
  'select id, xmin::text as row_version from tutela.achievements',
  'select id, row_version from before_seed',
  'no row was rewritten (an unchanged definition is not updated)'
);
select set_eq(
  'select id, updated_at from tutela.achievements',
  'select id, updated_at from before_seed',
  'updated_at is untouched'
);

select * from finish();
rollback;
