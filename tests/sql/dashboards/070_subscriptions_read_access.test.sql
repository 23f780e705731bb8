-- tutela.subscriptions: a student reads their own subscriptions; a guardian reads their own
-- family subscription and the subscriptions of the children they actively guard. Another
-- student, a pending or revoked guardian and a stranger read nothing of them; anon has no
-- grant (42501); the service role reads everything.
begin;
select plan(10);

select tutela_tests.create_user('student-070@world.test') as u_student \gset
select tutela_tests.create_user('other-student-070@world.test') as u_other \gset
select tutela_tests.create_user('guardian-070@world.test') as u_guardian \gset
select tutela_tests.create_user('co-guardian-070@world.test') as u_co \gset
select tutela_tests.create_user('pending-070@world.test') as u_pending \gset
select tutela_tests.create_user('revoked-070@world.test') as u_revoked \gset
select tutela_tests.create_user('stranger-070@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 070', 'world-070', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values
(:'student', :'u_guardian', 'active', 'staff', now(), null),
(:'student', :'u_co', 'active', 'staff', now(), null),
(:'student', :'u_pending', 'pending', 'code', null, null),
(:'student', :'u_revoked', 'revoked', 'code', now() - interval '1 day', now());
select id as starter from tutela.plans where code = 'starter' \gset
insert into tutela.subscriptions (plan_id, student_id)
values (:'starter', :'student') returning id as student_sub \gset
insert into tutela.subscriptions (plan_id, guardian_id)
values (:'starter', :'u_guardian') returning id as family_sub \gset
insert into tutela.subscriptions (plan_id, student_id)
values (:'starter', :'other') returning id as other_sub \gset

prepare visible as select id from tutela.subscriptions order by id;

select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'visible', format('values (%L::uuid)', :'student_sub'),
  'the student reads their own subscription only'
);
select tutela_tests.authenticate_as(:'u_guardian');
select set_eq(
  'visible', format('values (%L::uuid), (%L::uuid)', :'student_sub', :'family_sub'),
  'the guardian reads their family subscription and their child''s'
);
select tutela_tests.authenticate_as(:'u_co');
select results_eq(
  'visible', format('values (%L::uuid)', :'student_sub'),
  'a co-guardian reads the child''s subscription, not the other guardian''s family plan'
);
select tutela_tests.authenticate_as(:'u_other');
select results_eq(
  'visible', format('values (%L::uuid)', :'other_sub'),
  'another student reads only their own'
);
select tutela_tests.authenticate_as(:'u_pending');
select is_empty('visible', 'a pending guardian reads nothing');
select tutela_tests.authenticate_as(:'u_revoked');
select is_empty('visible', 'a revoked guardian reads nothing');
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty('visible', 'a signed-in stranger reads nothing');
select tutela_tests.as_anon();
select throws_ok('visible', '42501', null, 'anon has no grant');
select tutela_tests.as_service_role();
select set_eq(
  'select id from tutela.subscriptions where id in ('
  || format('%L, %L, %L', :'student_sub', :'family_sub', :'other_sub') || ')',
  format(
    'values (%L::uuid), (%L::uuid), (%L::uuid)', :'student_sub', :'family_sub', :'other_sub'
  ),
  'the service role reads every subscription'
);

-- the link is revoked: the guardian keeps their family plan but loses the child's
select tutela_tests.clear_authentication();
update tutela.guardian_links set status = 'revoked', revoked_at = now()
where student_id = :'student' and guardian_id = :'u_guardian';
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'visible', format('values (%L::uuid)', :'family_sub'),
  'once revoked, the guardian reads only their own family subscription'
);

select * from finish();
rollback;
