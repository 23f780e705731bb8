-- Tier masking in child_overview(student), subscriptions that no longer give access: one
-- whose access ended (access_until in the past), a cancelled one, an expired one, and a
-- cancelled family plan leave the child on the free tier, with nothing masked leaking.
-- Trialing and past-due subscriptions with access still count.
begin;
select plan(12);

select tutela_tests.create_user('staff-d034@world.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 034', 'academy-d034', 5) returning id as org \gset
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

select tutela_tests.create_user('guardian-d034@world.test') as u_guardian \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ava') returning id as ava \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Dan') returning id as dan \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ben') returning id as ben \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Cleo') returning id as cleo \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'dan', :'u_guardian', 'active', 'staff', now());
select pg_temp.give_work(s.id) from tutela.students as s where s.organization_id = :'org';
-- Mia: access ended yesterday; Leo: cancelled (paid until next week); Ava: expired;
-- Dan: his guardian's family plan, cancelled; Ben: past due, access until next week;
-- Cleo: trialing
select pg_temp.subscribe(
  'professional', :'mia', null, 'active', now() - interval '1 day', now() - interval '31 days'
);
select pg_temp.subscribe('professional', :'leo', null, 'cancelled', now() + interval '7 days');
select pg_temp.subscribe('professional', :'ava', null, 'expired', now() - interval '1 day');
select pg_temp.subscribe('professional', null, :'u_guardian', 'cancelled');
select pg_temp.subscribe('starter', :'ben', null, 'past_due', now() + interval '7 days');
select pg_temp.subscribe('professional', :'cleo', null, 'trialing', now() + interval '14 days');

create function pg_temp.free_and_clean(p_doc jsonb)
returns boolean
language sql
as $$
  select p_doc ->> 'tier' = 'free'
    and jsonb_array_length(p_doc -> 'masked') = 4
    and not jsonb_path_exists(p_doc, '$.**.feedback')
    and not jsonb_path_exists(p_doc, '$.**.reviewer_score')
    and not jsonb_path_exists(p_doc, '$.**.analysis')
$$;

select pg_temp.overview(:'mia', :'u_staff') as mia_doc \gset
select pg_temp.overview(:'leo', :'u_staff') as leo_doc \gset
select pg_temp.overview(:'ava', :'u_staff') as ava_doc \gset
select pg_temp.overview(:'dan', :'u_guardian') as dan_doc \gset

select is(:'mia_doc'::jsonb ->> 'tier', 'free', 'access ended yesterday: free tier');
select ok(pg_temp.free_and_clean(:'mia_doc'), 'access ended: nothing masked leaks');
select is(pg_temp.leaked(:'mia_doc'), '{}'::text[], 'access ended: no masked field anywhere');
select is(:'leo_doc'::jsonb ->> 'tier', 'free', 'cancelled: free tier');
select ok(pg_temp.free_and_clean(:'leo_doc'), 'cancelled: nothing masked leaks');
select is(:'ava_doc'::jsonb ->> 'tier', 'free', 'expired: free tier');
select ok(pg_temp.free_and_clean(:'ava_doc'), 'expired: nothing masked leaks');
select is(:'dan_doc'::jsonb ->> 'tier', 'free', 'a cancelled family plan: free tier');
select ok(pg_temp.free_and_clean(:'dan_doc'), 'a cancelled family plan: nothing masked leaks');
select is(
  pg_temp.overview(:'ben', :'u_staff') ->> 'tier', 'starter',
  'past due with access until next week: still starter'
);
select is(
  pg_temp.overview(:'cleo', :'u_staff') ->> 'tier', 'professional',
  'trialing: professional'
);
select ok(
  pg_temp.overview(:'cleo', :'u_staff') #> '{sections,recent_grades,0}' ? 'feedback',
  'trialing: the feedback is shown'
);

select * from finish();
rollback;
