-- tutela_private.course_averages follows the graded submissions of the course: a submission that
-- stops being graded (sent back to review) or is deleted leaves the average at once, and a
-- course with no graded submission left has no average row. The crossings compare against
-- this stored average, so a stale one would fire (or miss) crossings.
begin;
select plan(3);

insert into tutela.organizations (name, slug)
values ('Ntf 019', 'ntf-019') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'algebra', 'Quiz A') returning id as quiz_a \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'algebra', 'Quiz B') returning id as quiz_b \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values
(:'sam', :'org', :'quiz_a', 'graded', 90, now()),
(:'sam', :'org', :'quiz_b', 'graded', 30, now());

prepare average as
select
  average_percent,
  graded
from tutela_private.course_averages
where student_id = :'sam' and course_id = :'algebra';

select results_eq(
  'average', $$ values (60.00::numeric(6, 2), 2) $$, 'two grades: 60 over 2'
);
update tutela.submissions set status = 'in_review' where assignment_id = :'quiz_b';
select results_eq(
  'average', $$ values (90.00::numeric(6, 2), 1) $$,
  'the 30 sent back to review: 90 over 1'
);
delete from tutela.submissions where assignment_id = :'quiz_a';
select is_empty('average', 'the last graded submission deleted: no average');

select * from finish();
rollback;
