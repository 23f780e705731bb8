-- Tier masking in child_overview(student), free tier: a student without a current
-- subscription (of their own or a family one) is on the free plan. Grades carry no
-- reviewer feedback or reviewer score, sessions no analysis; `masked` names all of them
-- (and the billing date), and none of them appears anywhere in the document, whoever looks.
-- Another student's plan, and the plan of a guardian who is not linked, do not count.
begin;
select plan(12);

select tutela_tests.create_user('staff-d030@world.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 030', 'academy-d030', 5) returning id as org \gset
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

select tutela_tests.create_user('guardian-d030@world.test') as u_guardian \gset
select tutela_tests.create_user('unlinked-d030@world.test') as u_unlinked \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
select pg_temp.give_work(:'mia');
-- professional plans: Leo's own, and a family plan of a guardian of nobody
select pg_temp.subscribe('professional', :'leo', null);
select pg_temp.subscribe('professional', null, :'u_unlinked');

select pg_temp.overview(:'mia', :'u_staff') as doc \gset
select pg_temp.overview(:'mia', :'u_guardian') as guardian_doc \gset

select is(:'doc'::jsonb ->> 'tier', 'free', 'no subscription: the free tier');
select is(
  :'doc'::jsonb -> 'masked',
  '["subscription.next_billing_at", "grades.feedback", "grades.reviewer_score",
    "sessions.analysis"]'::jsonb,
  'free: the billing date, feedback, reviewer score and analysis are masked'
);
select is(
  (:'doc'::jsonb #> '{sections,recent_grades,0}') - 'submission_id' - 'assignment_id'
  - 'graded_at',
  '{"title": "Quiz", "course": "Algebra", "score": 60.00, "max_score": 80.00,
    "percent": 75.0, "passed": true, "status": "graded"}'::jsonb,
  'free: a grade without feedback or reviewer score'
);
select ok(
  not (:'doc'::jsonb #> '{sections,coaching,recent_sessions,0}' ? 'analysis'),
  'free: a session without analysis'
);
select is(
  :'doc'::jsonb #>> '{sections,coaching,recent_sessions,0,coach_notes}', 'Keep the toss high',
  'free: the coach''s notes are not masked'
);
select is(pg_temp.leaked(:'doc'), '{}'::text[], 'free: no masked field appears anywhere');
select ok(
  not jsonb_path_exists(:'doc'::jsonb, '$.**.feedback')
  and not jsonb_path_exists(:'doc'::jsonb, '$.**.reviewer_score')
  and not jsonb_path_exists(:'doc'::jsonb, '$.**.analysis')
  and not jsonb_path_exists(:'doc'::jsonb, '$.**.next_billing_at'),
  'free: no feedback, reviewer_score, analysis or next_billing_at key at any depth'
);
select ok(
  not jsonb_path_exists(:'doc'::jsonb, '$.** ? (@ == "Good work on fractions")')
  and not jsonb_path_exists(:'doc'::jsonb, '$.**.focus_next')
  and not jsonb_path_exists(:'doc'::jsonb, '$.** ? (@ == 64)'),
  'free: neither the feedback text, the analysis content nor the reviewer score value leaks'
);
select is(
  :'guardian_doc'::jsonb ->> 'tier', 'free', 'the guardian sees the same tier'
);
select is(
  pg_temp.leaked(:'guardian_doc'), '{}'::text[],
  'the guardian''s document leaks no masked field either'
);
select ok(
  not jsonb_path_exists(:'guardian_doc'::jsonb, '$.**.feedback')
  and not jsonb_path_exists(:'guardian_doc'::jsonb, '$.**.analysis'),
  'the guardian''s document has no feedback or analysis'
);
select is(
  pg_temp.overview(:'leo', :'u_staff') ->> 'tier', 'professional',
  'control: Leo''s own professional plan counts for Leo'
);

select * from finish();
rollback;
