-- tutela.plans is a price list: anon and every signed-in user read the active plans, never
-- an inactive one; the service role reads every plan.
begin;
select plan(5);

select tutela_tests.create_user('student-069@world.test') as u_student \gset
select tutela_tests.create_user('stranger-069@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('World 069', 'world-069')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student');
insert into tutela.plans (code, name, rank, is_active)
values ('legacy_069', 'Legacy', 1, false);

prepare active_plans as select code from tutela.plans order by rank, code;

select tutela_tests.as_anon();
select results_eq(
  'active_plans', $$values ('free'), ('starter'), ('professional')$$,
  'anon reads the active plans only'
);
select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'active_plans', $$values ('free'), ('starter'), ('professional')$$,
  'a student reads the active plans only'
);
select tutela_tests.authenticate_as(:'u_stranger');
select results_eq(
  'active_plans', $$values ('free'), ('starter'), ('professional')$$,
  'a signed-in stranger reads the active plans only'
);
select is(
  (select entitlements -> 'quick_actions_limit' from tutela.plans where code = 'starter'),
  '5'::jsonb,
  'a signed-in user reads a plan''s entitlements'
);
select tutela_tests.as_service_role();
select results_eq(
  'active_plans', $$values ('free'), ('legacy_069'), ('starter'), ('professional')$$,
  'the service role reads every plan, the inactive one too'
);

select * from finish();
rollback;
