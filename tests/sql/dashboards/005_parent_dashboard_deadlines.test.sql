-- parent_dashboard(): urgent `deadline` items are the child's open assignments (no submission,
-- or one still pending or in progress) due within the next 48 hours, in courses of active
-- enrollments, earliest first. Handed-in work, deadlines further out, undated work, and
-- courses dropped, completed or not taken are not deadlines; nor is work already overdue
-- (the card has another kind of item for it).
begin;
select plan(14);

select tutela_tests.create_user('guardian-d005@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 005', 'academy-d005')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra')
returning id as algebra \gset
insert into tutela.courses (organization_id, title) values (:'org', 'History')
returning id as history \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Art')
returning id as art \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Physics')
returning id as physics \gset
insert into tutela.enrollments (student_id, organization_id, course_id, status, completed_at)
values
(:'mia', :'org', :'algebra', 'active', null),
(:'mia', :'org', :'history', 'dropped', null),
(:'mia', :'org', :'art', 'completed', now() - interval '1 day');

insert into tutela.assignments (organization_id, course_id, title, kind, due_at)
values
(:'org', :'algebra', 'Reading', 'assignment', now() + interval '1 hour'),
(:'org', :'algebra', 'Essay', 'project', now() + interval '24 hours'),
(:'org', :'algebra', 'Worksheet', 'assignment', now() + interval '47 hours'),
(:'org', :'algebra', 'Quiz', 'quiz', now() + interval '12 hours'),
(:'org', :'algebra', 'Lab', 'assignment', now() + interval '30 hours'),
(:'org', :'algebra', 'Review', 'assignment', now() + interval '20 hours'),
(:'org', :'algebra', 'Project', 'project', now() + interval '50 hours'),
(:'org', :'algebra', 'Overdue', 'assignment', now() - interval '2 hours'),
(:'org', :'algebra', 'Undated', 'assignment', null),
(:'org', :'history', 'Timeline', 'assignment', now() + interval '10 hours'),
(:'org', :'art', 'Sketch', 'assignment', now() + interval '5 hours'),
(:'org', :'physics', 'Forces', 'assignment', now() + interval '6 hours');
-- Worksheet started; Quiz handed in; Review in review; Lab graded
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, submitted_at, score, graded_at
)
select
  :'mia'::uuid as student_id,
  a.organization_id,
  a.id as assignment_id,
  case a.title
    when 'Worksheet' then 'in_progress' when 'Quiz' then 'submitted'
    when 'Review' then 'in_review' else 'graded'
  end as status,
  case when a.title <> 'Worksheet' then now() end as submitted_at,
  case when a.title = 'Lab' then 80 end as score,
  case when a.title = 'Lab' then now() end as graded_at
from tutela.assignments as a
where a.title in ('Worksheet', 'Quiz', 'Review', 'Lab');

select tutela_tests.authenticate_as(:'u_guardian');
select
  jsonb_path_query_array(
    tutela.parent_dashboard(), '$.children[0].urgent[*] ? (@.kind == "deadline")'
  )
    as deadlines
\gset
select tutela_tests.clear_authentication();

create function pg_temp.listed(p_deadlines jsonb, p_title text)
returns boolean
language sql
as $$
  select jsonb_path_exists(p_deadlines, '$[*] ? (@.title == $t)', jsonb_build_object('t', p_title))
$$;

select is(
  jsonb_path_query_array(:'deadlines'::jsonb, '$[*].title'),
  '["Reading", "Essay", "Worksheet"]'::jsonb,
  'the open assignments due within 48 hours, earliest first'
);
select is(
  jsonb_path_query_array(:'deadlines'::jsonb, '$[*].status'),
  '["pending", "pending", "in_progress"]'::jsonb,
  'not yet handed in: pending (no submission) or in progress'
);
select is(
  :'deadlines'::jsonb -> 1,
  (
    select
      jsonb_build_object(
        'kind', 'deadline', 'assignment_id', a.id, 'title', 'Essay',
        'course', 'Algebra', 'due_at', a.due_at, 'status', 'pending'
      )
    from tutela.assignments as a where a.title = 'Essay' and a.organization_id = :'org'
  ),
  'a deadline item: assignment, title, course, due date, status'
);
select ok(
  jsonb_path_query_array(:'deadlines'::jsonb, '$[*].kind') = '["deadline", "deadline", "deadline"]',
  'every item is of kind deadline'
);
select ok(not pg_temp.listed(:'deadlines', 'Quiz'), 'a submitted assignment is not urgent');
select ok(not pg_temp.listed(:'deadlines', 'Review'), 'an assignment in review is not urgent');
select ok(not pg_temp.listed(:'deadlines', 'Lab'), 'a graded assignment is not urgent');
select ok(not pg_temp.listed(:'deadlines', 'Project'), 'due in 50 hours: not yet urgent');
select ok(not pg_temp.listed(:'deadlines', 'Overdue'), 'a passed deadline is not a deadline item');
select ok(not pg_temp.listed(:'deadlines', 'Undated'), 'an undated assignment is not listed');
select ok(
  not pg_temp.listed(:'deadlines', 'Timeline'), 'an assignment of a dropped course is not listed'
);
select ok(
  not pg_temp.listed(:'deadlines', 'Sketch'),
  'an assignment of a completed course is not listed'
);
select ok(
  not pg_temp.listed(:'deadlines', 'Forces'),
  'an assignment of a course the child does not take is not listed'
);

-- handing the essay in takes it off the list
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, submitted_at
)
select
  :'mia'::uuid as student_id,
  :'org'::uuid as organization_id,
  a.id as assignment_id,
  'submitted' as status,
  now() as submitted_at
from tutela.assignments as a where a.title = 'Essay' and a.organization_id = :'org';
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  jsonb_path_query_array(
    tutela.parent_dashboard(), '$.children[0].urgent[*] ? (@.kind == "deadline").title'
  ),
  '["Reading", "Worksheet"]'::jsonb,
  'once the essay is handed in it is no longer urgent'
);

select * from finish();
rollback;
