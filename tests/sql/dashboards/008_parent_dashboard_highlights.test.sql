-- parent_dashboard(): highlights of an active card are the child's good news of the last 14
-- days: achievements awarded and certificates issued, grades of 90 % or more, and session
-- scores of 8 or more (sessions already held), newest first. Older news, a grade of 89 %, a
-- score of 7.5 and a future session's score are not highlights.
begin;
select plan(11);

select tutela_tests.create_user('guardian-d008@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 008', 'academy-d008')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());

-- certificates: one two days ago, one a month ago; seven journal entries
insert into tutela.certificates (student_id, organization_id, title, issued_at)
values
(:'mia', :'org', 'Algebra I', now() - interval '2 days'),
(:'mia', :'org', 'Geometry', now() - interval '30 days');
insert into tutela.journal_entries (student_id, mood, body)
select
  :'mia'::uuid as student_id,
  4 as mood,
  'Good day ' || n as body
from generate_series(1, 7) as n;
-- the engine awards first_certificate and journal_7; journal_7 is back-dated to 20 days ago
select tutela_tests.as_service_role();
select is(
  (select array_agg(c.code order by c.code) from tutela.check_achievements(:'mia') as c),
  array['first_certificate', 'journal_7'],
  'set-up: the engine awards first_certificate and journal_7'
);
select tutela_tests.clear_authentication();
update tutela.student_achievements set awarded_at = now() - interval '20 days'
where
  student_id = :'mia'
  and achievement_id = (select a.id from tutela.achievements as a where a.code = 'journal_7');

-- grades: 95 % three days ago, exactly 90 % four days ago, 89 % yesterday, 98 % 20 days ago
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values
(:'org', :'course', 'Quiz A'), (:'org', :'course', 'Quiz B'),
(:'org', :'course', 'Quiz C'), (:'org', :'course', 'Quiz D');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  'graded' as status,
  case a.title when 'Quiz A' then 95 when 'Quiz B' then 90 when 'Quiz C' then 89 else 98 end
    as score,
  now() - case a.title
    when 'Quiz A' then interval '3 days' when 'Quiz B' then interval '4 days'
    when 'Quiz C' then interval '1 day' else interval '20 days'
  end as graded_at
from tutela.assignments as a
where a.course_id = :'course';

-- sessions: 8.5 five days ago, 7.5 six days ago, 9 twenty days ago, 9 in a future session
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values
(:'org', now() - interval '5 days', 'Serve practice'),
(:'org', now() - interval '6 days', 'Footwork'),
(:'org', now() - interval '20 days', 'Old match'),
(:'org', now() + interval '2 days', 'Next match');
insert into tutela.session_students (session_id, student_id, organization_id)
select
  cs.id as session_id,
  :'mia'::uuid as student_id,
  cs.organization_id
from tutela.coaching_sessions as cs where cs.organization_id = :'org';
insert into tutela.session_scores (session_id, student_id, organization_id, score)
select
  cs.id as session_id,
  :'mia'::uuid as student_id,
  cs.organization_id,
  case cs.focus when 'Serve practice' then 8.5 when 'Footwork' then 7.5 else 9 end as score
from tutela.coaching_sessions as cs where cs.organization_id = :'org';

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() -> 'children' -> 0 -> 'highlights' as hl \gset
select tutela_tests.clear_authentication();

select is(
  jsonb_path_query_array(:'hl'::jsonb, '$[*].kind'),
  '["achievement", "certificate", "good_grade", "good_grade", "good_score"]'::jsonb,
  'five highlights of four kinds, newest first'
);
select is(
  (:'hl'::jsonb -> 0) - 'at',
  '{"kind": "achievement", "code": "first_certificate", "title": "First certificate"}'::jsonb,
  'the achievement awarded now, with its code and title'
);
select is(
  (:'hl'::jsonb -> 1),
  jsonb_build_object(
    'kind', 'certificate', 'title', 'Algebra I', 'at', now() - interval '2 days'
  ),
  'the certificate issued two days ago'
);
select is(
  jsonb_path_query_array(:'hl'::jsonb, '$[*] ? (@.kind == "good_grade")'),
  jsonb_build_array(
    jsonb_build_object(
      'kind', 'good_grade', 'title', 'Quiz A', 'percent', 95.0, 'at', now() - interval '3 days'
    ),
    jsonb_build_object(
      'kind', 'good_grade', 'title', 'Quiz B', 'percent', 90.0, 'at', now() - interval '4 days'
    )
  ),
  'grades of 95 % and exactly 90 % are highlights'
);
select is(
  jsonb_path_query_first(:'hl'::jsonb, '$[*] ? (@.kind == "good_score")'),
  jsonb_build_object(
    'kind', 'good_score', 'title', 'Serve practice', 'score', 8.5,
    'at', now() - interval '5 days'
  ),
  'a session score of 8.5 is a highlight, titled by the session''s focus'
);
select ok(
  not jsonb_path_exists(:'hl'::jsonb, '$[*] ? (@.title == "Quiz C" || @.title == "Quiz D")'),
  'neither 89 % nor a 98 % of 20 days ago'
);
select ok(
  not jsonb_path_exists(:'hl'::jsonb, '$[*] ? (@.title == "Geometry")'),
  'not a certificate of a month ago'
);
select ok(
  not jsonb_path_exists(:'hl'::jsonb, '$[*] ? (@.code == "journal_7")'),
  'not an achievement of 20 days ago'
);
select ok(
  not jsonb_path_exists(
    :'hl'::jsonb, '$[*] ? (@.title == "Footwork" || @.title == "Old match")'
  ),
  'neither a score of 7.5 nor a 9 of 20 days ago'
);
select ok(
  not jsonb_path_exists(:'hl'::jsonb, '$[*] ? (@.title == "Next match")'),
  'not the score of a session that has not happened yet'
);

select * from finish();
rollback;
