-- Security review (issue 22, finding 1): a revocation holds against every other path that could
-- bring a link back. An invite sent before the revocation is withdrawn with it (and could not
-- be accepted anyway: TU409 revoked_after_decision). After the student's revocation, a later
-- staff invite, a primary guardian's invite and a staff restore bring the link back only as
-- pending, for the student to approve; a roster import is refused. After a staff revocation,
-- a primary guardian's invite is refused (TU409 revoked_by_school) and staff restore it; a
-- roster import is refused (revoked_by_school) unless the roster revoked it itself.
begin;
select plan(19);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('dad@a.test') as dad \gset
select tutela_tests.create_user('aunt@a.test') as aunt \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela.update_organization_settings(
  :'org', '{"max_guardians_per_student": 5, "roster_trusted": true}'
) is not null as t \gset
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.clear_authentication();
update tutela.students set sis_id = 'S1', user_id = :'kid' where id = :'student';

-- mum is primary (invited by staff), dad linked by staff's invite
select tutela_tests.authenticate_as(:'staff');
select token as mum_token from tutela.invite_guardian(:'student', 'mum@a.test') \gset
select token as dad_token from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.accept_guardian_invite(:'mum_token')).id as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.accept_guardian_invite(:'dad_token')).id as dad_link \gset
select tutela_tests.authenticate_as(:'staff');
select tutela.set_primary_guardian(:'mum_link') is not null as p \gset

-- ---------------------------------------------------------------------------------------------
-- an invite sent before the revocation
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'kid');
select tutela.revoke_guardian_link(:'dad_link') is not null as r \gset
-- staff invite aunt; before she accepts, she links by a code staff gave her
select tutela_tests.authenticate_as(:'staff');
select token as aunt_again from tutela.invite_guardian(:'student', 'aunt@a.test') \gset
select code as aunt_code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'aunt');
select (tutela.redeem_guardian_link_code(:'aunt_code') ->> 'id') as aunt_link \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.revoke_guardian_link(:'aunt_link') is not null as r \gset
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where email = 'aunt@a.test'),
  'withdrawn',
  'an invite to the guardian sent before the revocation is withdrawn with it'
);
select tutela_tests.authenticate_as(:'aunt');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'aunt_again'),
  'TU404', null, 'and cannot be accepted'
);
-- even if it were still pending, it predates the revocation
select tutela_tests.clear_authentication();
update
  tutela.guardian_invites set status = 'pending' where email = 'aunt@a.test'
and status = 'withdrawn';
select tutela_tests.authenticate_as(:'aunt');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'aunt_again'),
  'TU409', null, 'an invite older than the revocation is refused (revoked_after_decision)'
);

-- ---------------------------------------------------------------------------------------------
-- after the student's revocation: later decisions of others bring the link back pending
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'staff');
select token as dad_later from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'dad');
select is(
  (tutela.accept_guardian_invite(:'dad_later')).status,
  'pending',
  'a staff invite sent after the student revoked: the link comes back pending'
);
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.decline_guardian_link(:'dad_link')).status,
  'revoked',
  'the student declines it: revoked again, by the student'
);
select tutela_tests.authenticate_as(:'mum');
select token as coparent from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'dad');
select is(
  (tutela.accept_guardian_invite(:'coparent')).status,
  'pending',
  'a primary guardian''s invite after the student''s revocation: pending too'
);
select tutela_tests.authenticate_as(:'kid');
select tutela.decline_guardian_link(:'dad_link') is not null as d \gset
select tutela_tests.authenticate_as(:'staff');
select is(
  (tutela.restore_guardian_link(:'dad_link')).status,
  'pending',
  'a staff restore after the student''s revocation: pending'
);
select tutela_tests.authenticate_as(:'kid');
select tutela.decline_guardian_link(:'dad_link') is not null as d \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select status, revoked_as, is_primary from tutela.guardian_links where id = %L',
    :'dad_link'
  ),
  $$values ('revoked'::text, 'student'::text, false)$$,
  'the student''s decision stands'
);

-- a roster import cannot bring back a link the student ended
select tutela_tests.as_service_role();
select
  tutela.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test"}]'
  ) as r
\gset
select is(
  :'r'::jsonb -> 'errors' -> 0 ->> 'detail',
  'revoked_by_family',
  'a roster row for a link the student ended is refused'
);

-- ---------------------------------------------------------------------------------------------
-- after a staff revocation
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'staff');
select tutela.restore_guardian_link(:'dad_link') is not null as r \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.approve_guardian_link(:'dad_link') is not null as a \gset
select tutela_tests.authenticate_as(:'staff');
select tutela.revoke_guardian_link(:'dad_link', 'court order') is not null as r \gset
select tutela_tests.authenticate_as(:'mum');
select token as coparent2 from tutela.invite_guardian(:'student', 'dad@a.test') \gset
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'coparent2'),
  'TU409', null, 'after a staff revocation a primary guardian''s invite is refused'
);
select tutela_tests.as_service_role();
select
  tutela.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test"}]'
  ) as r
\gset
select is(
  :'r'::jsonb -> 'errors' -> 0 ->> 'detail',
  'revoked_by_school',
  'after a staff revocation a roster row is refused too'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'dad_link'),
  'revoked',
  'the staff revocation stands'
);
select tutela_tests.authenticate_as(:'admin');
select is(
  (tutela.restore_guardian_link(:'dad_link')).status,
  'active',
  'staff restore it: active'
);

-- ---------------------------------------------------------------------------------------------
-- the roster may undo its own revocation
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select
  tutela.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test", "status": "deleted"}]'
  ) as r
\gset
select tutela_tests.clear_authentication();
select results_eq(
  format('select status, revoked_as from tutela.guardian_links where id = %L', :'dad_link'),
  $$values ('revoked'::text, 'roster'::text)$$,
  'a roster deletion revokes as the roster'
);
select tutela_tests.authenticate_as(:'kid');
select code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'the student''s new code does not undo the school''s roster'
);
select tutela_tests.as_service_role();
select
  tutela.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test"}]'
  ) as r
\gset
select is(
  :'r'::jsonb -> 'counts' ->> 'create', '1', 'a later roster run lists him again: linked'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'dad_link'),
  'active',
  'the same link is active again'
);

-- anon and strangers cannot restore anything
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.restore_guardian_link(%L)', :'dad_link'),
  '42501', null, 'anon may not restore'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  3::bigint,
  'one row per guardian, restored in place'
);

select * from finish();
rollback;
