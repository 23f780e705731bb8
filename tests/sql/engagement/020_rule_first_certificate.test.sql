-- Rule certificates (first_certificate, 1): the number of certificates issued to the student.
-- The first earns the award; later ones earn nothing again. An award is never taken back, even
-- when the certificates are deleted.
begin;
select plan(6);

insert into tutela.organizations (name, slug) values ('Academy 020', 'academy-020')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra I')
returning id as course \gset

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

insert into tutela.certificates (student_id, organization_id, course_id, title)
values (:'kim', :'org', :'course', 'Algebra I');
select is(
  pg_temp.new_codes(:'student'), '{}'::text[],
  'no certificate of their own (another student has one): no award'
);
insert into tutela.certificates (student_id, organization_id, course_id, title)
values (:'student', :'org', :'course', 'Algebra I');
select is(
  pg_temp.new_codes(:'student'), array['first_certificate'],
  'the first certificate earns first_certificate'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
insert into tutela.certificates (student_id, organization_id, title)
values (:'student', :'org', 'Club referee');
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'a second certificate awards nothing');

delete from tutela.certificates where student_id = :'student';
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'certificates deleted: nothing new');
select is(
  (
    select count(*)::integer from tutela.student_achievements as sa
    where
      sa.student_id = :'student'
      and sa.achievement_id = (
        select a.id from tutela.achievements as a where a.code = 'first_certificate'
      )
  ),
  1,
  'the award stays'
);

select * from finish();
rollback;
