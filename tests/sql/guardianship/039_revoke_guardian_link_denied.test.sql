-- revoke_guardian_link refusals: another guardian of the same student, a stranger, staff and
-- admins of another organisation get TU403, anon 42501; an unknown link is TU403; a revoked
-- link is TU409 (also for its own guardian); a reason over 500 characters is TU422.
begin;
select plan(12);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('other-staff@example.test') as other_staff \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-slug') \gset
select tutela_tests.add_member(:'other_org', :'other_staff', 'staff');

select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as dad_link \gset

-- dad is an active guardian of the same student, but mum's link is not his
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'another guardian of the same student cannot revoke the link'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'a stranger cannot revoke a link'
);
select tutela_tests.authenticate_as(:'other_staff');
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'staff of another organisation cannot revoke a link'
);
select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  'TU403', null, 'an admin of another organisation cannot revoke a link'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  '42501', null, 'anon may not call it'
);
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown link is TU403, like an id the caller may not act on'
);
select throws_ok(
  format('select tutela.revoke_guardian_link(%L, repeat(%L, 501))', :'mum_link', 'x'),
  'TU422', null, 'a reason over 500 characters is TU422'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'mum_link'),
  'active',
  'after the refusals the link is still active'
);
select is_empty(
  $$ select 1 from tutela.link_events where action = 'link_revoked' $$,
  'no refusal was audited as a revocation'
);

-- revoked twice
select tutela_tests.authenticate_as(:'kid');
select lives_ok(
  format('select tutela.revoke_guardian_link(%L, repeat(%L, 500))', :'mum_link', 'x'),
  'a reason of 500 characters is accepted'
);
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  'TU409', null, 'revoking a revoked link is TU409'
);
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.revoke_guardian_link(%L)', :'mum_link'),
  'TU409', null, 'the revoked guardian revoking again is TU409'
);

select * from finish();
rollback;
