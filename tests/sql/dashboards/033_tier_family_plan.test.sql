-- Tier masking in child_overview(student), family plans: a guardian's subscription covers
-- every child with an active link to that guardian (Mia and Ava get the professional
-- detail). A family plan of a guardian whose link is revoked or still pending does not
-- cover the child (Leo stays free, with nothing masked leaking); revoking the link ends
-- the cover at once.
begin;
select plan(12);

select tutela_tests.create_user('staff-d033@world.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 033', 'academy-d033', 5) returning id as org \gset
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

select tutela_tests.create_user('family-d033@world.test') as u_family \gset
select tutela_tests.create_user('revoked-d033@world.test') as u_revoked \gset
select tutela_tests.create_user('pending-d033@world.test') as u_pending \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ava') returning id as ava \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values
(:'mia', :'u_family', 'active', 'staff', now(), null),
(:'ava', :'u_family', 'active', 'staff', now(), null),
(:'leo', :'u_revoked', 'revoked', 'code', now() - interval '10 days', now() - interval '1 day'),
(:'leo', :'u_pending', 'pending', 'code', null, null);
select pg_temp.give_work(:'mia');
select pg_temp.give_work(:'ava');
select pg_temp.give_work(:'leo');
-- professional family plans of the active, the revoked and the pending guardian
select pg_temp.subscribe('professional', null, :'u_family');
select pg_temp.subscribe('professional', null, :'u_revoked');
select pg_temp.subscribe('professional', null, :'u_pending');

select pg_temp.overview(:'mia', :'u_staff') as mia_doc \gset
select pg_temp.overview(:'ava', :'u_family') as ava_doc \gset
select pg_temp.overview(:'leo', :'u_staff') as leo_doc \gset

select is(
  :'mia_doc'::jsonb ->> 'tier', 'professional',
  'the active guardian''s family plan covers Mia'
);
select is(
  :'mia_doc'::jsonb #>> '{sections,recent_grades,0,feedback}', 'Good work on fractions',
  'covered: Mia''s grade carries the feedback'
);
select ok(
  :'mia_doc'::jsonb #> '{sections,coaching,recent_sessions,0}' ? 'analysis',
  'covered: Mia''s session carries the analysis'
);
select is(:'mia_doc'::jsonb -> 'masked', '[]'::jsonb, 'covered: nothing masked for Mia');
select is(
  :'ava_doc'::jsonb ->> 'tier', 'professional',
  'the same family plan covers Ava, the guardian''s other child'
);
select is(
  :'leo_doc'::jsonb ->> 'tier', 'free',
  'family plans of a revoked and of a pending guardian do not cover Leo'
);
select is(
  jsonb_array_length(:'leo_doc'::jsonb -> 'masked'), 4, 'Leo: four fields masked'
);
select is(pg_temp.leaked(:'leo_doc'), '{}'::text[], 'Leo: no masked field appears anywhere');
select ok(
  not jsonb_path_exists(:'leo_doc'::jsonb, '$.**.feedback')
  and not jsonb_path_exists(:'leo_doc'::jsonb, '$.**.reviewer_score')
  and not jsonb_path_exists(:'leo_doc'::jsonb, '$.**.analysis'),
  'Leo: no feedback, reviewer score or analysis at any depth'
);

-- the pending link is activated: its guardian's plan now covers Leo
update tutela.guardian_links set status = 'active', activated_at = now()
where student_id = :'leo' and guardian_id = :'u_pending';
select is(
  pg_temp.overview(:'leo', :'u_staff') ->> 'tier', 'professional',
  'once the pending link is active, that guardian''s family plan covers Leo'
);

-- the family guardian's link to Mia is revoked: the cover ends at once
update tutela.guardian_links set status = 'revoked', revoked_at = now()
where student_id = :'mia' and guardian_id = :'u_family';
select pg_temp.overview(:'mia', :'u_staff') as mia_after \gset
select is(
  :'mia_after'::jsonb ->> 'tier', 'free', 'after revocation Mia is back on the free tier'
);
select ok(
  not jsonb_path_exists(:'mia_after'::jsonb, '$.**.feedback')
  and not jsonb_path_exists(:'mia_after'::jsonb, '$.**.reviewer_score')
  and not jsonb_path_exists(:'mia_after'::jsonb, '$.**.analysis'),
  'after revocation: no feedback, reviewer score or analysis at any depth'
);

select * from finish();
rollback;
