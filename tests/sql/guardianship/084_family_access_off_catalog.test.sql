-- family_access_enabled off hides the organisation from its students' guardians too: the
-- organisation row and its catalog (courses, course_modules, assignments, assignment_skills,
-- live_classes, skills, drills), which a guardian reads only through an active link
-- (tutela_hidden.visible_organization_ids). docs/guardianship.md: off, guardians "see nothing ...
-- (every policy ...)". Staff still read it all; on again, the guardian reads it again.
begin;
select plan(25);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('mum@a.test') as mum \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select id as kid from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'kid') \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code') ->> 'status' as link_status \gset

-- a published course and the rest of the catalog (as the test superuser)
select tutela_tests.clear_authentication();
insert into tutela.courses (organization_id, title, is_published)
values (:'org', 'Algebra I', true) returning id as course \gset
insert into tutela.course_modules (organization_id, course_id, position, title)
values (:'org', :'course', 1, 'Equations');
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as assignment \gset
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Office hour', now() + interval '1 day', now() + interval '1 day 1 hour');
insert into tutela.skills (organization_id, category, name)
values (:'org', 'Maths', 'Equations') returning id as skill \gset
insert into tutela.assignment_skills (assignment_id, skill_id, organization_id)
values (:'assignment', :'skill', :'org');
insert into tutela.drills (organization_id, title) values (:'org', 'Ten equations');

create function pg_temp.visible_org_rows(p_table text, p_org uuid)
returns bigint
language plpgsql
stable
as $$
declare
  v_count bigint;
begin
  execute format(
    'select count(*) from tutela.%I where %I = $1', p_table,
    case when p_table = 'organizations' then 'id' else 'organization_id' end
  )
  into v_count using p_org;
  return v_count;
end;
$$;
grant execute on function pg_temp.visible_org_rows(text, uuid) to authenticated;

create temporary table catalog_tables (name text primary key) on commit drop;
insert into catalog_tables (name)
values
('organizations'), ('courses'), ('course_modules'), ('assignments'), ('assignment_skills'),
('live_classes'), ('skills'), ('drills');
grant select on catalog_tables to authenticated;

select is(:'link_status'::text, 'active', 'setup: the guardian has an active link');

-- on: the guardian reads the catalog
select tutela_tests.authenticate_as(:'mum');
select
  cmp_ok(
    pg_temp.visible_org_rows(c.name, :'org'), '>', 0::bigint, 'on: the guardian reads ' || c.name
  )
from catalog_tables as c order by c.name;

select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"family_access_enabled": false}');

-- off: nothing
select tutela_tests.authenticate_as(:'mum');
select
  is(
    pg_temp.visible_org_rows(c.name, :'org'), 0::bigint, 'off: the guardian reads no ' || c.name
  )
from catalog_tables as c order by c.name;

-- on again
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"family_access_enabled": true}');
select tutela_tests.authenticate_as(:'mum');
select
  cmp_ok(
    pg_temp.visible_org_rows(c.name, :'org'), '>', 0::bigint,
    'on again: the guardian reads ' || c.name
  )
from catalog_tables as c order by c.name;

select * from finish();
rollback;
