-- parent_dashboard(): the card of a pending link shows who the child is and that the link
-- waits for approval, nothing else: no today, streak or permissions, one urgent item of kind
-- pending_approval, no highlights, and hidden_sections names what is withheld. The child has
-- data of every kind (an active co-guardian's card shows it), and none of it leaks.
begin;
select plan(14);

select tutela_tests.create_user('pending-d002@world.test') as u_pending \gset
select tutela_tests.create_user('active-d002@world.test') as u_active \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 002', 'academy-d002', 5) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, relation)
values (:'leo', :'u_pending', 'pending', 'code', 'father')
returning id as link_pending, created_at as pending_since \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'leo', :'u_active', 'active', 'staff', now());

-- Leo's data: studied today, a deadline tomorrow, a failed quiz, a certificate, a top score
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'leo', 'Maths', '7 x 8?', '56') returning id as card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'leo', :'card', true, 4);
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'leo', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Essay', now() + interval '1 day');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Quiz', now() - interval '3 days') returning id as quiz \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'leo', :'org', :'quiz', 'graded', 30, now() - interval '2 days');
insert into tutela.certificates (student_id, organization_id, title, issued_at)
values (:'leo', :'org', 'Algebra I', now() - interval '1 day');
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values (:'org', now() - interval '2 days', 'Serve') returning id as session \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'session', :'leo', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'session', :'leo', :'org', 8.5);
select tutela_tests.as_service_role();
select count(*) from tutela.check_achievements(:'leo');

select tutela_tests.authenticate_as(:'u_pending');
select jsonb_path_query_first(tutela.parent_dashboard(), '$.children[0]') as pending_card \gset
select jsonb_array_length(tutela.parent_dashboard() -> 'children') as pending_cards \gset
select tutela_tests.authenticate_as(:'u_active');
select jsonb_path_query_first(tutela.parent_dashboard(), '$.children[0]') as active_card \gset
select tutela_tests.clear_authentication();

select is(:'pending_cards'::integer, 1, 'the pending link has a card');
select is(
  :'pending_card'::jsonb - 'urgent',
  jsonb_build_object(
    'student_id', :'leo', 'display_name', 'Leo',
    'organization', jsonb_build_object('id', :'org', 'name', 'Academy 002'),
    'link_id', :'link_pending', 'relation', 'father', 'is_primary', false,
    'status', 'pending', 'highlights', '[]'::jsonb,
    'hidden_sections', '["today", "streak", "permissions"]'::jsonb
  ),
  'the pending card is identity, status, no highlights and the hidden sections, nothing more'
);
select ok(not (:'pending_card'::jsonb ? 'today'), 'no today section');
select ok(not (:'pending_card'::jsonb ? 'streak'), 'no streak section');
select ok(not (:'pending_card'::jsonb ? 'permissions'), 'no permissions');
select is(
  :'pending_card'::jsonb -> 'urgent',
  jsonb_build_array(jsonb_build_object(
    'kind', 'pending_approval', 'link_id', :'link_pending',
    'since', to_jsonb(:'pending_since'::timestamptz)
  )),
  'the one urgent item is the approval the link waits for'
);
select ok(
  not jsonb_path_exists(:'pending_card'::jsonb, '$.**.title'),
  'no assignment, grade, certificate, session or achievement title leaks'
);
select ok(
  not jsonb_path_exists(:'pending_card'::jsonb, '$.**.score')
  and not jsonb_path_exists(:'pending_card'::jsonb, '$.**.percent'),
  'no score or percent leaks'
);
select ok(
  not jsonb_path_exists(:'pending_card'::jsonb, '$.**.reviews')
  and not jsonb_path_exists(:'pending_card'::jsonb, '$.**.xp'),
  'no study numbers leak'
);

-- the same child seen through an active link: the data is there
select ok(:'active_card'::jsonb ? 'today', 'control: an active link''s card has today');
select ok(
  jsonb_path_exists(:'active_card'::jsonb, '$.urgent[*] ? (@.kind == "deadline")'),
  'control: an active link''s card has the deadline'
);
select ok(
  jsonb_path_exists(:'active_card'::jsonb, '$.urgent[*] ? (@.kind == "low_grade")'),
  'control: an active link''s card has the low grade'
);
select ok(
  jsonb_path_exists(:'active_card'::jsonb, '$.highlights[*] ? (@.kind == "certificate")')
  and jsonb_path_exists(:'active_card'::jsonb, '$.highlights[*] ? (@.kind == "good_score")')
  and jsonb_path_exists(:'active_card'::jsonb, '$.highlights[*] ? (@.kind == "achievement")'),
  'control: an active link''s card has the highlights'
);
select ok(
  not jsonb_path_exists(
    :'active_card'::jsonb, '$.urgent[*] ? (@.kind == "pending_approval")'
  ),
  'control: an active link has no pending_approval item'
);

select * from finish();
rollback;
