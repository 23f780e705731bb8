-- seed_achievements() is for the service role (deploys, the migration): a signed-in user of
-- any kind and anon are refused for want of the grant.
begin;
select plan(5);

select tutela_tests.create_user('admin-003@world.test') as u_admin \gset
select tutela_tests.create_user('student-003@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('Academy 003', 'academy-003')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student');

select tutela_tests.as_service_role();
select lives_ok('select tutela.seed_achievements()', 'the service role may seed');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok(
  'select tutela.seed_achievements()', '42501', null,
  'an organisation admin is refused'
);
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('select tutela.seed_achievements()', '42501', null, 'a student is refused');
select tutela_tests.as_anon();
select throws_ok('select tutela.seed_achievements()', '42501', null, 'anon is refused');
select tutela_tests.clear_authentication();
select is(
  (
    select array_agg(r.rolname order by r.rolname)
    from pg_catalog.pg_roles as r
    where
      r.rolname in ('anon', 'authenticated', 'service_role')
      and pg_catalog.has_function_privilege(
        r.oid, 'tutela.seed_achievements()', 'execute'
      )
  ),
  array['service_role']::name[],
  'of the API roles only service_role holds execute'
);

select * from finish();
rollback;
