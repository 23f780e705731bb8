-- invite_guardian: nobody else invites. A guardian who is not primary, a pending or revoked
-- guardian, the student, a stranger and staff of another organisation get TU403; anon has no
-- grant (42501); an authenticated request without a user id is TU401.
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('aunt@example.test') as aunt \gset
select tutela_tests.create_user('ex@example.test') as ex \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-org') \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 10}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 3) \gset
-- mum is the primary guardian, dad an active non-primary one, ex a revoked one
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code');
select tutela_tests.authenticate_as(:'ex');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as ex_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');
select tutela.revoke_guardian_link(:'ex_link');
-- aunt's link waits for the student's approval
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select code as code2 from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'aunt');
select tutela.redeem_guardian_link_code(:'code2');

\set invite 'select tutela.invite_guardian(' :'student' '::uuid, ''new@example.test'')'

select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where guardian_id = :'aunt'),
  'pending',
  'setup: the aunt''s link is pending'
);

select tutela_tests.authenticate_as(:'dad');
select throws_ok(:'invite', 'TU403', null, 'an active guardian who is not primary: TU403');

select tutela_tests.authenticate_as(:'aunt');
select throws_ok(:'invite', 'TU403', null, 'a pending guardian: TU403');

select tutela_tests.authenticate_as(:'ex');
select throws_ok(:'invite', 'TU403', null, 'a revoked guardian: TU403');

select tutela_tests.authenticate_as(:'kid');
select throws_ok(:'invite', 'TU403', null, 'the student: TU403');

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(:'invite', 'TU403', null, 'a stranger: TU403');

select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(:'invite', 'TU403', null, 'an admin of another organisation: TU403');

select tutela_tests.as_anon();
select throws_ok(:'invite', '42501', null, 'anon may not call it');

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(:'invite', 'TU401', null, 'no user id in the token: TU401');

select tutela_tests.clear_authentication();
select is_empty(
  'select 1 from tutela.guardian_invites',
  'no refused call left an invite behind'
);

select * from finish();
rollback;
