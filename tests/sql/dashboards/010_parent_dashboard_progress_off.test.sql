-- parent_dashboard(): a link without the `progress` permission shows no `today` and no
-- `streak` (both named in hidden_sections) and no item drawn from progress data: no
-- deadline or overdue work, no inactive_week, no achievement or certificate highlight.
-- What other permissions allow stays (a low grade). A co-guardian with `progress` sees it
-- all.
begin;
select plan(15);

select tutela_tests.create_user('guardian-d010@world.test') as u_guardian \gset
select tutela_tests.create_user('co-guardian-d010@world.test') as u_co_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 010', 'academy-d010')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(
  :'leo', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(:'mia', :'u_co_guardian', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'leo', :'u_co_guardian', 'active', 'staff', now(), tutela_hidden.default_link_permissions());

-- Mia: studied today and yesterday, a deadline tomorrow, work overdue since two days, a
-- certificate (and its achievement), a failed quiz; Leo: last studied 10 days ago
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'mia', 'Maths', '7 x 8?', '56') returning id as mia_card \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'leo', 'Maths', '7 x 8?', '56') returning id as leo_card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, reviewed_at)
values
(:'mia', :'mia_card', true, 4, now()),
(:'mia', :'mia_card', true, 4, now() - interval '1 day'),
(:'leo', :'leo_card', true, 4, now() - interval '10 days');
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'mia', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values
(:'org', :'course', 'Essay', now() + interval '1 day'),
(:'org', :'course', 'Late essay', now() - interval '2 days');
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz') returning id as quiz \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'mia', :'org', :'quiz', 'graded', 30, now() - interval '2 days');
insert into tutela.certificates (student_id, organization_id, title, issued_at)
values (:'mia', :'org', 'Algebra I', now() - interval '1 day');
select tutela_tests.as_service_role();
select count(*) from tutela.check_achievements(:'mia');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() as dash \gset
select tutela_tests.authenticate_as(:'u_co_guardian');
select tutela.parent_dashboard() as co_dash \gset
select tutela_tests.clear_authentication();
select
  jsonb_path_query_first(:'dash'::jsonb, '$.children[*] ? (@.display_name == "Mia")')
    as mia
\gset
select
  jsonb_path_query_first(:'dash'::jsonb, '$.children[*] ? (@.display_name == "Leo")')
    as leo
\gset
select
  jsonb_path_query_first(:'co_dash'::jsonb, '$.children[*] ? (@.display_name == "Mia")')
    as co_mia
\gset
select
  jsonb_path_query_first(:'co_dash'::jsonb, '$.children[*] ? (@.display_name == "Leo")')
    as co_leo
\gset

select ok(not (:'mia'::jsonb ? 'today'), 'progress off: no today');
select ok(not (:'mia'::jsonb ? 'streak'), 'progress off: no streak');
select is(
  :'mia'::jsonb -> 'hidden_sections', '["today", "streak"]'::jsonb,
  'progress off: today and streak are named as hidden'
);
select is(
  (:'mia'::jsonb -> 'permissions' ->> 'progress')::boolean, false,
  'the card shows the link''s permissions: progress off'
);
select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.urgent[*] ? (@.kind == "deadline")'),
  'progress off: no deadline'
);
select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.urgent[*] ? (@.kind == "overdue")'),
  'progress off: no overdue work'
);
select ok(
  not jsonb_path_exists(
    :'mia'::jsonb, '$.highlights[*] ? (@.kind == "achievement" || @.kind == "certificate")'
  ),
  'progress off: no achievement or certificate highlight'
);
select ok(
  not jsonb_path_exists(:'leo'::jsonb, '$.urgent[*] ? (@.kind == "inactive_week")'),
  'progress off: no inactive_week'
);
select is(
  jsonb_path_query_array(:'mia'::jsonb, '$.urgent[*].kind'), '["low_grade"]'::jsonb,
  'grades still allowed: the low grade is the only urgent item'
);

-- control: the co-guardian with progress
select ok(
  :'co_mia'::jsonb ? 'today' and :'co_mia'::jsonb ? 'streak',
  'control: with progress, today and streak'
);
select is(
  (:'co_mia'::jsonb -> 'streak' ->> 'current')::integer, 2, 'control: a 2-day streak'
);
select ok(
  jsonb_path_exists(:'co_mia'::jsonb, '$.urgent[*] ? (@.kind == "deadline")'),
  'control: with progress, the deadline'
);
select ok(
  jsonb_path_exists(:'co_mia'::jsonb, '$.urgent[*] ? (@.kind == "overdue")'),
  'control: with progress, the overdue work'
);
select ok(
  jsonb_path_exists(:'co_mia'::jsonb, '$.highlights[*] ? (@.kind == "achievement")')
  and jsonb_path_exists(:'co_mia'::jsonb, '$.highlights[*] ? (@.kind == "certificate")'),
  'control: with progress, the achievement and the certificate'
);
select ok(
  jsonb_path_exists(:'co_leo'::jsonb, '$.urgent[*] ? (@.kind == "inactive_week")'),
  'control: with progress, Leo''s inactive week'
);

select * from finish();
rollback;
