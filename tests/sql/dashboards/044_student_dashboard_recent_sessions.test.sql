-- student_dashboard() -> recent_sessions: the last 5 coaching sessions the student took part
-- in that have started, newest first, with session_id, starts_at, focus, attendance, score
-- and coach_notes (null when not scored). Future sessions, sessions of other students and the
-- sixth-newest are left out. The coach's analysis comes only with a tier that includes
-- session_analysis (starter): on the free tier the key is absent.
begin;
select plan(6);

select tutela_tests.create_user('student-044@world.test') as u_student \gset
select tutela_tests.create_user('other-044@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 044', 'world-044')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset

insert into tutela.coaching_sessions (organization_id, starts_at, focus)
select
  :'org' as organization_id,
  now() - v.ago as starts_at,
  v.focus
from (
  values
  (interval '6 days', 'Six days ago'), (interval '1 day', 'Yesterday'),
  (interval '3 days', 'Three days ago'), (interval '1 hour', 'An hour ago'),
  (interval '5 days', 'Five days ago'), (interval '2 days', 'Two days ago'),
  (interval '-1 day', 'Tomorrow'), (interval '30 minutes', 'Other''s')
) as v (ago, focus);
insert into tutela.session_students (session_id, student_id, organization_id, attendance)
select
  cs.id as session_id,
  case when cs.focus = 'Other''s' then :'other'::uuid else :'student'::uuid end as student_id,
  :'org' as organization_id,
  case when cs.focus = 'Two days ago' then 'absent' else 'present' end as attendance
from tutela.coaching_sessions as cs where cs.organization_id = :'org';
-- every session is scored but the one the student missed
insert into tutela.session_scores (
  session_id, student_id, organization_id, score, coach_notes, analysis
)
select
  ss.session_id,
  ss.student_id,
  ss.organization_id,
  7.5 as score,
  'Good footwork' as coach_notes,
  '{"serve": 0.8}'::jsonb as analysis
from tutela.session_students as ss
where ss.organization_id = :'org' and ss.attendance = 'present';

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'recent_sessions' as sessions \gset

select is(
  jsonb_path_query_array(:'sessions'::jsonb, '$[*].focus'),
  '["An hour ago", "Yesterday", "Two days ago", "Three days ago", "Five days ago"]'::jsonb,
  'the last five started sessions, newest first (not tomorrow''s, not the sixth)'
);
select is(
  :'sessions'::jsonb -> 0,
  (
    select
      jsonb_build_object(
        'session_id', cs.id, 'starts_at', cs.starts_at, 'focus', 'An hour ago',
        'attendance', 'present', 'score', 7.5, 'coach_notes', 'Good footwork'
      )
    from tutela.coaching_sessions as cs where cs.focus = 'An hour ago'
  ),
  'a session: id, start, focus, attendance, score and the coach''s notes (free: no analysis)'
);
select is(
  :'sessions'::jsonb -> 2,
  (
    select
      jsonb_build_object(
        'session_id', cs.id, 'starts_at', cs.starts_at, 'focus', 'Two days ago',
        'attendance', 'absent', 'score', null, 'coach_notes', null
      )
    from tutela.coaching_sessions as cs where cs.focus = 'Two days ago'
  ),
  'a session without a score: attendance absent, score and notes null'
);
select ok(
  not jsonb_path_exists(:'sessions'::jsonb, '$.**.analysis'),
  'free tier: no session carries an analysis key'
);

select tutela_tests.clear_authentication();
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id as plan_id,
  :'student' as student_id
from tutela.plans as p where p.code = 'starter';
select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.student_dashboard() -> 'recent_sessions' -> 0 -> 'analysis',
  '{"serve": 0.8}'::jsonb,
  'starter tier (session_analysis): the coach''s analysis is included'
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  jsonb_path_query_array(tutela.student_dashboard(), '$.recent_sessions[*].focus'),
  '["Other''s"]'::jsonb,
  'another student sees only their own session'
);

select * from finish();
rollback;
