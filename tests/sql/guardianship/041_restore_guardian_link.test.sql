-- restore_guardian_link: staff and admins of the student's organisation restore a revoked link:
-- as active, or as pending for the student to approve when the student revoked it (the child
-- decides); never a link its guardian ended themself (they come back by a code or an invite
-- they accept). The student, the revoked guardian, another guardian, a stranger and staff of
-- another organisation get TU403, anon 42501; a link that is not revoked is TU409; the cap
-- applies (TU409).
begin;
select plan(17);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 3) \gset
select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-slug') \gset

-- mum and dad linked (cap 2 full); mum revoked
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.revoke_guardian_link(:'mum_link', 'a mistake');

-- refused actors
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'the student cannot restore a link'
);
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'the revoked guardian cannot restore their link'
);
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'another guardian cannot restore a link'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'a stranger cannot restore a link'
);
select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'an admin of another organisation cannot restore a link'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'mum_link'),
  '42501', null, 'anon may not call it'
);
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown link is TU403, like an id the caller may not act on'
);
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'dad_link'),
  'TU409', null, 'restoring an active link is TU409'
);

-- staff restore mum
select is(
  (tutela.restore_guardian_link(:'mum_link')).status,
  'pending',
  'staff restore a link the student revoked: pending, for the student to approve'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select revoked_at, revoked_by, revoke_reason, revoked_as, activated_at
       from tutela.guardian_links where id = %L $$,
    :'mum_link'
  ),
  $$ values (null::timestamptz, null::uuid, null::text, null::text, null::timestamptz) $$,
  'the revocation is cleared; the link is not active yet'
);
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.approve_guardian_link(:'mum_link')).status,
  'active',
  'the student approves: the link is active'
);
select results_eq(
  format(
    $$ select actor_id, actor_role from tutela.link_events
       where action = 'link_restored' and link_id = %L $$,
    :'mum_link'
  ),
  format($$ values (%L::uuid, 'staff'::text) $$, :'staff'),
  'the restore is audited with the staff member as actor'
);

-- the cap: staff revoke dad, gran joins, then dad cannot be restored while two are linked
select tutela_tests.authenticate_as(:'staff');
select tutela.revoke_guardian_link(:'dad_link');
-- (the revocations withdrew the code its guardians had redeemed: the student makes a new one)
select tutela_tests.authenticate_as(:'kid');
select code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'gran');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as gran_link \gset
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'dad_link'),
  'TU409', null, 'restoring over the cap is TU409'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'dad_link'),
  'revoked',
  'the link over the cap stays revoked'
);

-- gran leaves: now the admin restores dad
select tutela_tests.authenticate_as(:'gran');
select tutela.revoke_guardian_link(:'gran_link');
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'gran_link'),
  'TU409', null, 'a guardian who left is not restored by staff (revoked_by_guardian)'
);
select is(
  (tutela.restore_guardian_link(:'dad_link')).status,
  'active',
  'an admin restores a revoked link once there is room'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.guardian_links
    where student_id = :'student' and status in ('active', 'pending')
  ),
  2::bigint,
  'the student has two guardians again'
);

select * from finish();
rollback;
