-- Tier in child_overview(student), the score history window: coaching.score_history reaches
-- back as far as the plan's score_history_days allows (free 30 days, starter 90,
-- professional 365), in time order; recent sessions are not cut by it.
begin;
select plan(6);

select tutela_tests.create_user('staff-d036@world.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 036', 'academy-d036', 5) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');

-- a graded quiz with the reviewer's score and feedback, and a scored session with the
-- coach's notes and an analysis, for one student
create function pg_temp.give_work(p_student uuid)
returns void
language plpgsql
as $$
declare
  v_org uuid;
  v_course uuid;
  v_assignment uuid;
  v_session uuid;
begin
  select s.organization_id into v_org from tutela.students as s where s.id = p_student;
  insert into tutela.courses (organization_id, title) values (v_org, 'Algebra')
  returning id into v_course;
  insert into tutela.enrollments (student_id, organization_id, course_id)
  values (p_student, v_org, v_course);
  insert into tutela.assignments (organization_id, course_id, title, max_score)
  values (v_org, v_course, 'Quiz', 80)
  returning id into v_assignment;
  insert into tutela.submissions (
    student_id, organization_id, assignment_id, status, score, reviewer_score, feedback,
    graded_at
  )
  values (
    p_student, v_org, v_assignment, 'graded', 60, 64, 'Good work on fractions',
    now() - interval '1 day'
  );
  insert into tutela.coaching_sessions (organization_id, starts_at, focus)
  values (v_org, now() - interval '2 days', 'Serve')
  returning id into v_session;
  insert into tutela.session_students (session_id, student_id, organization_id)
  values (v_session, p_student, v_org);
  insert into tutela.session_scores (
    session_id, student_id, organization_id, score, coach_notes, analysis
  )
  values (
    v_session, p_student, v_org, 7.5, 'Keep the toss high',
    '{"strengths": ["toss"], "focus_next": "footwork"}'
  );
end;
$$;

-- a subscription to a plan, for a student or (family) for a guardian, as billing writes it
create function pg_temp.subscribe(
  p_plan text, p_student uuid, p_guardian uuid, p_status text default 'active',
  p_access_until timestamptz default null, p_started_at timestamptz default now()
)
returns void
language sql
as $$
  insert into tutela.subscriptions (
    plan_id, student_id, guardian_id, status, started_at, access_until, next_billing_at
  )
  select p.id, p_student, p_guardian, p_status, p_started_at, p_access_until,
    now() + interval '20 days'
  from tutela.plans as p where p.code = p_plan
$$;

-- the child's overview as a viewer sees it
create function pg_temp.overview(p_student uuid, p_viewer uuid)
returns jsonb
language plpgsql
as $$
declare
  v_doc jsonb;
begin
  perform tutela_tests.authenticate_as(p_viewer);
  v_doc := tutela.child_overview(p_student);
  perform tutela_tests.clear_authentication();
  return v_doc;
end;
$$;

-- the masked fields (by their last name) that still appear somewhere in the document
create function pg_temp.leaked(p_doc jsonb)
returns text[]
language sql
as $$
  select coalesce(array_agg(m order by m), '{}')
  from jsonb_array_elements_text(p_doc -> 'masked') as m
  where jsonb_path_exists(p_doc, ('$.**.' || split_part(m, '.', 2))::jsonpath)
$$;

insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ava') returning id as ava \gset
select pg_temp.subscribe('starter', :'leo', null);
select pg_temp.subscribe('professional', :'ava', null);
-- each child: sessions 20, 60, 200 and 400 days ago, scored 6, 7, 8 and 9
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
select
  :'org'::uuid as organization_id,
  now() - make_interval(days => d) as starts_at,
  d || ' days ago' as focus
from unnest(array[20, 60, 200, 400]) as d;
insert into tutela.session_students (session_id, student_id, organization_id)
select
  cs.id as session_id,
  s.id as student_id,
  cs.organization_id
from tutela.coaching_sessions as cs
inner join tutela.students as s on cs.organization_id = s.organization_id;
insert into tutela.session_scores (session_id, student_id, organization_id, score)
select
  ss.session_id,
  ss.student_id,
  ss.organization_id,
  case split_part(cs.focus, ' ', 1) when '20' then 6 when '60' then 7 when '200' then 8 else 9 end
    as score
from tutela.session_students as ss
inner join tutela.coaching_sessions as cs on ss.session_id = cs.id;

select pg_temp.overview(:'mia', :'u_staff') as mia_doc \gset
select pg_temp.overview(:'leo', :'u_staff') as leo_doc \gset
select pg_temp.overview(:'ava', :'u_staff') as ava_doc \gset

select is(
  jsonb_path_query_array(:'mia_doc'::jsonb, '$.sections.coaching.score_history[*].score'),
  '[6]'::jsonb,
  'free: the last 30 days'
);
select is(
  jsonb_path_query_array(:'leo_doc'::jsonb, '$.sections.coaching.score_history[*].score'),
  '[7, 6]'::jsonb,
  'starter: the last 90 days, oldest first'
);
select is(
  jsonb_path_query_array(:'ava_doc'::jsonb, '$.sections.coaching.score_history[*].score'),
  '[8, 7, 6]'::jsonb,
  'professional: the last 365 days, oldest first'
);
select is(
  jsonb_path_query_array(:'mia_doc'::jsonb, '$.sections.coaching.recent_sessions[*].score'),
  '[6, 7, 8, 9]'::jsonb,
  'free: the recent sessions are not cut by the window'
);
select is(
  (:'mia_doc'::jsonb #>> '{sections,coaching,attendance,present}')::integer, 4,
  'free: attendance counts every session held'
);
select is(
  :'ava_doc'::jsonb #> '{sections,coaching,score_history,0}',
  jsonb_build_object('at', now() - interval '200 days', 'score', 8),
  'a score point: when and how much'
);

select * from finish();
rollback;
