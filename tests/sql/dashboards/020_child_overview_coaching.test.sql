-- child_overview(student), `coaching` section: `upcoming_lessons` (lessons permission: the
-- next five scheduled lessons with their coach), `recent_sessions`, `score_history` and
-- `attendance` (sessions permission: the five latest sessions held, scores in the tier's
-- window in time order, attendance counts and sessions a week over 8 weeks) and `skills`
-- (progress permission: the organisation's skill tree with the child's latest levels).
begin;
select plan(15);

select tutela_tests.create_user('guardian-d020@world.test') as u_guardian \gset
select tutela_tests.create_user('coach-d020@world.test', '{"display_name": "Coach Kim"}') as u_coach
\gset
insert into tutela.organizations (name, slug) values ('Academy 020', 'academy-d020')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_coach', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());

-- lessons: a warm-up in an hour without a coach, six lessons with Coach Kim a day apart;
-- a cancelled one, one in the past still scheduled, one completed
insert into tutela.lessons (
  student_id, organization_id, coach_id, scheduled_at, duration_minutes, topic
)
values (:'mia', :'org', null, now() + interval '1 hour', 30, 'Warm-up');
insert into tutela.lessons (
  student_id, organization_id, coach_id, scheduled_at, duration_minutes, topic
)
select
  :'mia'::uuid as student_id,
  :'org'::uuid as organization_id,
  :'u_coach'::uuid as coach_id,
  now() + make_interval(days => d) as scheduled_at,
  60 as duration_minutes,
  'Lesson ' || d as topic
from generate_series(1, 6) as d;
insert into tutela.lessons (student_id, organization_id, coach_id, scheduled_at, status, topic)
values
(:'mia', :'org', :'u_coach', now() + interval '12 hours', 'cancelled', 'Cancelled'),
(:'mia', :'org', :'u_coach', now() - interval '1 day', 'scheduled', 'Past'),
(:'mia', :'org', :'u_coach', now() - interval '2 days', 'completed', 'Done');

-- sessions 1 to 6 days ago; a session 100 days ago; a session in two days
insert into tutela.coaching_sessions (organization_id, coach_id, starts_at, focus)
select
  :'org'::uuid as organization_id,
  :'u_coach'::uuid as coach_id,
  now() - make_interval(days => d) as starts_at,
  'Session ' || d as focus
from generate_series(1, 6) as d;
insert into tutela.coaching_sessions (organization_id, coach_id, starts_at, focus)
values
(:'org', :'u_coach', now() - interval '100 days', 'Old session'),
(:'org', :'u_coach', now() + interval '2 days', 'Next session');
insert into tutela.session_students (session_id, student_id, organization_id, attendance)
select
  cs.id as session_id,
  :'mia'::uuid as student_id,
  cs.organization_id,
  case cs.focus when 'Session 2' then 'absent' when 'Session 3' then 'excused' else 'present' end
    as attendance
from tutela.coaching_sessions as cs where cs.organization_id = :'org';
insert into tutela.session_scores (
  session_id, student_id, organization_id, score, coach_notes
)
select
  cs.id as session_id,
  :'mia'::uuid as student_id,
  cs.organization_id,
  case cs.focus
    when 'Session 1' then 8 when 'Session 4' then 6.5 when 'Session 5' then 7
    when 'Session 6' then 9 else 5
  end as score,
  'Notes on ' || cs.focus as coach_notes
from tutela.coaching_sessions as cs
where
  cs.organization_id = :'org'
  and cs.focus in (
    'Session 1', 'Session 4', 'Session 5', 'Session 6', 'Old session', 'Next session'
  );

-- skills: Technique (Serve up to 5, Volley up to 3), Fitness (Endurance); Serve assessed twice
insert into tutela.skills (organization_id, category, name, max_level, position)
values
(:'org', 'Technique', 'Serve', 5, 1),
(:'org', 'Technique', 'Volley', 3, 2),
(:'org', 'Fitness', 'Endurance', 5, 1);
select id as serve from tutela.skills where name = 'Serve' and organization_id = :'org' \gset
select id as volley from tutela.skills where name = 'Volley' and organization_id = :'org' \gset
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values
(:'serve', :'mia', :'org', 2, now() - interval '10 days'),
(:'serve', :'mia', :'org', 5, now() - interval '2 days'),
(:'volley', :'mia', :'org', 1, now() - interval '3 days');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') #> '{sections,coaching}' as coaching \gset
select tutela_tests.clear_authentication();

select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.upcoming_lessons[*].topic'),
  '["Warm-up", "Lesson 1", "Lesson 2", "Lesson 3", "Lesson 4"]'::jsonb,
  'upcoming lessons: the next five scheduled, soonest first'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.upcoming_lessons[0 to 1].coach'),
  '["Coach", "Coach Kim"]'::jsonb,
  'each lesson names its coach ("Coach" when none is set)'
);
select is(
  (:'coaching'::jsonb #> '{upcoming_lessons,0}') - 'lesson_id',
  jsonb_build_object(
    'scheduled_at', now() + interval '1 hour', 'duration_minutes', 30, 'topic', 'Warm-up',
    'coach', 'Coach'
  ),
  'a lesson: time, duration, topic, coach'
);
select ok(
  not jsonb_path_exists(
    :'coaching'::jsonb,
    '$.upcoming_lessons[*] ? (@.topic == "Cancelled" || @.topic == "Past" || @.topic == "Done")'
  ),
  'not cancelled, past or completed lessons'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.recent_sessions[*].focus'),
  '["Session 1", "Session 2", "Session 3", "Session 4", "Session 5"]'::jsonb,
  'recent sessions: the five latest held, newest first (not the next one)'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.recent_sessions[*].attendance'),
  '["present", "absent", "excused", "present", "present"]'::jsonb,
  'each with the child''s attendance'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.recent_sessions[*].score'),
  '[8, null, null, 6.5, 7]'::jsonb,
  'each with the child''s score, null when not scored'
);
select is(
  (
    select
      (:'coaching'::jsonb #> '{recent_sessions,0}')
      = jsonb_build_object(
        'session_id', cs.id, 'starts_at', cs.starts_at, 'focus', 'Session 1',
        'attendance', 'present', 'score', 8, 'coach_notes', 'Notes on Session 1'
      )
    from tutela.coaching_sessions as cs where cs.focus = 'Session 1'
  ),
  true,
  'a session: time, focus, attendance, score and the coach''s notes'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.score_history[*].score'),
  '[9, 7, 6.5, 8]'::jsonb,
  'score history: scores of the last 30 days in time order (not 100 days ago, not ahead)'
);
select is(
  :'coaching'::jsonb #> '{score_history,3}',
  jsonb_build_object('at', now() - interval '1 day', 'score', 8),
  'a score point: when and how much'
);
select is(
  :'coaching'::jsonb -> 'attendance',
  '{"present": 5, "absent": 1, "excused": 1, "sessions_per_week_8w": 0.50}'::jsonb,
  'attendance: sessions held by attendance; 4 present in 8 weeks is 0.5 a week'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.skills[*].category'),
  '["Fitness", "Technique"]'::jsonb,
  'skills by category'
);
select is(
  jsonb_path_query_array(:'coaching'::jsonb, '$.skills[1].skills[*].name'),
  '["Serve", "Volley"]'::jsonb,
  'skills of a category by position'
);
select is(
  (:'coaching'::jsonb #> '{skills,1,skills,0}') - 'skill_id',
  jsonb_build_object(
    'name', 'Serve', 'level', 5, 'max_level', 5, 'assessed_at', now() - interval '2 days',
    'mastered', true
  ),
  'a skill shows its latest level: Serve mastered at 5 of 5'
);
select is(
  (:'coaching'::jsonb #> '{skills,0,skills,0}') - 'skill_id',
  '{"name": "Endurance", "level": 0, "max_level": 5, "assessed_at": null,
    "mastered": false}'::jsonb,
  'a skill never assessed: level 0'
);

select * from finish();
rollback;
