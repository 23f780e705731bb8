-- The pause: only an active subscription pauses (TU409 `already_paused` when paused,
-- `not_active` for trialing, past_due, cancelled, expired). While paused the student has no
-- entitlements from it. Only a paused subscription resumes (TU409 `not_paused`); the resume
-- moves access_until and next_billing_at on by the time spent paused, so the paid time left
-- at the pause is there again; active, or past_due when that time had already run out.
-- Each change is audited.
begin;
select plan(19);

select tutela_tests.create_user('payer-p014@world.test') as u_payer \gset
insert into tutela.organizations (name, slug) values ('World P014', 'world-p014')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as student \gset
-- the payer is the child's guardian (a payer acts only while linked: 020)
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_payer', 'active', 'staff', now());
-- the subscriptions in other states below are a sibling's, paid by the same payer (a family
-- subscription of the payer would cover the first child too, now that the payer is linked)
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sibling') returning id as sibling \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sibling', :'u_payer', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (
  plan_id, student_id, paid_by, status, access_until, next_billing_at
)
values (
  :'starter', :'student', :'u_payer', 'active', now() + interval '10 days',
  now() + interval '10 days'
)
returning id as sub \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'sibling', :'u_payer', 'trialing') returning id as s_trial \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'sibling', :'u_payer', 'past_due') returning id as s_past_due \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'sibling', :'u_payer', 'cancelled') returning id as s_cancelled \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'sibling', :'u_payer', 'expired') returning id as s_expired \gset
-- paused three days ago with two days of paid time left, and one whose time ran out before
insert into tutela.subscriptions (
  plan_id, student_id, paid_by, status, access_until, next_billing_at, paused_at
)
values (
  :'starter', :'sibling', :'u_payer', 'paused', now() - interval '1 day', now() - interval '1 day',
  now() - interval '3 days'
)
returning id as s_paused \gset
insert into tutela.subscriptions (
  plan_id, student_id, paid_by, status, access_until, next_billing_at, paused_at
)
values (
  :'starter',
  :'sibling',
  :'u_payer',
  'paused',
  now() - interval '5 days',
  now() - interval '5 days',
  now() - interval '3 days'
)
returning id as s_ran_out \gset

select is(tutela_private.student_entitlements(:'student') ->> 'tier', 'starter', 'before: starter');

select tutela_tests.authenticate_as(:'u_payer');
select results_eq(
  format($$select status, paused_at from tutela.pause_subscription(%L)$$, :'sub'),
  $$values ('paused', now())$$,
  'active -> paused, the pause time recorded'
);
select tutela_tests.clear_authentication();
select is(
  tutela_private.student_entitlements(:'student') ->> 'tier', 'free',
  'paused: the subscription grants nothing'
);
select tutela_tests.authenticate_as(:'u_payer');
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'sub'), 'TU409', null,
  'pausing a paused subscription: TU409'
);
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'s_trial'), 'TU409', null,
  'a trial cannot be paused: TU409'
);
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'s_past_due'), 'TU409', null,
  'a past-due subscription cannot be paused: TU409'
);
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'s_cancelled'), 'TU409', null,
  'a cancelled subscription cannot be paused: TU409'
);
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'s_expired'), 'TU409', null,
  'an expired subscription cannot be paused: TU409'
);
select throws_ok(
  format($$select tutela.resume_subscription(%L)$$, :'s_trial'), 'TU409', null,
  'resuming a subscription that is not paused: TU409'
);
select throws_ok(
  format($$select tutela.resume_subscription(%L)$$, :'s_cancelled'), 'TU409', null,
  'resuming a cancelled subscription: TU409'
);
select throws_ok(
  format($$select tutela.resume_subscription(%L)$$, gen_random_uuid()), 'TU403', null,
  'resuming an unknown subscription: TU403'
);
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, gen_random_uuid()), 'TU403', null,
  'pausing an unknown subscription: TU403'
);

-- paused at once and resumed at once: nothing moves
select results_eq(
  format(
    $$select status, access_until, next_billing_at, paused_at
      from tutela.resume_subscription(%L)$$, :'sub'
  ),
  $$values ('active', now() + interval '10 days', now() + interval '10 days',
    null::timestamptz)$$,
  'paused -> active; no time spent paused, nothing moves'
);
select results_eq(
  format(
    $$select status, access_until, next_billing_at, paused_at
      from tutela.resume_subscription(%L)$$, :'s_paused'
  ),
  $$values ('active', now() + interval '2 days', now() + interval '2 days',
    null::timestamptz)$$,
  'paused 3 days ago with 2 days left: active, 2 days left from now'
);
select results_eq(
  format($$select status, access_until from tutela.resume_subscription(%L)$$, :'s_ran_out'),
  $$values ('past_due', now() - interval '2 days')$$,
  'the paid time had run out before the pause: past_due'
);
select tutela_tests.clear_authentication();
select is(
  tutela_private.student_entitlements(:'student') ->> 'tier', 'starter', 'resumed: starter again'
);
select results_eq(
  format(
    $$select action, old_values ->> 'status', new_values ->> 'status' from tutela.link_events
      where new_values ->> 'subscription_id' = %L order by action desc$$, :'sub'
  ),
  $$values ('subscription_resumed', 'paused', 'active'),
    ('subscription_paused', 'active', 'paused')$$,
  'the pause and the resume are audited'
);
select is(
  (select count(*)::integer from tutela.link_events where action like 'subscription%'), 4,
  'four changes, four audit rows; none for the refusals'
);
select is(
  (
    select count(*)::integer from tutela.subscriptions
    where status = 'paused' or paused_at is not null
  ), 0,
  'nothing left paused'
);

select * from finish();
rollback;
