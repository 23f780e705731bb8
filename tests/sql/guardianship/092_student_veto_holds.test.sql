-- A guardian the student removed comes back only with the student's approval, whatever happens
-- to the link in between (review of the first security fix: a second revocation of the pending
-- link used to replace the student's and let the next decision make it active). Three ways that
-- were tried: the primary guardian invites, revokes the pending link and invites again; the
-- guardian revokes their own pending link, then staff make a code for them; staff restore,
-- revoke the pending link and restore again. Each ends pending; the student's approval makes it
-- active and lifts the veto.
begin;
select plan(9);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('dad@a.test') as dad \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select
  tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}') is not null
    as t
\gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select token as mum_token from tutela.invite_guardian(:'student', 'mum@a.test') \gset
select token as dad_token from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.accept_guardian_invite(:'mum_token')).id as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.accept_guardian_invite(:'dad_token')).id as dad_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link') is not null as p \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset

-- way 1: the primary guardian invites, revokes the pending link, invites again
select tutela_tests.authenticate_as(:'mum');
select token as t1 from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.accept_guardian_invite(:'t1') is not null as a \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset
select token as t2 from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'dad');
select is(
  (tutela.accept_guardian_invite(:'t2')).status,
  'pending',
  'way 1: still pending after the primary guardian''s revoke-and-invite'
);

-- way 2: the guardian revokes their own pending link, then staff make a code
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'dad_link'),
  'TU409', null, 'way 2: a link its guardian ended is not restored by staff'
);
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status',
  'pending',
  'way 2: a later staff code brings it back pending'
);

-- way 3: staff restore, revoke the pending link, restore again
select tutela_tests.authenticate_as(:'admin');
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset
select is(
  (tutela.restore_guardian_link(:'dad_link')).status, 'pending', 'way 3: a restore: pending'
);
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset
select is(
  (tutela.restore_guardian_link(:'dad_link')).status,
  'pending',
  'way 3: revoked again by staff and restored again: still pending'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select status, student_veto from tutela.guardian_links where id = %L', :'dad_link'),
  $$values ('pending'::text, true)$$,
  'the student''s veto stands through all of it'
);
select tutela_tests.authenticate_as(:'dad');
select is_empty(
  format('select 1 from tutela.students where id = %L', :'student'),
  'the guardian still reads nothing of the child'
);

-- the student decides
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.approve_guardian_link(:'dad_link')).status, 'active', 'the student approves: active'
);
select tutela_tests.clear_authentication();
select is(
  (select student_veto from tutela.guardian_links where id = :'dad_link'),
  false,
  'the approval lifts the veto'
);

select * from finish();
rollback;
