-- child_overview(student): for an active guardian whose link grants every data permission,
-- the document has the child's identity, tier and masked fields, every section (progress:
-- courses, upcoming_assignments, gamification, certificates, flashcards; grades:
-- recent_grades; attendance: live_classes; coaching: upcoming_lessons, recent_sessions,
-- score_history, attendance, skills) and nothing hidden.
begin;
select plan(8);

select tutela_tests.create_user('guardian-d015@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 015', 'academy-d015')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values (
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true}'
);

-- a little of everything
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'mia', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Essay', now() + interval '3 days');
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz') returning id as quiz \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'mia', :'org', :'quiz', 'graded', 70, now() - interval '1 day');
insert into tutela.certificates (student_id, organization_id, title)
values (:'mia', :'org', 'Algebra I');
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'mia', 'Maths', '7 x 8?', '56') returning id as card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'mia', :'card', true, 4);
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Live algebra', now() + interval '1 day', now() + interval '25 hours')
returning id as live \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id)
values (:'mia', :'org', :'live');
insert into tutela.lessons (student_id, organization_id, scheduled_at, topic)
values (:'mia', :'org', now() + interval '2 days', 'Backhand');
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values (:'org', now() - interval '2 days', 'Serve') returning id as session \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'session', :'mia', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'session', :'mia', :'org', 7);
insert into tutela.skills (organization_id, category, name) values (:'org', 'Technique', 'Serve');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') as doc \gset
select tutela_tests.clear_authentication();

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
