-- child_overview(student), `progress` sections about the child's work: `gamification`
-- (live current streak, longest streak, points including the ledger, XP, badges newest
-- first), `certificates` (newest first, with verification code) and `flashcards` (the KPIs of
-- get_child_overview, and the portfolio per subject and topic with card_content).
begin;
select plan(12);

select tutela_tests.create_user('guardian-d017@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 017', 'academy-d017')
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

-- cards: a mastered one and one reviewed (Maths, Fractions), one not yet due (French, Verbs)
insert into tutela.flashcards (student_id, subject, topic, question, answer, leitner_box)
values (:'mia', 'Maths', 'Fractions', '1/2 + 1/4?', '3/4', 5);
insert into tutela.flashcards (student_id, subject, topic, question, answer)
values (:'mia', 'Maths', 'Fractions', '2/3 of 9?', '6') returning id as card \gset
insert into tutela.flashcards (student_id, subject, topic, question, answer, due_at)
values (:'mia', 'French', 'Verbs', 'to be?', 'etre', now() + interval '3 days');
-- reviews: yesterday two right (quality 5: 20 XP each), two days ago one right (quality 3:
-- 16 XP); 6, 7 and 8 days ago one wrong each (2 XP)
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, reviewed_at)
values
(:'mia', :'card', false, null, now() - interval '8 days'),
(:'mia', :'card', false, null, now() - interval '7 days'),
(:'mia', :'card', false, null, now() - interval '6 days'),
(:'mia', :'card', true, 3, now() - interval '2 days'),
(:'mia', :'card', true, 5, now() - interval '1 day'),
(:'mia', :'card', true, 5, now() - interval '1 day');
insert into tutela.points_ledger (student_id, points, reason)
values (:'mia', 50, 'Helped a classmate');
insert into tutela.certificates (
  student_id, organization_id, title, issued_at, pdf_url, verification_code
)
values
(:'mia', :'org', 'Geometry', now() - interval '40 days', null, 'geo-017'),
(:'mia', :'org', 'Algebra I', now() - interval '3 days', 'https://x.test/a.pdf', 'alg-017');
select tutela_tests.as_service_role();
select count(*) from tutela.check_achievements(:'mia');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') -> 'sections' as sections \gset
select tutela.get_child_overview(:'mia') as kpi_doc \gset
select tutela_tests.clear_authentication();

select is(
  (:'sections'::jsonb -> 'gamification') - 'badges',
  '{"current_streak": 2, "longest_streak": 3, "total_points": 112, "total_xp": 62}'::jsonb,
  'gamification: a live 2-day streak, longest 3, 62 XP and 50 ledger points'
);
select is(
  jsonb_path_query_array(:'sections'::jsonb, '$.gamification.badges[*].code'),
  '["first_card_mastered", "first_certificate"]'::jsonb,
  'gamification: the badges the engine awarded'
);
select is(
  (:'sections'::jsonb #> '{gamification,badges,1}') - 'awarded_at',
  '{"code": "first_certificate", "title": "First certificate", "category": "courses",
    "icon": "scroll"}'::jsonb,
  'a badge: code, title, category, icon'
);
select is(
  jsonb_path_query_array(:'sections'::jsonb, '$.certificates[*].title'),
  '["Algebra I", "Geometry"]'::jsonb,
  'certificates, newest first'
);
select is(
  (:'sections'::jsonb #> '{certificates,0}') - 'certificate_id',
  jsonb_build_object(
    'title', 'Algebra I', 'issued_at', now() - interval '3 days',
    'pdf_url', 'https://x.test/a.pdf', 'verification_code', 'alg-017'
  ),
  'a certificate: title, date, PDF and verification code'
);
select is(
  :'sections'::jsonb -> 'flashcards',
  :'kpi_doc'::jsonb - 'student_id' - 'display_name',
  'flashcards: the same KPIs and portfolio as get_child_overview'
);
select is(
  (:'sections'::jsonb #>> '{flashcards,kpis,reviews_7d}')::integer, 4,
  'KPIs: four reviews in the last 7 days'
);
select is(
  (:'sections'::jsonb #>> '{flashcards,kpis,reviews_30d}')::integer, 6,
  'KPIs: six in the last 30 days'
);
select is(
  (:'sections'::jsonb #>> '{flashcards,kpis,accuracy_7d}')::numeric, 75.0,
  'KPIs: 75 % right in the last 7 days'
);
select is(
  (:'sections'::jsonb #>> '{flashcards,kpis,xp_7d}')::integer, 58,
  'KPIs: 40 + 16 + 2 XP in the last 7 days'
);
select is(
  :'sections'::jsonb #> '{flashcards,portfolio}',
  '[
    {"subject": "French", "topic": "Verbs", "cards": 1, "due": 0, "mastered": 0},
    {"subject": "Maths", "topic": "Fractions", "cards": 2, "due": 1, "mastered": 1}
  ]'::jsonb,
  'the portfolio per subject and topic: cards, due, mastered'
);
select is(
  :'sections'::jsonb #> '{flashcards,hidden_sections}', '[]'::jsonb,
  'with card_content nothing of the flashcards is hidden'
);

select * from finish();
rollback;
