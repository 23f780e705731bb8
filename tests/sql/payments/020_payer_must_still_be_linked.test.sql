-- A payer acts on a subscription only while they still hold the right to, checked at each
-- change (change_plan, pause_subscription, resume_subscription): for one child's subscription,
-- an active link to the child (or being the student, when the student pays); for a family
-- subscription, being its guardian, or an active link to one of its children. A payer whose
-- link was revoked (by staff, by the child), or whose link is only pending, gets TU403 and
-- changes nothing; they still read their own payments. The service role is not affected.
begin;
select plan(12);

select tutela_tests.create_user('payer-p020@world.test') as u_payer \gset
select tutela_tests.create_user('student-p020@world.test') as u_student \gset
select tutela_tests.create_user('staff-p020@world.test') as u_staff \gset
select tutela_tests.create_user('copayer-p020@world.test') as u_copayer \gset
select tutela_tests.create_user('family-p020@world.test') as u_family \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World P020', 'world-p020', 5) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Child', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_payer', 'active', 'staff', now()),
(:'student', :'u_family', 'active', 'staff', now()),
(:'student', :'u_copayer', 'active', 'staff', now());
select id as payer_link from tutela.guardian_links where guardian_id = :'u_payer' \gset
select id as copayer_link from tutela.guardian_links where guardian_id = :'u_copayer' \gset
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_student', 'active') returning id as own_sub \gset
-- a family subscription of u_family, paid by the co-payer (linked to the same child)
insert into tutela.subscriptions (plan_id, guardian_id, paid_by, status)
values (:'starter', :'u_family', :'u_copayer', 'active') returning id as family_sub \gset
insert into tutela.payments (
  subscription_id, plan_id, payer_id, provider, provider_event_id, provider_reference,
  amount_cents, currency, status, paid_at, raw_payload
)
values (
  :'sub', :'starter', :'u_payer', 'mobile_money', 'p020-1', 'p020-ref-1', 900, 'USD',
  'succeeded', now(), '{}'
);

-- while linked: allowed
select tutela_tests.authenticate_as(:'u_payer');
select lives_ok(
  format($$select tutela.pause_subscription(%L)$$, :'sub'), 'the linked payer pauses'
);
select tutela_tests.authenticate_as(:'u_student');
select lives_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'own_sub'),
  'a student who pays their own subscription changes it'
);
select tutela_tests.authenticate_as(:'u_copayer');
select lives_ok(
  format($$select tutela.pause_subscription(%L)$$, :'family_sub'),
  'a co-payer linked to a child of the family pauses the family subscription'
);

-- staff revoke the payer's link (a court order), the child revokes the co-payer
select tutela_tests.authenticate_as(:'u_staff');
select tutela.revoke_guardian_link(:'payer_link', 'court order') is not null as revoked \gset
select tutela_tests.authenticate_as(:'u_student');
select tutela.revoke_guardian_link(:'copayer_link') is not null as revoked2 \gset

select tutela_tests.authenticate_as(:'u_payer');
select throws_ok(
  format($$select tutela.resume_subscription(%L)$$, :'sub'), 'TU403', null,
  'the revoked payer cannot resume'
);
select throws_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'sub'), 'TU403', null,
  'nor change the plan'
);
select is(
  (select count(*) from tutela.payment_history(:'sub')), 1::bigint,
  'the revoked payer still reads their own payment'
);
select tutela_tests.authenticate_as(:'u_copayer');
select throws_ok(
  format($$select tutela.resume_subscription(%L)$$, :'family_sub'), 'TU403', null,
  'a co-payer no longer linked to any child of the family cannot resume it'
);
select tutela_tests.authenticate_as(:'u_family');
select lives_ok(
  format($$select tutela.resume_subscription(%L)$$, :'family_sub'),
  'the family''s own guardian still may'
);
select tutela_tests.clear_authentication();
select results_eq(
  format($$select status, plan_id from tutela.subscriptions where id = %L$$, :'sub'),
  format($$values ('paused', %L::uuid)$$, :'starter'),
  'the refused calls changed nothing'
);

-- a pending link is not enough either
update tutela.guardian_links set status = 'pending', activated_at = null, revoked_at = null
where id = :'payer_link';
select tutela_tests.authenticate_as(:'u_payer');
select throws_ok(
  format($$select tutela.resume_subscription(%L)$$, :'sub'), 'TU403', null,
  'a payer whose link is only pending cannot act'
);
select tutela_tests.as_service_role();
select lives_ok(
  format($$select tutela.resume_subscription(%L)$$, :'sub'),
  'the service role (back office) still can'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.subscriptions where id = :'sub'), 'active',
  'resumed by the back office'
);

select * from finish();
rollback;
