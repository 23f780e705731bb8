-- student_dashboard() -> subscription and masked: the plan in force (tier, plan_name, status,
-- covered_by, started_at, access_until, entitlements); next_billing_at only when the tier
-- includes next_billing_date (absent on free, present on starter and professional). masked
-- names what the tier leaves out: free all four fields, starter the reviewer's feedback and
-- score, professional nothing.
begin;
select plan(10);

select tutela_tests.create_user('free-052@world.test') as u_free \gset
select tutela_tests.create_user('starter-052@world.test') as u_starter \gset
select tutela_tests.create_user('pro-052@world.test') as u_pro \gset
insert into tutela.organizations (name, slug) values ('World 052', 'world-052')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Free', :'u_free');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Starter', :'u_starter') returning id as starter_student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Pro', :'u_pro') returning id as pro_student \gset
insert into tutela.subscriptions (
  plan_id, student_id, status, started_at, access_until, next_billing_at
)
select
  p.id as plan_id,
  :'starter_student' as student_id,
  'active' as status,
  now() - interval '10 days' as started_at,
  null as access_until,
  now() + interval '20 days' as next_billing_at
from tutela.plans as p where p.code = 'starter';
insert into tutela.subscriptions (
  plan_id, student_id, status, started_at, access_until, next_billing_at
)
select
  p.id as plan_id,
  :'pro_student' as student_id,
  'trialing' as status,
  now() - interval '1 day' as started_at,
  now() + interval '13 days' as access_until,
  now() + interval '13 days' as next_billing_at
from tutela.plans as p where p.code = 'professional';
select entitlements as free_ent from tutela.plans where code = 'free' \gset
select entitlements as starter_ent from tutela.plans where code = 'starter' \gset

select tutela_tests.authenticate_as(:'u_free');
select is(
  tutela.student_dashboard() -> 'subscription',
  jsonb_build_object(
    'tier', 'free', 'plan_name', 'Free', 'status', 'none', 'covered_by', null,
    'started_at', null, 'access_until', null, 'entitlements', :'free_ent'::jsonb
  ),
  'free (no subscription): the free plan, status none, its entitlements'
);
select ok(
  not (tutela.student_dashboard() -> 'subscription' ? 'next_billing_at'),
  'free: next_billing_at is absent'
);
select is(
  tutela.student_dashboard() -> 'masked',
  '[
    "subscription.next_billing_at", "grades.feedback", "grades.reviewer_score",
    "sessions.analysis"
  ]'::jsonb,
  'free: masked names the four fields the tier leaves out'
);

select tutela_tests.authenticate_as(:'u_starter');
select is(
  tutela.student_dashboard() -> 'subscription',
  jsonb_build_object(
    'tier', 'starter', 'plan_name', 'Starter', 'status', 'active', 'covered_by', 'student',
    'started_at', now() - interval '10 days', 'access_until', null,
    'next_billing_at', now() + interval '20 days', 'entitlements', :'starter_ent'::jsonb
  ),
  'starter: the student''s own subscription with its next billing date'
);
select is(
  tutela.student_dashboard() -> 'masked',
  '["grades.feedback", "grades.reviewer_score"]'::jsonb,
  'starter: only the reviewer''s feedback and score are masked'
);

select tutela_tests.authenticate_as(:'u_pro');
select is(
  tutela.student_dashboard() -> 'subscription' ->> 'tier', 'professional',
  'professional: the tier'
);
select is(
  tutela.student_dashboard() -> 'subscription' ->> 'status', 'trialing',
  'professional: a trial is in force and says so'
);
select is(
  (tutela.student_dashboard() -> 'subscription' ->> 'next_billing_at')::timestamptz,
  now() + interval '13 days',
  'professional: next_billing_at is present'
);
select is(
  (tutela.student_dashboard() -> 'subscription' ->> 'access_until')::timestamptz,
  now() + interval '13 days',
  'professional: access_until as stored'
);
select is(
  tutela.student_dashboard() -> 'masked', '[]'::jsonb,
  'professional: nothing is masked'
);

select * from finish();
rollback;
