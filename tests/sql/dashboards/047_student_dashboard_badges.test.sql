-- student_dashboard() -> badges: the student's 10 newest achievements, newest first, each with
-- code, title, category, icon and awarded_at. The eleventh-newest and other students' badges
-- are left out.
begin;
select plan(3);

select tutela_tests.create_user('student-047@world.test') as u_student \gset
select tutela_tests.create_user('other-047@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 047', 'world-047')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset

-- eleven badges, one a day, in an order unrelated to the codes: the n-th by md5(code) was
-- awarded n days ago
create temporary view badge_order as
select
  id,
  code,
  row_number() over (order by md5(code))::integer as n
from tutela.achievements;
insert into tutela.student_achievements (student_id, achievement_id, awarded_at)
select
  :'student' as student_id,
  b.id as achievement_id,
  now() - make_interval(days => b.n) as awarded_at
from badge_order as b where b.n <= 11;
select jsonb_agg(code order by n) as newest_ten from badge_order where n <= 10 \gset
select
  jsonb_build_object(
    'code', a.code, 'title', a.title, 'category', a.category, 'icon', a.icon,
    'awarded_at', now() - interval '1 day'
  ) as newest_badge
from tutela.achievements as a
where a.id = (select b.id from badge_order as b where b.n = 1) \gset
insert into tutela.student_achievements (student_id, achievement_id, awarded_at)
select
  :'other' as student_id,
  a.id as achievement_id,
  now() as awarded_at
from tutela.achievements as a where a.code = 'lessons_10';

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'badges' as badges \gset

select is(
  jsonb_path_query_array(:'badges'::jsonb, '$[*].code'),
  :'newest_ten'::jsonb,
  'the ten newest badges, newest first (the eleventh and the other student''s left out)'
);
select is(
  :'badges'::jsonb -> 0,
  :'newest_badge'::jsonb,
  'a badge: code, title, category, icon and the award date'
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.badges[*].code'),
  '["lessons_10"]'::jsonb,
  'another student sees only their own badge'
);

select * from finish();
rollback;
