-- parent_dashboard(): a card shows at most five highlights, the newest five of all kinds,
-- newest first; older good news of the last 14 days is cut, whatever its kind.
begin;
select plan(6);

select tutela_tests.create_user('guardian-d009@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 009', 'academy-d009')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());

-- eight highlights: an achievement now, then one a day or more apart
insert into tutela.certificates (student_id, organization_id, title, issued_at)
values
(:'mia', :'org', 'Cert 1d', now() - interval '1 day'),
(:'mia', :'org', 'Cert 4d', now() - interval '4 days'),
(:'mia', :'org', 'Cert 8d', now() - interval '8 days');
select tutela_tests.as_service_role();
select count(*) from tutela.check_achievements(:'mia');
select tutela_tests.clear_authentication();
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Grade 2d'), (:'org', :'course', 'Grade 5d');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  'graded' as status,
  case a.title when 'Grade 2d' then 95 else 92 end as score,
  now() - case a.title when 'Grade 2d' then interval '2 days' else interval '5 days' end
    as graded_at
from tutela.assignments as a
where a.course_id = :'course';
insert into tutela.coaching_sessions (organization_id, starts_at, focus)
values
(:'org', now() - interval '3 days', 'Session 3d'),
(:'org', now() - interval '6 days', 'Session 6d');
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
  9 as score
from tutela.coaching_sessions as cs where cs.organization_id = :'org';

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() -> 'children' -> 0 -> 'highlights' as hl \gset
select tutela_tests.clear_authentication();

select is(jsonb_array_length(:'hl'::jsonb), 5, 'eight candidates, five highlights');
select is(
  jsonb_path_query_array(:'hl'::jsonb, '$[*].title'),
  '["First certificate", "Cert 1d", "Grade 2d", "Session 3d", "Cert 4d"]'::jsonb,
  'the newest five, newest first'
);
select is(
  jsonb_path_query_array(:'hl'::jsonb, '$[*].kind'),
  '["achievement", "certificate", "good_grade", "good_score", "certificate"]'::jsonb,
  'kinds mixed in time order'
);
select ok(
  (
    select bool_and(x.newer)
    from (
      select
        (lag(h.value ->> 'at') over (order by h.n))::timestamptz
        > (h.value ->> 'at')::timestamptz as newer
      from jsonb_array_elements(:'hl'::jsonb) with ordinality as h (value, n)
    ) as x
  ),
  'each highlight is newer than the next'
);
select ok(
  not jsonb_path_exists(
    :'hl'::jsonb, '$[*] ? (@.title == "Grade 5d" || @.title == "Session 6d")'
  ),
  'an older grade and an older score are cut'
);
select ok(
  not jsonb_path_exists(:'hl'::jsonb, '$[*] ? (@.title == "Cert 8d")'),
  'the oldest certificate is cut'
);

select * from finish();
rollback;
