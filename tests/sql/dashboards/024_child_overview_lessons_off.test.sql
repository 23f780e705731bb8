-- child_overview(student) for a guardian without the `lessons` permission: exactly the
-- upcoming lessons go from coaching; the sessions' parts and the skill tree stay, and so does
-- every other section; hidden_sections names the missing part as coaching.upcoming_lessons.
-- A co-guardian with `lessons` sees the lesson.
begin;
select plan(6);

select tutela_tests.create_user('guardian-d024@world.test') as u_guardian \gset
select tutela_tests.create_user('co-guardian-d024@world.test') as u_co_guardian \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 024', 'academy-d024', 5) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
-- the guardian's link leaves out `lessons`; the co-guardian's grants every data permission
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"lessons": false}'
),
(
  :'mia', :'u_co_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true}'
);

-- the child's data: a course with a deadline and a grade, a certificate, a flashcard studied
-- today, a live class attended this month and one ahead, a lesson ahead, a scored session,
-- a skill
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'mia', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Essay', now() + interval '3 days');
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz') returning id as quiz \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, reviewer_score, feedback,
  graded_at
)
values (:'mia', :'org', :'quiz', 'graded', 70, 72, 'Good work', now() - interval '1 day');
insert into tutela.certificates (student_id, organization_id, title)
values (:'mia', :'org', 'Algebra I');
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'mia', 'Maths', '7 x 8?', '56') returning id as card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'mia', :'card', true, 4);
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values
(:'org', 'Live review', date_trunc('month', now()), date_trunc('month', now()) + interval '1 hour'),
(:'org', 'Live algebra', now() + interval '1 day', now() + interval '25 hours');
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
select
  :'mia'::uuid as student_id,
  lc.organization_id,
  lc.id as live_class_id,
  case when lc.starts_at < now() then 'attended' else 'registered' end as status
from tutela.live_classes as lc where lc.organization_id = :'org';
insert into tutela.lessons (student_id, organization_id, scheduled_at, topic)
values (:'mia', :'org', now() + interval '2 days', 'Backhand');
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values (:'org', now() - interval '2 days', 'Serve') returning id as session \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'session', :'mia', :'org');
insert into tutela.session_scores (
  session_id, student_id, organization_id, score, coach_notes, analysis
)
values (
  :'session', :'mia', :'org', 7.5, 'Keep the toss high',
  '{"strengths": ["toss"], "focus_next": "footwork"}'
);
insert into tutela.skills (organization_id, category, name) values (:'org', 'Technique', 'Serve');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') as doc \gset
select tutela_tests.authenticate_as(:'u_co_guardian');
select tutela.child_overview(:'mia') as co_doc \gset
select tutela_tests.clear_authentication();

select is(
  (
    select array_agg(k order by k)
    from jsonb_object_keys(:'doc'::jsonb #> '{sections,coaching}') as k
  ),
  array['attendance', 'recent_sessions', 'score_history', 'skills'],
  'lessons off: coaching keeps sessions and skills, without upcoming_lessons'
);
select is(
  (select count(*)::integer from jsonb_object_keys(:'doc'::jsonb -> 'sections')), 8,
  'lessons off: every section stays'
);
select ok(
  not jsonb_path_exists(:'doc'::jsonb, '$.** ? (@ == "Backhand")'),
  'lessons off: the lesson appears nowhere'
);
select is(
  :'doc'::jsonb -> 'hidden_sections', '["coaching.upcoming_lessons"]'::jsonb,
  'lessons off: only the upcoming lessons are named as hidden'
);
select is(
  jsonb_path_query_array(:'co_doc'::jsonb, '$.sections.coaching.upcoming_lessons[*].topic'),
  '["Backhand"]'::jsonb,
  'control: with lessons, the lesson'
);
select is(
  :'co_doc'::jsonb -> 'hidden_sections', '[]'::jsonb, 'control: nothing hidden'
);

select * from finish();
rollback;
