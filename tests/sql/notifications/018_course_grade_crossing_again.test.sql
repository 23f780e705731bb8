-- A course average that falls below the low threshold, recovers and falls below again makes
-- a second course_grade_low alert (and a second child_low_grade under the passing line), also
-- when all of it happens in one transaction (a batch re-grade, an import): each crossing is
-- an event of its own. The moves here are re-scores of one submission.
begin;
select plan(4);

select tutela_tests.create_user('mum-018@ntf.test') as u_mum \gset
insert into tutela.organizations (name, slug)
values ('Ntf 018', 'ntf-018') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.assignments (organization_id, course_id, title, passing_percent)
values (:'org', :'algebra', 'Algebra 1', 60) returning id as a1 \gset

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_alert_threshold(:'sam', 'course_grade_low', 60);
select tutela_tests.clear_authentication();

insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'a1', 'graded', 50, now())
returning id as sub \gset
select is(
  (select count(*)::integer from tutela.alerts where type = 'course_grade_low'),
  1,
  '50: below, one course_grade_low'
);
update tutela.submissions set score = 70 where id = :'sub';
select is(
  (select count(*)::integer from tutela.alerts where type = 'course_grade_low'),
  1,
  '70: recovered, nothing'
);
update tutela.submissions set score = 40 where id = :'sub';
select is(
  (select count(*)::integer from tutela.alerts where type = 'course_grade_low'),
  2,
  '40: below again, a second course_grade_low'
);
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_low_grade'),
  2,
  'and a second child_low_grade'
);

select * from finish();
rollback;
