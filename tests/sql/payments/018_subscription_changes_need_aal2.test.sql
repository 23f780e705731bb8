-- When an organisation requires two-factor authentication for sensitive actions, changing,
-- pausing or resuming a subscription that covers one of its students needs an aal2 session:
-- TU412 otherwise. For a family subscription, any actively linked child in such an
-- organisation is enough. The service role is exempt.
begin;
select plan(8);

select tutela_tests.create_user('payer-p018@world.test') as u_payer \gset
select tutela_tests.create_user('family-p018@world.test') as u_family \gset
insert into tutela.organizations (name, slug, require_mfa_for_sensitive)
values ('World P018', 'world-p018', true)
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_family', 'active', 'staff', now()),
-- the payer is the child's guardian too (a payer acts only while linked: 020)
(:'student', :'u_payer', 'active', 'staff', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
values (:'starter', :'student', :'u_payer', 'active') returning id as sub \gset
insert into tutela.subscriptions (plan_id, guardian_id, status)
values (:'starter', :'u_family', 'active') returning id as family_sub \gset

select tutela_tests.authenticate_as(:'u_payer');
select throws_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'sub'), 'TU412', null,
  'aal1: change_plan refused'
);
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'sub'), 'TU412', null,
  'aal1: pause refused'
);
select tutela_tests.authenticate_as(:'u_family');
select throws_ok(
  format($$select tutela.pause_subscription(%L)$$, :'family_sub'), 'TU412', null,
  'aal1: the family plan of a child in that organisation, refused'
);

select tutela_tests.authenticate_as(:'u_payer');
select
  set_config(
    'request.jwt.claims',
    (current_setting('request.jwt.claims')::jsonb || '{"aal": "aal2"}')::text,
    true
  ) is not null as aal2
\gset
select lives_ok(
  format($$select tutela.change_plan(%L, 'professional')$$, :'sub'), 'aal2: change_plan works'
);
select lives_ok(format($$select tutela.pause_subscription(%L)$$, :'sub'), 'aal2: pause works');
select lives_ok(
  format($$select tutela.resume_subscription(%L)$$, :'sub'), 'aal2: resume works'
);

select tutela_tests.as_service_role();
select lives_ok(
  format($$select tutela.pause_subscription(%L)$$, :'family_sub'),
  'the service role needs no second factor'
);

-- the organisation switches it off: aal1 is enough again
select tutela_tests.clear_authentication();
update tutela.organizations set require_mfa_for_sensitive = false where id = :'org';
select tutela_tests.authenticate_as(:'u_family');
select lives_ok(
  format($$select tutela.resume_subscription(%L)$$, :'family_sub'),
  'switched off: aal1 works'
);

select * from finish();
rollback;
