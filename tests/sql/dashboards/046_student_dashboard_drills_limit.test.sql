-- student_dashboard() -> drills is cut to 10 entries, and the cut keeps the head of the list:
-- with 12 open drills, the 10 due soonest are listed (the most overdue ones included) and
-- the two due latest are left out.
begin;
select plan(3);

select tutela_tests.create_user('student-046@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 046', 'world-046')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
-- twelve open drills, d01 due 6 days ago to d12 due in 5 days
insert into tutela.drills (organization_id, title)
select
  :'org' as organization_id,
  format('d%s', lpad(n::text, 2, '0')) as title
from generate_series(1, 12) as n;
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at)
select
  d.id as drill_id,
  :'student' as student_id,
  d.organization_id,
  now() + make_interval(days => substr(d.title, 2)::integer - 7) as due_at
from tutela.drills as d where d.organization_id = :'org';

select tutela_tests.authenticate_as(:'u_student');
select tutela.student_dashboard() -> 'drills' as drills \gset

select is(jsonb_array_length(:'drills'::jsonb), 10, 'ten drills at most');
select is(
  jsonb_path_query_array(:'drills'::jsonb, '$[*].title'),
  '["d01", "d02", "d03", "d04", "d05", "d06", "d07", "d08", "d09", "d10"]'::jsonb,
  'the ten due soonest, in due order'
);
select ok(
  jsonb_path_exists(:'drills'::jsonb, '$[*] ? (@.title == "d01")'),
  'the most overdue drill is not cut'
);

select * from finish();
rollback;
