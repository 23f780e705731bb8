-- The tier in force for a student (student_dashboard() -> subscription): the best current
-- subscription by plan rank among the student's own and the family subscriptions of every
-- guardian with an active link to the student; free when there is none. A family
-- subscription covers each of the guardian's actively linked children, but not a child whose
-- link is pending or revoked, nor an unlinked student.
begin;
select plan(14);

select tutela_tests.create_user('own-066@world.test') as u_own \gset
select tutela_tests.create_user('family-066@world.test') as u_family \gset
select tutela_tests.create_user('sibling-066@world.test') as u_sibling \gset
select tutela_tests.create_user('own-best-066@world.test') as u_own_best \gset
select tutela_tests.create_user('pending-066@world.test') as u_pending \gset
select tutela_tests.create_user('revoked-066@world.test') as u_revoked \gset
select tutela_tests.create_user('unlinked-066@world.test') as u_unlinked \gset
select tutela_tests.create_user('parent-066@world.test') as u_parent \gset
select tutela_tests.create_user('parent2-066@world.test') as u_parent2 \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 066', 'world-066', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Own', :'u_own') returning id as own \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Family', :'u_family') returning id as family \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sibling', :'u_sibling') returning id as sibling \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Own best', :'u_own_best') returning id as own_best \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Pending', :'u_pending') returning id as pending \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Revoked', :'u_revoked') returning id as revoked \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Unlinked', :'u_unlinked');
-- parent: professional for the family; active for Family and Sibling, pending for Pending,
-- revoked for Revoked. parent2: starter for the family, active for Own best.
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values
(:'family', :'u_parent', 'active', 'staff', now(), null),
(:'sibling', :'u_parent', 'active', 'staff', now(), null),
(:'pending', :'u_parent', 'pending', 'code', null, null),
(:'revoked', :'u_parent', 'revoked', 'code', now() - interval '1 day', now()),
(:'own_best', :'u_parent2', 'active', 'staff', now(), null);
insert into tutela.subscriptions (plan_id, student_id, guardian_id)
select
  (select p.id from tutela.plans as p where p.code = v.code) as plan_id,
  v.student_id,
  v.guardian_id
from (
  values
  ('starter', :'own'::uuid, null::uuid),
  ('starter', :'family'::uuid, null::uuid),
  ('professional', null::uuid, :'u_parent'::uuid),
  ('professional', :'own_best'::uuid, null::uuid),
  ('starter', null::uuid, :'u_parent2'::uuid)
) as v (code, student_id, guardian_id);

prepare tier as
select
  s ->> 'tier' as tier,
  s ->> 'covered_by' as covered_by
from (select tutela.student_dashboard() -> 'subscription' as s) as d;

select tutela_tests.authenticate_as(:'u_own');
select results_eq('tier', $$values ('starter', 'student')$$, 'own starter: starter');
select is(
  tutela.student_dashboard() -> 'subscription' -> 'entitlements' -> 'quick_actions_limit',
  '5'::jsonb, 'own starter: the starter entitlements'
);
select tutela_tests.authenticate_as(:'u_family');
select results_eq(
  'tier', $$values ('professional', 'family')$$,
  'own starter and a parent''s professional family plan: the family plan ranks higher'
);
select is(
  tutela.student_dashboard() -> 'subscription' -> 'entitlements' -> 'quick_actions_limit',
  '10'::jsonb, 'family plan: the professional entitlements'
);
select tutela_tests.authenticate_as(:'u_sibling');
select results_eq(
  'tier', $$values ('professional', 'family')$$,
  'the family plan covers every actively linked child of the parent'
);
select tutela_tests.authenticate_as(:'u_own_best');
select results_eq(
  'tier', $$values ('professional', 'student')$$,
  'own professional beats a parent''s starter family plan'
);
select tutela_tests.authenticate_as(:'u_pending');
select results_eq(
  'tier', $$values ('free', null::text)$$,
  'a pending link does not bring the family plan'
);
select tutela_tests.authenticate_as(:'u_revoked');
select results_eq(
  'tier', $$values ('free', null::text)$$,
  'a revoked link does not bring the family plan'
);
select tutela_tests.authenticate_as(:'u_unlinked');
select results_eq('tier', $$values ('free', null::text)$$, 'an unlinked student: free');
select is(
  tutela.student_dashboard() -> 'subscription' ->> 'status', 'none',
  'free without a subscription: status none'
);

-- the parent's link to Family is revoked: Family falls back to the own starter plan at once
select tutela_tests.clear_authentication();
update tutela.guardian_links
set status = 'revoked', revoked_at = now()
where student_id = :'family' and guardian_id = :'u_parent';
select tutela_tests.authenticate_as(:'u_family');
select results_eq(
  'tier', $$values ('starter', 'student')$$,
  'after the link is revoked, the family plan no longer covers the child'
);
select tutela_tests.authenticate_as(:'u_sibling');
select results_eq('tier', $$values ('professional', 'family')$$, 'the sibling stays covered');

-- the pending link is activated: the child is covered at once
select tutela_tests.clear_authentication();
update tutela.guardian_links set status = 'active', activated_at = now()
where student_id = :'pending' and guardian_id = :'u_parent';
select tutela_tests.authenticate_as(:'u_pending');
select results_eq(
  'tier', $$values ('professional', 'family')$$,
  'once the link is active, the family plan covers the child'
);
select is(
  tutela.student_dashboard() -> 'masked', '[]'::jsonb,
  'covered by the professional family plan: nothing masked'
);

select * from finish();
rollback;
