-- The mail the first security review added is re-checked when it is sent, like every other:
-- a membership invite only while it can be accepted (withdrawn: 'invite_withdrawn'; expired:
-- 'invite_expired'; its sender no longer an admin: 'inviter_not_allowed'); "you were linked to
-- <child>" (guardian_linked, from a trusting roster) only while that link is active
-- ('link_revoked'); "you were added" (member_added) only while the membership exists
-- ('membership_gone'). Valid ones are claimed, with the token of an invite.
begin;
select plan(4);

select tutela_tests.create_user('admin-085@ntf.test') as u_admin \gset
select tutela_tests.create_user('deputy-085@ntf.test') as u_deputy \gset
select tutela_tests.create_user('mum-085@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-085@ntf.test') as u_dad \gset
select tutela_tests.create_user('t1-085@ntf.test') as u_t1 \gset
select tutela_tests.create_user('t2-085@ntf.test') as u_t2 \gset
insert into tutela.organizations (name, slug, roster_trusted, max_guardians_per_student)
values ('Ntf 085', 'ntf-085', true, 5) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_deputy', 'admin');
insert into tutela.students (organization_id, display_name, sis_id)
values (:'org', 'Sam', 'S1') returning id as sam \gset

-- membership invites: withdrawn, expired, from a demoted admin, valid
select tutela_tests.authenticate_as(:'u_admin');
select invite_id as withdrawn from tutela.invite_organization_member(:'org', 'w-085@ntf.test')
\gset
select tutela.withdraw_organization_invite(:'withdrawn') is not null as w \gset
select invite_id as expired from tutela.invite_organization_member(:'org', 'e-085@ntf.test')
\gset
select invite_id as valid from tutela.invite_organization_member(:'org', 'v-085@ntf.test')
\gset
select tutela_tests.authenticate_as(:'u_deputy');
select invite_id as demoted from tutela.invite_organization_member(:'org', 'd-085@ntf.test')
\gset
select tutela_tests.authenticate_as(:'u_admin');
select tutela.add_organization_member(:'org', :'u_deputy', 'staff') is not null as d \gset
select tutela_tests.clear_authentication();
update tutela.membership_invites set expires_at = now() - interval '1 minute'
where id = :'expired';

-- a trusting roster links mum and dad and adds t1 and t2; dad is revoked, t2 removed
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum-085@ntf.test"},
  {"student": "S1", "guardian_email": "dad-085@ntf.test"}
]$$) is not null as r \gset
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "t1-085@ntf.test"}, {"email": "t2-085@ntf.test"}
]$$) is not null as r \gset
select tutela_tests.authenticate_as(:'u_admin');
select tutela.revoke_guardian_link(l.id) is not null as r
from tutela.guardian_links as l where l.guardian_id = :'u_dad' \gset
select tutela.remove_organization_member(:'org', :'u_t2') is null as r \gset

select tutela_tests.as_service_role();
select results_eq(
  $$select coalesce(recipient_email, '') || ':' || template
    from tutela.claim_notifications(100, 300) order by 1$$,
  $$values ('mum-085@ntf.test:guardian_linked'::text), ('t1-085@ntf.test:member_added'),
    ('v-085@ntf.test:member_invite')$$,
  'only the mail that still holds is handed out'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$select coalesce(recipient_email, (select u.email::text from auth.users as u
        where u.id = recipient_user_id)), kind, cancel_reason
    from tutela_private.notification_outbox where status = 'cancelled' order by 1$$,
  $$values ('d-085@ntf.test'::text, 'member_invite'::text, 'inviter_not_allowed'::text),
    ('dad-085@ntf.test', 'guardian_linked', 'link_revoked'),
    ('e-085@ntf.test', 'member_invite', 'invite_expired'),
    ('t2-085@ntf.test', 'member_added', 'membership_gone'),
    ('w-085@ntf.test', 'member_invite', 'invite_withdrawn')$$,
  'the rest is cancelled, each with its reason'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where status = 'cancelled' and payload ? 'token'
  ),
  0,
  'no cancelled invite keeps its token'
);
select is(
  (
    select payload ->> 'invite_id' from tutela_private.notification_outbox
    where kind = 'member_invite' and status = 'sending'
  ),
  :'valid'::text,
  'the valid membership invite goes, with its token'
);

select * from finish();
rollback;
