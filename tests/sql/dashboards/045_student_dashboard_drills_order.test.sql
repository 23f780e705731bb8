-- student_dashboard() -> drills: the student's drill assignments, open ones first (earliest
-- due first, undated last), then the completed ones; each with drill_assignment_id, the
-- drill's title, due_at and completed_at. Other students' drills are left out.
begin;
select plan(5);

select tutela_tests.create_user('student-045@world.test') as u_student \gset
select tutela_tests.create_user('other-045@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 045', 'world-045')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.drills (organization_id, title)
values
(:'org', 'Done long ago'), (:'org', 'Due next week'), (:'org', 'Undated'),
(:'org', 'Done yesterday'), (:'org', 'Overdue'), (:'org', 'Due tomorrow'),
(:'org', 'Other''s');
insert into tutela.drill_assignments (
  drill_id, student_id, organization_id, due_at, completed_at
)
select
  (select d.id from tutela.drills as d where d.title = v.title) as drill_id,
  case when v.title = 'Other''s' then :'other'::uuid else :'student'::uuid end as student_id,
  :'org' as organization_id,
  v.due_at,
  v.completed_at
from (
  values
  ('Done long ago', now() - interval '5 days', now() - interval '4 days'),
  ('Due next week', now() + interval '7 days', null),
  ('Undated', null, null),
  ('Done yesterday', now() + interval '1 day', now() - interval '1 day'),
  ('Overdue', now() - interval '2 days', null),
  ('Due tomorrow', now() + interval '1 day', null),
  ('Other''s', now() - interval '3 days', null)
) as v (title, due_at, completed_at);

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'drills' as drills \gset

select is(
  jsonb_path_query_array(:'drills'::jsonb, '$[0 to 3]'),
  jsonb_path_query_array(:'drills'::jsonb, '$[*] ? (@.completed_at == null)'),
  'the four open drills come first'
);
select is(
  jsonb_path_query_array(:'drills'::jsonb, '$[0 to 3].title'),
  '["Overdue", "Due tomorrow", "Due next week", "Undated"]'::jsonb,
  'open drills: earliest due first, undated last'
);
select ok(
  jsonb_array_length(:'drills'::jsonb) = 6
  and jsonb_path_query_array(:'drills'::jsonb, '$[4 to 5] ? (@.completed_at != null).title')
  @> '["Done long ago", "Done yesterday"]'::jsonb,
  'then the two completed drills'
);
select is(
  :'drills'::jsonb -> 0,
  (
    select
      jsonb_build_object(
        'drill_assignment_id', da.id, 'title', 'Overdue', 'due_at', da.due_at,
        'completed_at', null
      )
    from tutela.drill_assignments as da
    inner join tutela.drills as d on da.drill_id = d.id where d.title = 'Overdue'
  ),
  'a drill: assignment id, title, due date, completion'
);
select ok(
  not jsonb_path_exists(:'drills'::jsonb, '$[*] ? (@.title == "Other''s")'),
  'another student''s drill is not listed'
);

select * from finish();
rollback;
