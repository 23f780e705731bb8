-- child_overview(student): for an active guardian whose link grants every data permission,
-- the document has the child's identity, tier and masked fields, every section (progress:
-- courses, upcoming_assignments, gamification, certificates, flashcards; grades:
-- recent_grades; attendance: live_classes; coaching: upcoming_lessons, recent_sessions,
-- score_history, attendance, skills) and nothing hidden.
begin;
select plan(8);

select tests.create_user('guardian-d015@world.test') as u_guardian \gset
insert into public.organizations (name, slug) values ('Academy 015', 'academy-d015')
returning id as org \gset
insert into public.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into public.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values (
  :'mia', :'u_guardian', 'active', 'staff', now(),
  private.default_link_permissions() || '{"card_content": true}'
);

-- a little of everything
insert into public.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into public.enrollments (student_id, organization_id, course_id)
values (:'mia', :'org', :'course');
insert into public.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Essay', now() + interval '3 days');
insert into public.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz') returning id as quiz \gset
insert into public.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'mia', :'org', :'quiz', 'graded', 70, now() - interval '1 day');
insert into public.certificates (student_id, organization_id, title)
values (:'mia', :'org', 'Algebra I');
insert into public.flashcards (student_id, subject, question, answer)
values (:'mia', 'Maths', '7 x 8?', '56') returning id as card \gset
insert into public.card_reviews (student_id, flashcard_id, correct, quality)
values (:'mia', :'card', true, 4);
insert into public.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Live algebra', now() + interval '1 day', now() + interval '25 hours')
returning id as live \gset
insert into public.live_class_attendance (student_id, organization_id, live_class_id)
values (:'mia', :'org', :'live');
insert into public.lessons (student_id, organization_id, scheduled_at, topic)
values (:'mia', :'org', now() + interval '2 days', 'Backhand');
insert into public.coaching_sessions (organization_id, starts_at, focus)
values (:'org', now() - interval '2 days', 'Serve') returning id as session \gset
insert into public.session_students (session_id, student_id, organization_id)
values (:'session', :'mia', :'org');
insert into public.session_scores (session_id, student_id, organization_id, score)
values (:'session', :'mia', :'org', 7);
insert into public.skills (organization_id, category, name) values (:'org', 'Technique', 'Serve');

select tests.authenticate_as(:'u_guardian');
select public.child_overview(:'mia') as doc \gset
select tests.clear_authentication();

select is(
  (select array_agg(k order by k) from jsonb_object_keys(:'doc'::jsonb) as k),
  array['display_name', 'hidden_sections', 'masked', 'sections', 'student_id', 'tier'],
  'the document: identity, tier, sections, hidden sections, masked fields'
);
select is(
  :'doc'::jsonb ->> 'student_id', :'mia', 'the overview is of the child asked for'
);
select is(:'doc'::jsonb ->> 'display_name', 'Mia', 'with the child''s name');
select is(
  (select array_agg(k order by k) from jsonb_object_keys(:'doc'::jsonb -> 'sections') as k),
  array[
    'certificates', 'coaching', 'courses', 'flashcards', 'gamification', 'live_classes',
    'recent_grades', 'upcoming_assignments'
  ],
  'every section is present'
);
select is(
  (
    select array_agg(k order by k)
    from jsonb_object_keys(:'doc'::jsonb -> 'sections' -> 'coaching') as k
  ),
  array['attendance', 'recent_sessions', 'score_history', 'skills', 'upcoming_lessons'],
  'every coaching part is present'
);
select is(:'doc'::jsonb -> 'hidden_sections', '[]'::jsonb, 'nothing is hidden');
select is(
  (
    select array_agg(k order by k)
    from jsonb_object_keys(:'doc'::jsonb -> 'sections' -> 'flashcards') as k
  ),
  array['hidden_sections', 'kpis', 'portfolio'],
  'the flashcards section: KPIs and the portfolio'
);
select ok(
  jsonb_array_length(:'doc'::jsonb -> 'sections' -> 'courses') = 1
  and jsonb_array_length(:'doc'::jsonb -> 'sections' -> 'upcoming_assignments') = 1
  and jsonb_array_length(:'doc'::jsonb -> 'sections' -> 'recent_grades') = 1
  and jsonb_array_length(:'doc'::jsonb -> 'sections' -> 'certificates') = 1
  and jsonb_array_length(:'doc'::jsonb #> '{sections,live_classes,upcoming}') = 1
  and jsonb_array_length(:'doc'::jsonb #> '{sections,coaching,upcoming_lessons}') = 1
  and jsonb_array_length(:'doc'::jsonb #> '{sections,coaching,recent_sessions}') = 1
  and jsonb_array_length(:'doc'::jsonb #> '{sections,coaching,skills}') = 1,
  'each section carries the child''s data'
);

select * from finish();
rollback;
