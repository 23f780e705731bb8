-- The API reads these tables and writes nothing: every change goes through the functions.
-- Signed-in users (even an admin) and anon cannot insert, update, delete or truncate any
-- guardianship table, nor delete profiles; the private tables (link code hashes, redemption
-- attempts, the notification outbox) are closed to every API role, service_role included;
-- and the private audit writer cannot be called to forge an event.
begin;
select plan(101);

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

-- every direct write, as statements to try
create temp table direct_writes (stmt text, what text) on commit drop;
insert into direct_writes (stmt, what)
select
  format(v.stmt, :'org_a', :'kid', :'admin_a', :'link_active') as stmt,
  v.what
from (
  values
  (
    $$insert into tutela.organizations (name, slug) values ('Forged', 'forged-org')$$,
    'insert into organizations'
  ),
  (
    $$update tutela.organizations set max_guardians_per_student = 10 where id = %1$L$$,
    'update organizations'
  ),
  ($$delete from tutela.organizations where id = %1$L$$, 'delete from organizations'),
  ('truncate tutela.organizations cascade', 'truncate organizations'),
  ($$insert into tutela.memberships (organization_id, user_id, role)
    values (%1$L, %3$L, 'admin')$$, 'insert into memberships'),
  (
    $$update tutela.memberships set role = 'admin' where organization_id = %1$L$$,
    'update memberships'
  ),
  ($$delete from tutela.memberships where organization_id = %1$L$$, 'delete from memberships'),
  ('truncate tutela.memberships', 'truncate memberships'),
  (
    $$insert into tutela.students (organization_id, display_name) values (%1$L, 'Forged')$$,
    'insert into students'
  ),
  ($$update tutela.students set user_id = %3$L where id = %2$L$$, 'update students'),
  ($$delete from tutela.students where id = %2$L$$, 'delete from students'),
  ('truncate tutela.students cascade', 'truncate students'),
  ($$insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
    values (%2$L, %3$L, 'active', 'staff')$$, 'insert into guardian_links'),
  ($$update tutela.guardian_links set permissions = permissions || '{"journal": true}'
    where id = %4$L$$, 'update guardian_links'),
  ($$delete from tutela.guardian_links where id = %4$L$$, 'delete from guardian_links'),
  ('truncate tutela.guardian_links', 'truncate guardian_links'),
  (
    $$insert into tutela.guardian_invites (student_id, email, token_hash, expires_at)
    values (%2$L, 'x@example.test', decode(repeat('00', 32), 'hex'), now())$$,
    'insert into guardian_invites'
  ),
  (
    $$update tutela.guardian_invites set status = 'accepted' where student_id = %2$L$$,
    'update guardian_invites'
  ),
  (
    $$delete from tutela.guardian_invites where student_id = %2$L$$,
    'delete from guardian_invites'
  ),
  ('truncate tutela.guardian_invites', 'truncate guardian_invites'),
  (
    $$insert into tutela.student_invites (student_id, email, token_hash, expires_at)
    values (%2$L, 'x@example.test', decode(repeat('00', 32), 'hex'), now())$$,
    'insert into student_invites'
  ),
  (
    $$update tutela.student_invites set status = 'accepted' where student_id = %2$L$$,
    'update student_invites'
  ),
  (
    $$delete from tutela.student_invites where student_id = %2$L$$,
    'delete from student_invites'
  ),
  ('truncate tutela.student_invites', 'truncate student_invites'),
  ($$insert into tutela.link_events (actor_role, action, organization_id)
    values ('admin', 'forged', %1$L)$$, 'insert into link_events'),
  (
    $$update tutela.link_events set action = 'forged' where organization_id = %1$L$$,
    'update link_events'
  ),
  (
    $$delete from tutela.link_events where organization_id = %1$L$$,
    'delete from link_events'
  ),
  ('truncate tutela.link_events', 'truncate link_events'),
  ($$delete from tutela.profiles where user_id = %3$L$$, 'delete from profiles')
) as v (stmt, what);

-- every access to a private table
create temp table private_access (stmt text, what text) on commit drop;
insert into private_access (stmt, what)
select
  format(v.stmt, :'kid', :'admin_a') as stmt,
  v.what
from (
  values
  ('select * from tutela_private.guardian_link_codes', 'select guardian_link_codes'),
  (
    $$insert into tutela_private.guardian_link_codes (student_id, code_hash, expires_at)
    values (%1$L, decode(repeat('00', 32), 'hex'), now() + interval '1 day')$$,
    'insert into guardian_link_codes'
  ),
  ('update tutela_private.guardian_link_codes set uses = 0', 'update guardian_link_codes'),
  ('delete from tutela_private.guardian_link_codes', 'delete from guardian_link_codes'),
  ('select * from tutela_private.link_code_attempts', 'select link_code_attempts'),
  (
    $$insert into tutela_private.link_code_attempts (user_id, succeeded) values (%2$L, true)$$,
    'insert into link_code_attempts'
  ),
  ('update tutela_private.link_code_attempts set succeeded = true', 'update link_code_attempts'),
  ('delete from tutela_private.link_code_attempts', 'delete from link_code_attempts'),
  ('select * from tutela_private.notification_outbox', 'select notification_outbox'),
  ($$insert into tutela_private.notification_outbox (kind, recipient_email)
    values ('forged', 'x@example.test')$$, 'insert into notification_outbox'),
  (
    'update tutela_private.notification_outbox set dispatched_at = now()',
    'update notification_outbox'
  ),
  ('delete from tutela_private.notification_outbox', 'delete from notification_outbox')
) as v (stmt, what);

grant select on direct_writes, private_access to authenticated, anon, service_role;
select is((select count(*) from direct_writes), 29::bigint, 'setup: 29 direct writes to try');
select is(
  (select count(*) from tutela_private.guardian_link_codes),
  3::bigint,
  'setup: the private tables hold rows (three link codes)'
);

-- a signed-in user, here the admin of A who may read most of it
select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(stmt, '42501', null, 'authenticated: ' || what) from direct_writes;
select throws_ok(stmt, '42501', null, 'authenticated: ' || what) from private_access;
select throws_ok(
  format($$select tutela_private.audit('forged', 'admin', %L)$$, :'org_a'),
  '42501', null, 'authenticated: the audit writer cannot be called directly'
);

-- anon
select tutela_tests.as_anon();
select throws_ok(stmt, '42501', null, 'anon: ' || what) from direct_writes;
select throws_ok(stmt, '42501', null, 'anon: ' || what) from private_access;

-- service_role bypasses RLS, yet the private tables have no grant for it either
select tutela_tests.as_service_role();
select throws_ok(stmt, '42501', null, 'service_role: ' || what) from private_access;

-- nothing changed
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.link_events where action = 'forged'),
  0::bigint,
  'no forged audit row exists'
);
select is(
  (select role from tutela.memberships where organization_id = :'org_a' and user_id = :'staff_a'),
  'staff',
  'memberships are unchanged'
);
select is(
  (select count(*) from tutela_private.notification_outbox where kind = 'forged'),
  0::bigint,
  'no forged notification exists'
);

select * from finish();
rollback;
