-- link_events (the audit log), read under RLS: staff and admins see every event of their
-- organisation; a student sees the events of their record and those naming them; a guardian
-- sees only the events naming them as subject (their own link's history, also once pending
-- or revoked), never the events of other guardians or of the organisation. Strangers and
-- staff of another organisation see nothing of A; anon has no grant.
begin;
select plan(14);

-- Cast: organisation A (admin, staff, a student with a login and one without; an active, a
-- pending and a revoked guardian of the student), organisation B (admin, staff, a student
-- and an active guardian), and a stranger.
select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('guardian@a.test') as guardian \gset
select tutela_tests.create_user('pending@a.test') as pending \gset
select tutela_tests.create_user('revoked@a.test') as revoked \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset
select tutela_tests.create_user('staff@b.test') as staff_b \gset
select tutela_tests.create_user('guardian@b.test') as guardian_b \gset

select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset
select tutela_tests.add_member(:'org_b', :'staff_b', 'staff') is not null as added \gset
select id as kid_b from tutela.create_student(:'org_b', 'Kid B') \gset
select code from tutela.create_guardian_link_code(:'kid_b') \gset
select tutela_tests.authenticate_as(:'guardian_b');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_b \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org_a', :'staff_a', 'staff') is not null as added \gset
select id as kid from tutela.create_student(:'org_a', 'Kid') \gset
select tutela_tests.attach_student_login(:'kid', :'kid_user');
select id as kid2 from tutela.create_student(:'org_a', 'Kid Two') \gset
select code from tutela.create_guardian_link_code(:'kid', 3) \gset
select tutela_tests.authenticate_as(:'revoked');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_revoked \gset
select tutela_tests.authenticate_as(:'guardian');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_active \gset
select tutela_tests.authenticate_as(:'kid_user');
select (tutela.revoke_guardian_link(:'link_revoked')).status as revoked_status \gset
select tutela_tests.authenticate_as(:'admin_a');
select
  tutela.update_organization_settings(
    :'org_a', '{"link_requires_student_approval": true, "max_guardians_per_student": 5}'
  ) is not null as changed
\gset
-- a new code: revoking a guardian withdrew the codes they had redeemed
select code from tutela.create_guardian_link_code(:'kid', 3) \gset
select tutela_tests.authenticate_as(:'pending');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link_pending \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select guardian_id, status from tutela.guardian_links where student_id = %L '
    'order by status',
    :'kid'
  ),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'guardian', 'active', :'pending', 'pending', :'revoked', 'revoked'
  ),
  'setup: the student has an active, a pending and a revoked guardian'
);

-- what the cast produced in A, read as the owner
select array_agg(id) as events_a from tutela.link_events where organization_id = :'org_a' \gset
select array_agg(id) as events_b from tutela.link_events where organization_id = :'org_b' \gset
-- membership invitations (by address) are for admins only
select array_agg(id) as staff_events_a from tutela.link_events
where organization_id = :'org_a' and action not like 'member\_invite\_%' \gset
select array_agg(id) as staff_events_b from tutela.link_events
where organization_id = :'org_b' and action not like 'member\_invite\_%' \gset
select is(
  (select count(*) from tutela.link_events where organization_id = :'org_a'),
  13::bigint,
  'setup: organisation A has thirteen audit events'
);

select tutela_tests.authenticate_as(:'admin_a');
select set_eq(
  'select id from tutela.link_events', :'events_a'::bigint[],
  'the admin sees every event of A and none of B'
);
select tutela_tests.authenticate_as(:'staff_a');
select set_eq(
  'select id from tutela.link_events', :'staff_events_a'::bigint[],
  'staff see every event of A but the membership invitations, and none of B'
);
select tutela_tests.authenticate_as(:'kid_user');
select results_eq(
  'select action, subject_user_id from tutela.link_events order by id',
  format(
    'values (%L, %L::uuid), (%L, null), (%L, %L), (%L, %L), (%L, %L), (%L, null), (%L, null), '
    '(%L, %L)',
    'student_created', null,
    'code_created',
    'link_created', :'revoked',
    'link_created', :'guardian',
    'link_revoked', :'revoked',
    'code_withdrawn',
    'code_created',
    'link_created', :'pending'
  ),
  'a student sees the events of their record, in order'
);
select tutela_tests.authenticate_as(:'guardian');
select results_eq(
  'select action, link_id from tutela.link_events',
  format('values (%L, %L::uuid)', 'link_created', :'link_active'),
  'an active guardian sees only the creation of their own link'
);
select tutela_tests.authenticate_as(:'pending');
select results_eq(
  'select action, link_id from tutela.link_events',
  format('values (%L, %L::uuid)', 'link_created', :'link_pending'),
  'a pending guardian sees only the creation of their own link'
);
select tutela_tests.authenticate_as(:'revoked');
select results_eq(
  'select action, link_id from tutela.link_events order by id',
  format(
    'values (%L, %L::uuid), (%L, %L)',
    'link_created', :'link_revoked', 'link_revoked', :'link_revoked'
  ),
  'a revoked guardian sees only their own link''s history'
);
select tutela_tests.authenticate_as(:'guardian_b');
select results_eq(
  'select action, link_id from tutela.link_events',
  format('values (%L, %L::uuid)', 'link_created', :'link_b'),
  'the guardian in B sees only their own link''s creation'
);
select tutela_tests.authenticate_as(:'staff_b');
select set_eq(
  'select id from tutela.link_events', :'staff_events_b'::bigint[],
  'staff of B see exactly the events of B, but the membership invitations'
);
select is_empty(
  format(
    'select id from tutela.link_events where organization_id = %L or student_id in (%L, %L)',
    :'org_a', :'kid', :'kid2'
  ),
  'staff of another organisation see no event of A'
);
select tutela_tests.authenticate_as(:'stranger');
select is_empty('select id from tutela.link_events', 'a stranger sees nothing');

select tutela_tests.as_anon();
select throws_ok('select id from tutela.link_events', '42501', null, 'anon may not read it');

select tutela_tests.as_service_role();
select is(
  (select count(*) from tutela.link_events where organization_id in (:'org_a', :'org_b')),
  19::bigint,
  'service_role reads every event'
);

select * from finish();
rollback;
