-- withdraw_guardian_invite: nobody but the inviter and the organisation's staff. The student,
-- the invitee, a primary guardian who did not send it, another guardian, a stranger and staff
-- of another organisation get TU403; anon has no grant (42501). The invite stays pending.
begin;
select plan(9);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'other_admin');
select tutela.create_organization('Other', 'other-org');

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code');
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');
select invite_id from tutela.invite_guardian(:'student', 'gran@example.test') \gset

\set withdraw 'select tutela.withdraw_guardian_invite(' :'invite_id' ')'

select tutela_tests.authenticate_as(:'kid');
select throws_ok(:'withdraw', 'TU403', null, 'the student: TU403');

select tutela_tests.authenticate_as(:'gran');
select throws_ok(:'withdraw', 'TU403', null, 'the invitee: TU403');

select tutela_tests.authenticate_as(:'mum');
select throws_ok(:'withdraw', 'TU403', null, 'a primary guardian who did not send it: TU403');

select tutela_tests.authenticate_as(:'dad');
select throws_ok(:'withdraw', 'TU403', null, 'another guardian: TU403');

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(:'withdraw', 'TU403', null, 'a stranger: TU403');

select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(:'withdraw', 'TU403', null, 'an admin of another organisation: TU403');

select tutela_tests.as_anon();
select throws_ok(:'withdraw', '42501', null, 'anon may not call it');

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(:'withdraw', 'TU401', null, 'no user id in the token: TU401');

select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where id = :'invite_id'),
  'pending',
  'the invite is still pending'
);

select * from finish();
rollback;
