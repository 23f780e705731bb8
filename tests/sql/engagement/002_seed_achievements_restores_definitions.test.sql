-- seed_achievements() restores the canonical text of a changed definition and keeps its id;
-- it never touches or removes an award, and never removes a definition it does not know.
begin;
select plan(8);

insert into tutela.organizations (name, slug) values ('Academy 002', 'academy-002')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
select id as first_session from tutela.achievements where code = 'first_session' \gset

-- a definition the rule book does not know (e.g. retired), with an award
insert into tutela.achievements (code, title, category, rule, threshold)
values ('retired_badge', 'Retired badge', 'sessions', 'retired_metric', 1)
returning id as retired \gset
insert into tutela.student_achievements (student_id, achievement_id, awarded_at, metric_value)
values
(:'student', :'first_session', now() - interval '30 days', 3),
(:'student', :'retired', now() - interval '60 days', 1);
create temporary table awards_before as
select
  sa.id,
  sa.student_id,
  sa.achievement_id,
  sa.awarded_at,
  sa.metric_value
from tutela.student_achievements as sa;

-- someone edits a definition by hand
update tutela.achievements
set title = 'Came once', description = 'Edited.', threshold = 2, icon = 'edited'
where code = 'first_session';

select tutela_tests.as_service_role();
select lives_ok('select tutela.seed_achievements()', 'the service role seeds the rule book');
select tutela_tests.clear_authentication();

select results_eq(
  $$ select title, description, threshold, icon from tutela.achievements
     where code = 'first_session' $$,
  $$ values ('First session'::text, 'Attended a first coaching session.'::text, 1, 'wave'::text) $$,
  'the canonical title, description, threshold and icon are back'
);
select is(
  (select id from tutela.achievements where code = 'first_session'), :'first_session'::uuid,
  'the definition keeps its id'
);
select cmp_ok(
  (select updated_at from tutela.achievements where code = 'first_session'), '=', now(),
  'the restored definition is stamped updated_at'
);
select set_eq(
  'select id, student_id, achievement_id, awarded_at, metric_value
   from tutela.student_achievements',
  'select id, student_id, achievement_id, awarded_at, metric_value from awards_before',
  'every award is still there, unchanged'
);
select is(
  (select title from tutela.achievements where id = :'retired'), 'Retired badge',
  'a definition it does not know is kept'
);

-- seeding again after awards exist removes nothing either
select tutela_tests.as_service_role();
select tutela.seed_achievements() as definitions \gset
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela.student_achievements), 2,
  'a second seed removes no award'
);
select is(
  :definitions, (select count(*)::integer from tutela.achievements),
  'seed_achievements returns the number of definitions, the unknown one included'
);

select * from finish();
rollback;
