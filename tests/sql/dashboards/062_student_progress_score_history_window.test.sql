-- student_progress() -> score_history: the student's session scores, oldest first, each
-- {at, score}, limited to the tier's score_history_days: free 30 (a 40-day-old score is
-- absent), starter 90, professional 365 (the 40- and 100-day-old scores present, a 400-day-old
-- one absent). Unscored and future sessions never appear.
begin;
select plan(4);

select tutela_tests.create_user('student-062@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 062', 'world-062')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
select
  :'org' as organization_id,
  now() - make_interval(days => v.ago) as starts_at,
  v.ago::text as focus
from (values (10), (40), (100), (400), (5), (-1)) as v (ago);
insert into tutela.session_students (session_id, student_id, organization_id)
select
  cs.id as session_id,
  :'student' as student_id,
  cs.organization_id
from tutela.coaching_sessions as cs where cs.organization_id = :'org';
insert into tutela.session_scores (session_id, student_id, organization_id, score)
select
  cs.id as session_id,
  :'student' as student_id,
  cs.organization_id,
  case cs.focus
    when '10' then 6 when '40' then 7 when '100' then 8 when '400' then 9
    when '-1' then 5
  end as score
from tutela.coaching_sessions as cs where cs.organization_id = :'org';

select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.student_progress() -> 'score_history',
  jsonb_build_array(jsonb_build_object('at', now() - interval '10 days', 'score', 6)),
  'free (30 days): only the 10-day-old score; the 40-day-old one is absent'
);

select tutela_tests.clear_authentication();
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id as plan_id,
  :'student' as student_id
from tutela.plans as p where p.code = 'starter'
returning id as sub \gset
select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_progress(), '$.score_history[*].score'),
  '[7, 6]'::jsonb,
  'starter (90 days): the 40- and 10-day-old scores, oldest first'
);

select tutela_tests.clear_authentication();
update tutela.subscriptions
set plan_id = (select p.id from tutela.plans as p where p.code = 'professional')
where id = :'sub';
select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.student_progress() -> 'score_history',
  jsonb_build_array(
    jsonb_build_object('at', now() - interval '100 days', 'score', 8),
    jsonb_build_object('at', now() - interval '40 days', 'score', 7),
    jsonb_build_object('at', now() - interval '10 days', 'score', 6)
  ),
  'professional (365 days): the 100-, 40- and 10-day-old scores; not the 400-day-old one'
);
select ok(
  not jsonb_path_exists(tutela.student_progress(), '$.score_history[*] ? (@.score == 5)'),
  'a future session''s score never appears'
);

select * from finish();
rollback;
