-- A configured plan's entitlements are the ones in force: an operator's change to a plan row
-- takes effect at once. Keys a configured plan leaves out fall back to the free plan's (as
-- configured), then to the built-in defaults.
begin;
select plan(7);

select tutela_tests.create_user('free-068@world.test') as u_free \gset
select tutela_tests.create_user('starter-068@world.test') as u_starter \gset
insert into tutela.organizations (name, slug) values ('World 068', 'world-068')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Free', :'u_free') returning id as free_student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Starter', :'u_starter') returning id as starter_student \gset
insert into tutela.subscriptions (plan_id, student_id, next_billing_at)
select
  p.id as plan_id,
  :'starter_student' as student_id,
  now() + interval '1 month' as next_billing_at
from tutela.plans as p where p.code = 'starter';
-- eight overdue assignments for each student: more actions than any limit below
insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'free_student', :'org', :'course'), (:'starter_student', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
select
  :'org' as organization_id,
  :'course' as course_id,
  format('Essay %s', n) as title,
  now() - make_interval(days => n) as due_at
from generate_series(1, 8) as n;

select tutela_tests.authenticate_as(:'u_free');
select is(
  jsonb_array_length(tutela.student_dashboard() -> 'quick_actions'), 3,
  'free as seeded: 3 quick actions'
);
select tutela_tests.authenticate_as(:'u_starter');
select is(
  jsonb_array_length(tutela.student_dashboard() -> 'quick_actions'), 5,
  'starter as seeded: 5 quick actions'
);

-- the operator gives the free plan one quick action, and the starter plan seven and nothing
-- else (its other keys now fall back to the free plan's)
select tutela_tests.clear_authentication();
update tutela.plans
set entitlements = entitlements || '{"quick_actions_limit": 1}'
where code = 'free';
update tutela.plans set entitlements = '{"quick_actions_limit": 7}' where code = 'starter';
select entitlements as free_ent from tutela.plans where code = 'free' \gset

select tutela_tests.authenticate_as(:'u_free');
select is(
  jsonb_array_length(tutela.student_dashboard() -> 'quick_actions'), 1,
  'free as configured: 1 quick action'
);
select is(
  tutela.student_dashboard() -> 'subscription' -> 'entitlements',
  :'free_ent'::jsonb,
  'free: the configured entitlements are shown'
);
select tutela_tests.authenticate_as(:'u_starter');
select is(
  jsonb_array_length(tutela.student_dashboard() -> 'quick_actions'), 7,
  'starter as configured: 7 quick actions'
);
select is(
  tutela.student_dashboard() -> 'subscription' -> 'entitlements',
  :'free_ent'::jsonb || '{"quick_actions_limit": 7}'::jsonb,
  'starter: keys it leaves out come from the free plan'
);
select ok(
  not (tutela.student_dashboard() -> 'subscription' ? 'next_billing_at')
  and tutela.student_dashboard() -> 'masked' ? 'subscription.next_billing_at',
  'starter without next_billing_date (the free plan''s false): next_billing_at absent, masked'
);

select * from finish();
rollback;
