-- withdraw_guardian_invite: nobody but the inviter and the organisation's staff. The student,
-- the invitee, a primary guardian who did not send it, another guardian, a stranger and staff
-- of another organisation get TU403; anon has no grant (42501). The invite stays pending.
begin;
select plan(9);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('other-admin@example.test') as other_admin \gset
select tests.create_user('kid@example.test') as kid \gset
select tests.create_user('mum@example.test') as mum \gset
select tests.create_user('dad@example.test') as dad \gset
select tests.create_user('gran@example.test') as gran \gset
select tests.create_user('stranger@example.test') as stranger \gset

select tests.authenticate_as(:'other_admin');
select public.create_organization('Other', 'other-org');

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select public.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from public.create_student(:'org', 'Kid') \gset
select tests.attach_student_login(:'student', :'kid');
select code from public.create_guardian_link_code(:'student', 2) \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tests.authenticate_as(:'dad');
select public.redeem_guardian_link_code(:'code');
select tests.authenticate_as(:'admin');
select public.set_primary_guardian(:'mum_link');
select invite_id from public.invite_guardian(:'student', 'gran@example.test') \gset

\set withdraw 'select public.withdraw_guardian_invite(' :'invite_id' ')'

select tests.authenticate_as(:'kid');
select throws_ok(:'withdraw', 'TU403', null, 'the student: TU403');

select tests.authenticate_as(:'gran');
select throws_ok(:'withdraw', 'TU403', null, 'the invitee: TU403');

select tests.authenticate_as(:'mum');
select throws_ok(:'withdraw', 'TU403', null, 'a primary guardian who did not send it: TU403');

select tests.authenticate_as(:'dad');
select throws_ok(:'withdraw', 'TU403', null, 'another guardian: TU403');

select tests.authenticate_as(:'stranger');
select throws_ok(:'withdraw', 'TU403', null, 'a stranger: TU403');

select tests.authenticate_as(:'other_admin');
select throws_ok(:'withdraw', 'TU403', null, 'an admin of another organisation: TU403');

select tests.as_anon();
select throws_ok(:'withdraw', '42501', null, 'anon may not call it');

select tests.clear_authentication();
set local role authenticated;
select throws_ok(:'withdraw', 'TU401', null, 'no user id in the token: TU401');

select tests.clear_authentication();
select is(
  (select status from public.guardian_invites where id = :'invite_id'),
  'pending',
  'the invite is still pending'
);

select * from finish();
rollback;
