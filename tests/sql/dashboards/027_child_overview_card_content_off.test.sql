-- child_overview(student) for a guardian with `progress` but without `card_content`: the
-- flashcards section keeps its KPIs but has no portfolio (the card subjects and topics),
-- which it names in its own hidden_sections. A co-guardian with `card_content` sees the
-- portfolio.
begin;
select plan(6);

select tutela_tests.create_user('guardian-d027@world.test') as u_guardian \gset
select tutela_tests.create_user('co-guardian-d027@world.test') as u_co_guardian \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 027', 'academy-d027', 5) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
-- the guardian's link leaves out `card_content`; the co-guardian's grants every data permission
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": false}'
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

select ok(
  :'doc'::jsonb #> '{sections,flashcards,kpis}' is not null,
  'card_content off: the KPIs stay'
);
select is(
  (:'doc'::jsonb #>> '{sections,flashcards,kpis,reviews_7d}')::integer, 1,
  'card_content off: the KPIs count today''s review'
);
select is(
  coalesce(jsonb_typeof(:'doc'::jsonb #> '{sections,flashcards,portfolio}'), 'null'), 'null',
  'card_content off: no portfolio'
);
select ok(
  not jsonb_path_exists(:'doc'::jsonb, '$.** ? (@ == "Maths")'),
  'card_content off: the card''s subject appears nowhere'
);
select is(
  :'doc'::jsonb #> '{sections,flashcards,hidden_sections}', '["portfolio"]'::jsonb,
  'card_content off: the portfolio is named as hidden in the flashcards section'
);
select is(
  :'co_doc'::jsonb #> '{sections,flashcards,portfolio}',
  '[{"subject": "Maths", "topic": "", "cards": 1, "due": 0, "mastered": 0}]'::jsonb,
  'control: with card_content, the portfolio'
);

select * from finish();
rollback;
