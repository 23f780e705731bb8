-- Rule perfect_assignments (perfect_assignment, 1): the number of the student's graded (or
-- graded and returned) submissions whose score equals the assignment's max_score. A score just
-- below, or a full score not yet graded, does not count. The award comes once.
begin;
select plan(5);

insert into tutela.organizations (name, slug) values ('Academy 022', 'academy-022')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra I')
returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Quiz 1', 20) returning id as quiz1 \gset
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Quiz 2', 20) returning id as quiz2 \gset
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Exam', 50) returning id as exam \gset

-- The codes check_achievements newly awards (of one rule, or all), sorted. Called as the
-- service role, as the job calls it; the owner's session comes back afterwards.
create function pg_temp.new_codes(p_student uuid, p_rule text default null)
returns text[]
language plpgsql
as $$
declare
  v_codes text[];
begin
  perform tutela_tests.as_service_role();
  select coalesce(array_agg(c.code order by c.code), '{}') into v_codes
  from tutela.check_achievements(p_student) as c
  where
    p_rule is null
    or c.code in (select a.code from tutela.achievements as a where a.rule = p_rule);
  perform tutela_tests.clear_authentication();
  return v_codes;
end;
$$;

insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values
(:'student', :'org', :'quiz1', 'graded', 19.99, now()),
(:'student', :'org', :'quiz2', 'in_review', 20, null);
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  '19.99 of 20 graded, 20 of 20 still in review: no award'
);
update tutela.submissions set status = 'graded', graded_at = now()
where student_id = :'student' and assignment_id = :'quiz2';
select is(
  pg_temp.new_codes(:'student'), array['perfect_assignment'],
  '20 of 20 graded earns perfect_assignment'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'student', :'org', :'exam', 'returned', 50, now());
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'a second perfect score: nothing');
select is(
  (
    select sa.metric_value from tutela.student_achievements as sa
    where
      sa.student_id = :'student'
      and sa.achievement_id = (
        select a.id from tutela.achievements as a where a.code = 'perfect_assignment'
      )
  ),
  1,
  'the award records the one perfect submission it was earned with'
);

select * from finish();
rollback;
