-- Security review (issue 22, finding 1): a revocation holds against every other path that could
-- bring a link back. An invite sent before the revocation is withdrawn with it (and could not
-- be accepted anyway: TU409 revoked_after_decision). After the student's revocation, a later
-- staff invite, a primary guardian's invite and a staff restore bring the link back only as
-- pending, for the student to approve; a roster import is refused. After a staff revocation,
-- a primary guardian's invite is refused (TU409 revoked_by_school) and staff restore it; a
-- roster import is refused (revoked_by_school) unless the roster revoked it itself.
begin;
select plan(19);

select tests.create_user('admin@a.test') as admin \gset
select tests.create_user('staff@a.test') as staff \gset
select tests.create_user('kid@a.test') as kid \gset
select tests.create_user('mum@a.test') as mum \gset
select tests.create_user('dad@a.test') as dad \gset
select tests.create_user('aunt@a.test') as aunt \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Alpha School', 'alpha-school') \gset
select public.update_organization_settings(
  :'org', '{"max_guardians_per_student": 5, "roster_trusted": true}'
) is not null as t \gset
select tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select id as student from public.create_student(:'org', 'Kid') \gset
select tests.clear_authentication();
update public.students set sis_id = 'S1', user_id = :'kid' where id = :'student';

-- mum is primary (invited by staff), dad linked by staff's invite
select tests.authenticate_as(:'staff');
select token as mum_token from public.invite_guardian(:'student', 'mum@a.test') \gset
select token as dad_token from public.invite_guardian(:'student', 'dad@a.test') \gset
select tests.authenticate_as(:'mum');
select (public.accept_guardian_invite(:'mum_token')).id as mum_link \gset
select tests.authenticate_as(:'dad');
select (public.accept_guardian_invite(:'dad_token')).id as dad_link \gset
select tests.authenticate_as(:'staff');
select public.set_primary_guardian(:'mum_link') is not null as p \gset

-- ---------------------------------------------------------------------------------------------
-- an invite sent before the revocation
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'kid');
select public.revoke_guardian_link(:'dad_link') is not null as r \gset
-- staff invite aunt; before she accepts, she links by a code staff gave her
select tests.authenticate_as(:'staff');
select token as aunt_again from public.invite_guardian(:'student', 'aunt@a.test') \gset
select code as aunt_code from public.create_guardian_link_code(:'student') \gset
select tests.authenticate_as(:'aunt');
select (public.redeem_guardian_link_code(:'aunt_code') ->> 'id') as aunt_link \gset
select tests.authenticate_as(:'kid');
select public.revoke_guardian_link(:'aunt_link') is not null as r \gset
select tests.clear_authentication();
select is(
  (select status from public.guardian_invites where email = 'aunt@a.test'),
  'withdrawn',
  'an invite to the guardian sent before the revocation is withdrawn with it'
);
select tests.authenticate_as(:'aunt');
select throws_ok(
  format('select public.accept_guardian_invite(%L)', :'aunt_again'),
  'TU404', null, 'and cannot be accepted'
);
-- even if it were still pending, it predates the revocation
select tests.clear_authentication();
update
  public.guardian_invites set status = 'pending' where email = 'aunt@a.test'
and status = 'withdrawn';
select tests.authenticate_as(:'aunt');
select throws_ok(
  format('select public.accept_guardian_invite(%L)', :'aunt_again'),
  'TU409', null, 'an invite older than the revocation is refused (revoked_after_decision)'
);

-- ---------------------------------------------------------------------------------------------
-- after the student's revocation: later decisions of others bring the link back pending
-- ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'staff');
select token as dad_later from public.invite_guardian(:'student', 'dad@a.test') \gset
select tests.authenticate_as(:'dad');
select is(
  (public.accept_guardian_invite(:'dad_later')).status,
  'pending',
  'a staff invite sent after the student revoked: the link comes back pending'
);
select tests.authenticate_as(:'kid');
select is(
  (public.decline_guardian_link(:'dad_link')).status,
  'revoked',
  'the student declines it: revoked again, by the student'
);
select tests.authenticate_as(:'mum');
select token as coparent from public.invite_guardian(:'student', 'dad@a.test') \gset
select tests.authenticate_as(:'dad');
select is(
  (public.accept_guardian_invite(:'coparent')).status,
  'pending',
  'a primary guardian''s invite after the student''s revocation: pending too'
);
select tests.authenticate_as(:'kid');
select public.decline_guardian_link(:'dad_link') is not null as d \gset
select tests.authenticate_as(:'staff');
select is(
  (public.restore_guardian_link(:'dad_link')).status,
  'pending',
  'a staff restore after the student''s revocation: pending'
);
select tests.authenticate_as(:'kid');
select public.decline_guardian_link(:'dad_link') is not null as d \gset
select tests.clear_authentication();
select results_eq(
  format(
    'select status, revoked_as, is_primary from public.guardian_links where id = %L',
    :'dad_link'
  ),
  $$values ('revoked'::text, 'student'::text, false)$$,
  'the student''s decision stands'
);

-- a roster import cannot bring back a link the student ended
select tests.as_service_role();
select
  public.import_roster(
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
select tests.authenticate_as(:'staff');
select public.restore_guardian_link(:'dad_link') is not null as r \gset
select tests.authenticate_as(:'kid');
select public.approve_guardian_link(:'dad_link') is not null as a \gset
select tests.authenticate_as(:'staff');
select public.revoke_guardian_link(:'dad_link', 'court order') is not null as r \gset
select tests.authenticate_as(:'mum');
select token as coparent2 from public.invite_guardian(:'student', 'dad@a.test') \gset
select tests.authenticate_as(:'dad');
select throws_ok(
  format('select public.accept_guardian_invite(%L)', :'coparent2'),
  'TU409', null, 'after a staff revocation a primary guardian''s invite is refused'
);
select tests.as_service_role();
select
  public.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test"}]'
  ) as r
\gset
select is(
  :'r'::jsonb -> 'errors' -> 0 ->> 'detail',
  'revoked_by_school',
  'after a staff revocation a roster row is refused too'
);
select tests.clear_authentication();
select is(
  (select status from public.guardian_links where id = :'dad_link'),
  'revoked',
  'the staff revocation stands'
);
select tests.authenticate_as(:'admin');
select is(
  (public.restore_guardian_link(:'dad_link')).status,
  'active',
  'staff restore it: active'
);

-- ---------------------------------------------------------------------------------------------
-- the roster may undo its own revocation
-- ---------------------------------------------------------------------------------------------
select tests.as_service_role();
select
  public.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test", "status": "deleted"}]'
  ) as r
\gset
select tests.clear_authentication();
select results_eq(
  format('select status, revoked_as from public.guardian_links where id = %L', :'dad_link'),
  $$values ('revoked'::text, 'roster'::text)$$,
  'a roster deletion revokes as the roster'
);
select tests.authenticate_as(:'kid');
select code from public.create_guardian_link_code() \gset
select tests.authenticate_as(:'dad');
select throws_ok(
  format('select public.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'the student''s new code does not undo the school''s roster'
);
select tests.as_service_role();
select
  public.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "dad@a.test"}]'
  ) as r
\gset
select is(
  :'r'::jsonb -> 'counts' ->> 'create', '1', 'a later roster run lists him again: linked'
);
select tests.clear_authentication();
select is(
  (select status from public.guardian_links where id = :'dad_link'),
  'active',
  'the same link is active again'
);

-- anon and strangers cannot restore anything
select tests.as_anon();
select throws_ok(
  format('select public.restore_guardian_link(%L)', :'dad_link'),
  '42501', null, 'anon may not restore'
);
select tests.clear_authentication();
select is(
  (select count(*) from public.guardian_links where student_id = :'student'),
  3::bigint,
  'one row per guardian, restored in place'
);

select * from finish();
rollback;
