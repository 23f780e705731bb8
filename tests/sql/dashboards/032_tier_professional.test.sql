-- Tier masking in child_overview(student), professional tier: the student's own
-- professional plan includes everything. Grades carry the reviewer's feedback and score,
-- sessions their analysis, and `masked` is empty: no field the document leaves out.
begin;
select plan(7);

select tutela_tests.create_user('staff-d032@world.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 032', 'academy-d032', 5) returning id as org \gset
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

select tutela_tests.create_user('guardian-d032@world.test') as u_guardian \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
select pg_temp.give_work(:'mia');
select pg_temp.subscribe('professional', :'mia', null);

select pg_temp.overview(:'mia', :'u_guardian') as doc \gset

select is(
  :'doc'::jsonb ->> 'tier', 'professional', 'the student''s professional plan: professional'
);
select is(:'doc'::jsonb -> 'masked', '[]'::jsonb, 'professional: nothing is masked');
select is(
  :'doc'::jsonb #>> '{sections,recent_grades,0,feedback}', 'Good work on fractions',
  'professional: a grade carries the reviewer''s feedback'
);
select is(
  (:'doc'::jsonb #>> '{sections,recent_grades,0,reviewer_score}')::numeric, 64.00,
  'professional: a grade carries the reviewer''s score'
);
select is(
  :'doc'::jsonb #> '{sections,coaching,recent_sessions,0,analysis}',
  '{"strengths": ["toss"], "focus_next": "footwork"}'::jsonb,
  'professional: a session carries its analysis'
);
select is(pg_temp.leaked(:'doc'), '{}'::text[], 'professional: no masked field to leak');
select is(
  (
    select count(*)::integer
    from jsonb_path_query(
      :'doc'::jsonb, 'strict $.** ? (@.feedback != null || @.analysis != null)'
    )
  ),
  2,
  'professional: exactly one grade with feedback and one session with analysis'
);

select * from finish();
rollback;
