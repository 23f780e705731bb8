-- parent_dashboard(): a link without the `grades` permission shows no grade at all: no
-- low_grade item and no good_grade highlight. Progress data stays (today, a certificate).
-- A co-guardian with `grades` sees both grades.
begin;
select plan(7);

select tutela_tests.create_user('guardian-d011@world.test') as u_guardian \gset
select tutela_tests.create_user('co-guardian-d011@world.test') as u_co_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 011', 'academy-d011')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"grades": false}'
),
(:'mia', :'u_co_guardian', 'active', 'staff', now(), tutela_hidden.default_link_permissions());

insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Failed quiz'), (:'org', :'course', 'Top quiz');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  'graded' as status,
  case a.title when 'Failed quiz' then 30 else 96 end as score,
  now() - interval '2 days' as graded_at
from tutela.assignments as a
where a.course_id = :'course';
insert into tutela.certificates (student_id, organization_id, title, issued_at)
values (:'mia', :'org', 'Algebra I', now() - interval '1 day');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() -> 'children' -> 0 as mia \gset
select tutela_tests.authenticate_as(:'u_co_guardian');
select tutela.parent_dashboard() -> 'children' -> 0 as co_mia \gset
select tutela_tests.clear_authentication();

select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.urgent[*] ? (@.kind == "low_grade")'),
  'grades off: no low_grade item'
);
select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.highlights[*] ? (@.kind == "good_grade")'),
  'grades off: no good_grade highlight'
);
select ok(
  not jsonb_path_exists(:'mia'::jsonb, '$.**.percent'),
  'grades off: no percent anywhere on the card'
);
select ok(
  :'mia'::jsonb ? 'today'
  and jsonb_path_exists(:'mia'::jsonb, '$.highlights[*] ? (@.kind == "certificate")'),
  'progress data stays: today and the certificate'
);
select is(
  (:'mia'::jsonb -> 'permissions' ->> 'grades')::boolean, false,
  'the card shows the link''s permissions: grades off'
);
select is(
  jsonb_path_query_array(:'co_mia'::jsonb, '$.urgent[*] ? (@.kind == "low_grade").title'),
  '["Failed quiz"]'::jsonb,
  'control: with grades, the low grade'
);
select is(
  jsonb_path_query_array(:'co_mia'::jsonb, '$.highlights[*] ? (@.kind == "good_grade").title'),
  '["Top quiz"]'::jsonb,
  'control: with grades, the good grade'
);

select * from finish();
rollback;
