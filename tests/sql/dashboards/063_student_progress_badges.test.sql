-- student_progress() -> badges: every badge of the student (not cut at the dashboard's 10),
-- newest first, each with code, title, category, icon and the date it was awarded.
begin;
select plan(3);

select tutela_tests.create_user('student-063@world.test') as u_student \gset
select tutela_tests.create_user('other-063@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 063', 'world-063')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
-- twelve badges, the n-th by md5(code) awarded n days ago
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
from badge_order as b where b.n <= 12;
select jsonb_agg(code order by n) as expected_codes from badge_order where n <= 12 \gset
select
  jsonb_build_object(
    'code', a.code, 'title', a.title, 'category', a.category, 'icon', a.icon,
    'awarded_at', now() - interval '12 days'
  ) as oldest_badge
from tutela.achievements as a
where a.id = (select b.id from badge_order as b where b.n = 12) \gset
insert into tutela.student_achievements (student_id, achievement_id)
select
  :'other' as student_id,
  a.id as achievement_id
from tutela.achievements as a;

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_progress(), '$.badges[*].code'),
  :'expected_codes'::jsonb,
  'all twelve badges, newest first (the other student''s left out)'
);
select is(
  tutela.student_progress() -> 'badges' -> 11,
  :'oldest_badge'::jsonb,
  'the oldest badge with its code, title, category, icon and award date'
);
select is(
  jsonb_path_query_array(tutela.student_progress(), '$.badges[*].awarded_at')
  -> 0,
  to_jsonb(now() - interval '1 day'),
  'the newest badge first, with its date'
);

select * from finish();
rollback;
