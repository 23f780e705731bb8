-- A re-score of a graded submission is a new value of that assignment grade, compared with
-- the submission's own earlier score (not with the student's other grades): 70 -> 50 crosses
-- below a 60 threshold, 50 -> 45 does not, 45 -> 85 crosses above an 80 one, and 85 -> 50
-- crosses below again, even though 50 is a value this submission had before.
begin;
select plan(5);

select tutela_tests.create_user('mum-016@ntf.test') as u_mum \gset
insert into tutela.organizations (name, slug)
values ('Ntf 016', 'ntf-016') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz A') returning id as quiz_a \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz B') returning id as quiz_b \gset

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 60);
select tutela.set_alert_threshold(:'sam', 'assignment_grade_high', 80);
select tutela_tests.clear_authentication();

prepare crossings as
select
  type,
  (data ->> 'value')::numeric as value
from tutela.alerts
where recipient_id = :'u_mum' and type like 'assignment_grade_%';

-- Quiz B first: 30 (the first grade, low); then Quiz A: 70 (neither)
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz_b', 'graded', 30, now() - interval '1 day');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz_a', 'graded', 70, now())
returning id as sub_a \gset
select bag_eq(
  'crossings', $$ values ('assignment_grade_low'::text, 30.0::numeric) $$,
  '30 then 70: only the first grade fired'
);

update tutela.submissions set score = 50 where id = :'sub_a';
select bag_eq(
  'crossings',
  $$ values ('assignment_grade_low'::text, 30.0::numeric), ('assignment_grade_low', 50.0) $$,
  're-scored 70 -> 50: below the threshold after this submission''s own 70'
);
update tutela.submissions set score = 45 where id = :'sub_a';
select is(
  (select count(*)::integer from tutela.alerts where type like 'assignment_grade_%'),
  2,
  're-scored 50 -> 45: still below, nothing'
);
update tutela.submissions set score = 85 where id = :'sub_a';
select bag_eq(
  'crossings',
  $$ values ('assignment_grade_low'::text, 30.0::numeric), ('assignment_grade_low', 50.0),
     ('assignment_grade_high', 85.0) $$,
  're-scored 45 -> 85: the high threshold is reached'
);
update tutela.submissions set score = 50 where id = :'sub_a';
select bag_eq(
  'crossings',
  $$ values ('assignment_grade_low'::text, 30.0::numeric), ('assignment_grade_low', 50.0),
     ('assignment_grade_high', 85.0), ('assignment_grade_low', 50.0) $$,
  're-scored 85 -> 50: below again, a new crossing although 50 was seen before'
);

select * from finish();
rollback;
