-- Rule courses_completed (first_course_completed, 1): the number of the student's enrollments
-- with status 'completed'. Active and dropped enrollments do not count; the first completion
-- earns the award, later ones nothing again.
begin;
select plan(4);

insert into tutela.organizations (name, slug) values ('Academy 021', 'academy-021')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra I')
returning id as algebra \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Geometry')
returning id as geometry \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Statistics')
returning id as statistics \gset

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

insert into tutela.enrollments (student_id, organization_id, course_id, status, progress_percent)
values
(:'student', :'org', :'algebra', 'active', 99),
(:'student', :'org', :'geometry', 'dropped', 100);
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  'an active (99%) and a dropped enrollment: no award'
);
update tutela.enrollments set status = 'completed', completed_at = now(), progress_percent = 100
where student_id = :'student' and course_id = :'algebra';
select is(
  pg_temp.new_codes(:'student'), array['first_course_completed'],
  'the first completed course earns first_course_completed'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
insert into tutela.enrollments (student_id, organization_id, course_id, status, completed_at)
values (:'student', :'org', :'statistics', 'completed', now());
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'a second completed course: nothing');

select * from finish();
rollback;
