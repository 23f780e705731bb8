-- Resending an invite whose email died (issue 27): resend_guardian_invite,
-- resend_student_invite and resend_organization_invite re-issue a pending, unexpired invite
-- (a new token by email; the old token stops working; what was still queued is cancelled,
-- 'reissued'). Who may, as the invite functions: guardian invites, admins and (where the
-- policy lets staff invite) staff; student invites, staff and admins; membership invites,
-- admins. Denied: anon (42501), a stranger, a guardian, staff of another organisation, staff
-- where only admins invite (TU403, the same as an unknown id). Not pending or expired: TU409.
begin;
select plan(16);

select tutela_tests.create_user('admin-093@ntf.test') as u_admin \gset
select tutela_tests.create_user('staff-093@ntf.test') as u_staff \gset
select tutela_tests.create_user('other-093@ntf.test') as u_other \gset
select tutela_tests.create_user('mum-093@ntf.test') as u_mum \gset
select tutela_tests.create_user('nobody-093@ntf.test') as u_nobody \gset
insert into tutela.organizations (name, slug) values ('Ntf 093', 'ntf-093') returning id as org
\gset
insert into tutela.organizations (name, slug) values ('Other 093', 'other-093')
returning id as org2 \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'org2', :'u_other', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_admin');
select
  invite_id as g_inv,
  token as g_old
from tutela.invite_guardian(:'sam', 'gran-093@ntf.test')
\gset
select
  student_id as kid,
  token as s_old
from tutela.invite_student(:'org', 'Kid', 'kid-093@ntf.test') \gset
select
  invite_id as m_inv,
  token as m_old
from tutela.invite_organization_member(:'org', 'new-093@ntf.test') \gset
select tutela_tests.clear_authentication();
select id as s_inv from tutela.student_invites where student_id = :'kid' \gset
-- the outage of old: every invite email dead, its token gone
update tutela_private.notification_outbox set status = 'dead', payload = payload - 'token';

-- denied
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.resend_guardian_invite(%L)', :'g_inv'), '42501', null,
  'anon: guardian invite'
);
select tutela_tests.authenticate_as(:'u_nobody');
select throws_ok(
  format('select tutela.resend_guardian_invite(%L)', :'g_inv'), 'TU403', null,
  'a stranger'
);
select throws_ok(
  format('select tutela.resend_guardian_invite(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown id: the same refusal'
);
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format('select tutela.resend_guardian_invite(%L)', :'g_inv'), 'TU403', null,
  'a guardian of the student'
);
select tutela_tests.authenticate_as(:'u_other');
select throws_ok(
  format('select tutela.resend_student_invite(%L)', :'s_inv'), 'TU403', null,
  'an admin of another organisation: student invite'
);
select throws_ok(
  format('select tutela.resend_organization_invite(%L)', :'m_inv'), 'TU403',
  null, 'an admin of another organisation: membership invite'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format('select tutela.resend_organization_invite(%L)', :'m_inv'), 'TU403',
  null, 'staff cannot resend a membership invite'
);
select tutela_tests.clear_authentication();
update tutela.organizations set guardian_invite_policy = 'admins' where id = :'org';
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format('select tutela.resend_guardian_invite(%L)', :'g_inv'), 'TU403', null,
  'staff, where only admins invite guardians'
);
select tutela_tests.clear_authentication();
update tutela.organizations set guardian_invite_policy = 'staff' where id = :'org';
select is(
  (select count(*)::integer from tutela_private.notification_outbox where status = 'pending'), 0,
  'the refusals queued nothing'
);

-- allowed
select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  format('select invite_id from tutela.resend_guardian_invite(%L)', :'g_inv'),
  format('values (%L::uuid)', :'g_inv'), 'staff resend a guardian invite'
);
select results_eq(
  format('select invite_id from tutela.resend_student_invite(%L)', :'s_inv'),
  format('values (%L::uuid)', :'s_inv'), 'staff resend a student invite'
);
select tutela_tests.authenticate_as(:'u_admin');
select results_eq(
  format('select invite_id from tutela.resend_organization_invite(%L)', :'m_inv'),
  format('values (%L::uuid)', :'m_inv'), 'an admin resends a membership invite'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select kind, count(*)::integer, bool_and(payload ? 'token')
     from tutela_private.notification_outbox
     where status = 'pending' group by kind order by kind $$,
  $$ values ('guardian_invite'::text, 1, true), ('member_invite', 1, true),
     ('student_invite', 1, true) $$,
  'one new email per invite, with a token'
);
select ok(
  (
    select token_hash <> tutela_private.hash_secret(:'g_old') from tutela.guardian_invites
    where id = :'g_inv'
  )
  and (
    select token_hash <> tutela_private.hash_secret(:'s_old') from tutela.student_invites
    where id = :'s_inv'
  )
  and (
    select token_hash <> tutela_private.hash_secret(:'m_old') from tutela.membership_invites
    where id = :'m_inv'
  ),
  'the old tokens no longer work'
);

-- not pending, expired
update tutela.guardian_invites set expires_at = now() - interval '1 second' where id = :'g_inv';
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok(
  format('select tutela.resend_guardian_invite(%L)', :'g_inv'), 'TU409', null,
  'an expired invite: send a new one'
);
select tutela.withdraw_organization_invite(:'m_inv');
select throws_ok(
  format('select tutela.resend_organization_invite(%L)', :'m_inv'), 'TU409',
  null, 'a withdrawn invite'
);

select * from finish();
rollback;
