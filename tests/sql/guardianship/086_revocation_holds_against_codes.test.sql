-- Security review (issue 22, finding 1): a revocation holds against link codes. A code made
-- before the revocation never brings the link back, whoever redeems it; revoking withdraws the
-- codes the revoked guardian redeemed (a second account of theirs cannot use them either).
-- Only a later decision by someone who may overrule the revocation brings the link back: after
-- the student's revocation any later code, but only as pending, for the student to approve;
-- after a staff revocation, a new code of the student is refused (TU409 revoked_by_school);
-- after the guardian's own revocation any new code works.
begin;
select plan(22);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('mum-two@a.test') as mum_two \gset
select tutela_tests.create_user('dad@a.test') as dad \gset
select tutela_tests.create_user('gran@a.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select
  tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}')
  is not null as t
\gset
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');

-- ---------------------------------------------------------------------------------------------
-- the reported path: a multi-use code, redeemed, revoked by the student, redeemed again
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'kid');
select code as kid_code from tutela.create_guardian_link_code(null, 5) \gset
select tutela_tests.authenticate_as(:'staff');
select code as pre_code from tutela.create_guardian_link_code(:'student', 5) \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'kid_code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'kid');
select (tutela.revoke_guardian_link(:'mum_link', 'not any more')).status as s \gset

select tutela_tests.authenticate_as(:'mum');
select is(
  tutela.redeem_guardian_link_code(:'kid_code') ->> 'code',
  'TU404',
  'the revoked guardian redeems the same code again: refused (the code was withdrawn)'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'mum_link'),
  'revoked',
  'the link stays revoked'
);
select isnt(
  (
    select withdrawn_at from tutela_private.guardian_link_codes
    where student_id = :'student' and created_by = :'kid'
  ),
  null,
  'revoking withdrew the code the guardian had redeemed'
);
select tutela_tests.authenticate_as(:'mum_two');
select is(
  tutela.redeem_guardian_link_code(:'kid_code') ->> 'code',
  'TU404',
  'a second account of the revoked guardian cannot use that code either'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where guardian_id = :'mum_two'),
  0::bigint,
  'no link was made for the second account'
);

-- a staff code made before the revocation, never redeemed by mum: still refused for mum
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'pre_code'),
  'TU409', null,
  'a code made before the revocation is refused for the revoked guardian (revoked_after_decision)'
);
select tutela_tests.authenticate_as(:'staff');
select code as old_staff_code from tutela.create_guardian_link_code(:'student', 5) \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'old_staff_code') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset
select tutela_tests.authenticate_as(:'staff');
select code as staff_code_b from tutela.create_guardian_link_code(:'student', 5) \gset
select tutela_tests.authenticate_as(:'kid');
select code as kid_code_b from tutela.create_guardian_link_code(null, 5) \gset
select tutela_tests.authenticate_as(:'mum');
select is(
  tutela.redeem_guardian_link_code(:'old_staff_code') ->> 'code',
  'TU404',
  'the code dad redeemed was withdrawn with his revocation, for everyone'
);

-- ---------------------------------------------------------------------------------------------
-- after the student's revocation: the student's new code works, staff's only as pending
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'mum');
select is(
  tutela.redeem_guardian_link_code(:'kid_code_b') ->> 'status',
  'pending',
  'even the student''s own later code brings a guardian they removed back only as pending'
);
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.approve_guardian_link(:'mum_link')).status,
  'active',
  'the student approves: active (the veto is lifted by the student alone)'
);
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'kid_code_b'),
  'TU409', null, 'redeeming again once linked is refused (already_linked)'
);
select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'staff_code_b') ->> 'status',
  'pending',
  'staff''s code made after the student''s revocation brings the link back only as pending'
);
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.approve_guardian_link(:'dad_link')).status,
  'active',
  'the student approves: active'
);

-- ---------------------------------------------------------------------------------------------
-- after a staff revocation: the student cannot undo it with a new code
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'staff');
select tutela.revoke_guardian_link(:'dad_link', 'court order') is not null as r \gset
select tutela_tests.authenticate_as(:'kid');
select code as kid_code_c from tutela.create_guardian_link_code(null, 5) \gset
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'kid_code_c'),
  'TU409', null,
  'after a staff revocation, the student''s new code is refused (revoked_by_school)'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select status, revoked_as from tutela.guardian_links where id = %L', :'dad_link'),
  $$values ('revoked'::text, 'staff'::text)$$,
  'the link stays revoked, by staff'
);
select tutela_tests.authenticate_as(:'staff');
select code as staff_code_c from tutela.create_guardian_link_code(:'student', 5) \gset
select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'staff_code_c') ->> 'status',
  'active',
  'a code staff made after their revocation links him again'
);

-- ---------------------------------------------------------------------------------------------
-- after the guardian's own revocation: any later code
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'gran');
select (tutela.redeem_guardian_link_code(:'kid_code_c') ->> 'id') as gran_link \gset
select tutela.revoke_guardian_link(:'gran_link', 'stepping back') is not null as r \gset
select tutela_tests.authenticate_as(:'kid');
select code as kid_code_d from tutela.create_guardian_link_code(null, 5) \gset
select tutela_tests.authenticate_as(:'gran');
select is(
  tutela.redeem_guardian_link_code(:'kid_code_d') ->> 'status',
  'active',
  'a guardian who left comes back with any later code'
);

-- ---------------------------------------------------------------------------------------------
-- a code of staff who left the organisation no longer links anyone
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'staff');
select code as leaver_code from tutela.create_guardian_link_code(:'student', 5) \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.remove_organization_member(:'org', :'staff') is null as removed \gset
select tutela_tests.create_user('uncle@a.test') as uncle \gset
select tutela_tests.authenticate_as(:'uncle');
select is(
  tutela.redeem_guardian_link_code(:'leaver_code') ->> 'code',
  'TU404',
  'a code made by staff who have left is no longer valid'
);

-- the history: each revocation names the role that made it; the links by role
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select guardian_id, status from tutela.guardian_links where student_id = %L
      order by guardian_id = %L desc, guardian_id = %L desc, guardian_id = %L desc$$,
    :'student', :'mum', :'dad', :'gran'
  ),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'mum', 'active', :'dad', 'active', :'gran', 'active'
  ),
  'every link that came back came back by a later decision'
);
select is(
  (
    select count(*) from tutela.link_events
    where student_id = :'student' and action = 'code_withdrawn'
  ),
  4::bigint,
  'each code a revoked guardian had redeemed is withdrawn, audited (four revocations)'
);
select results_eq(
  format(
    $$select new_values ->> 'decided_by_role' from tutela.link_events
      where action = 'link_restored' and link_id = %L order by id$$,
    :'dad_link'
  ),
  $$values ('staff'::text), ('staff')$$,
  'a link brought back records whose decision it was'
);

-- the same holds through the API roles only: anon cannot redeem at all
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'kid_code_d'),
  '42501', null, 'anon may not redeem'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  3::bigint,
  'no refused redemption made a link'
);

select * from finish();
rollback;
