-- parent_dashboard(): a link without the `sessions` permission shows no session score: no
-- good_score highlight. Grades stay (a good grade). A co-guardian with `sessions` sees the
-- score.
begin;
select plan(5);

select tutela_tests.create_user('guardian-d012@world.test') as u_guardian \gset
select tutela_tests.create_user('co-guardian-d012@world.test') as u_co_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 012', 'academy-d012')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"sessions": false}'
),
(:'mia', :'u_co_guardian', 'active', 'staff', now(), tutela_hidden.default_link_permissions());

insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values (:'org', now() - interval '3 days', 'Serve practice') returning id as session \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'session', :'mia', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'session', :'mia', :'org', 9.5);
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Top quiz') returning id as quiz \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'mia', :'org', :'quiz', 'graded', 95, now() - interval '1 day');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() -> 'children' -> 0 as mia \gset
select tutela_tests.authenticate_as(:'u_co_guardian');
select tutela.parent_dashboard() -> 'children' -> 0 as co_mia \gset
select tutela_tests.clear_authentication();

select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.highlights[*] ? (@.kind == "good_score")'),
  'sessions off: no good_score highlight'
);
select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.**.score ? (@ == 9.5)'),
  'sessions off: the session score appears nowhere on the card'
);
select is(
  jsonb_path_query_array(:'mia'::jsonb, '$.highlights[*].kind'), '["good_grade"]'::jsonb,
  'grades stay: the good grade is the only highlight'
);
select is(
  (:'mia'::jsonb -> 'permissions' ->> 'sessions')::boolean, false,
  'the card shows the link''s permissions: sessions off'
);
select is(
  jsonb_path_query_array(:'co_mia'::jsonb, '$.highlights[*] ? (@.kind == "good_score")'),
  jsonb_build_array(jsonb_build_object(
    'kind', 'good_score', 'title', 'Serve practice', 'score', 9.5,
    'at', now() - interval '3 days'
  )),
  'control: with sessions, the score of 9.5'
);

select * from finish();
rollback;
