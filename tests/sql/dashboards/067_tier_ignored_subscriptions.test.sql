-- Only current subscriptions count: status trialing, active or past_due, and access_until
-- unset or still ahead. Cancelled and expired subscriptions, and those whose access_until
-- has passed, are ignored, whether the student's own or a guardian's family plan.
begin;
select plan(8);

select tutela_tests.create_user('cancelled-067@world.test') as u_cancelled \gset
select tutela_tests.create_user('expired-067@world.test') as u_expired \gset
select tutela_tests.create_user('lapsed-067@world.test') as u_lapsed \gset
select tutela_tests.create_user('paid-ahead-067@world.test') as u_ahead \gset
select tutela_tests.create_user('past-due-067@world.test') as u_past_due \gset
select tutela_tests.create_user('trial-067@world.test') as u_trial \gset
select tutela_tests.create_user('family-067@world.test') as u_family \gset
select tutela_tests.create_user('parent-067@world.test') as u_parent \gset
insert into tutela.organizations (name, slug) values ('World 067', 'world-067')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Cancelled', :'u_cancelled') returning id as cancelled \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Expired', :'u_expired') returning id as expired \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Lapsed', :'u_lapsed') returning id as lapsed \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Paid ahead', :'u_ahead') returning id as ahead \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Past due', :'u_past_due') returning id as past_due \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Trial', :'u_trial') returning id as trial \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Family', :'u_family') returning id as family \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'family', :'u_parent', 'active', 'staff', now());

insert into tutela.subscriptions (plan_id, student_id, guardian_id, status, access_until)
select
  (select p.id from tutela.plans as p where p.code = v.code) as plan_id,
  v.student_id,
  v.guardian_id,
  v.status,
  v.access_until
from (
  values
  ('professional', :'cancelled'::uuid, null::uuid, 'cancelled', null::timestamptz),
  ('starter', :'cancelled'::uuid, null::uuid, 'active', null::timestamptz),
  ('professional', :'expired'::uuid, null::uuid, 'expired', null::timestamptz),
  ('professional', :'lapsed'::uuid, null::uuid, 'active', now() - interval '1 minute'),
  ('professional', :'ahead'::uuid, null::uuid, 'cancelled', now() + interval '5 days'),
  ('professional', :'ahead'::uuid, null::uuid, 'active', now() + interval '5 days'),
  ('starter', :'past_due'::uuid, null::uuid, 'past_due', null::timestamptz),
  ('professional', :'trial'::uuid, null::uuid, 'trialing', now() + interval '1 day'),
  ('professional', null::uuid, :'u_parent'::uuid, 'expired', null::timestamptz),
  ('starter', null::uuid, :'u_parent'::uuid, 'active', now() - interval '1 day')
) as v (code, student_id, guardian_id, status, access_until);

prepare tier as
select
  s ->> 'tier' as tier,
  s ->> 'status' as status
from (select tutela.student_dashboard() -> 'subscription' as s) as d;

select tutela_tests.authenticate_as(:'u_cancelled');
select results_eq(
  'tier', $$values ('starter', 'active')$$,
  'a cancelled professional is ignored; the active starter counts'
);
select tutela_tests.authenticate_as(:'u_expired');
select results_eq('tier', $$values ('free', 'none')$$, 'an expired subscription is ignored');
select tutela_tests.authenticate_as(:'u_lapsed');
select results_eq(
  'tier', $$values ('free', 'none')$$,
  'an active subscription whose access_until has passed is ignored'
);
select tutela_tests.authenticate_as(:'u_ahead');
select results_eq(
  'tier', $$values ('professional', 'active')$$,
  'access_until still ahead: the subscription counts'
);
select tutela_tests.authenticate_as(:'u_past_due');
select results_eq(
  'tier', $$values ('starter', 'past_due')$$,
  'a past-due subscription still counts, and says so'
);
select tutela_tests.authenticate_as(:'u_trial');
select results_eq('tier', $$values ('professional', 'trialing')$$, 'a trial counts');
select tutela_tests.authenticate_as(:'u_family');
select results_eq(
  'tier', $$values ('free', 'none')$$,
  'a guardian''s expired and lapsed family plans are ignored'
);
select is(
  jsonb_array_length(tutela.student_dashboard() -> 'masked'), 4,
  'on the free tier every field is masked'
);

select * from finish();
rollback;
