-- list_guardians_for_notification: the service role only. Signed-in users (even staff and the
-- guardians themselves) and anon have no grant: 42501. The service role may call it with or
-- without JWT claims (a back-office job); the owner without them may not (TU403). An unknown
-- or missing permission is TU422.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');

\set list 'select * from tutela.list_guardians_for_notification(' :'student' '::uuid, ''grades'')'

select tutela_tests.authenticate_as(:'admin');
select throws_ok(:'list', '42501', null, 'an admin of the organisation: 42501');

select tutela_tests.authenticate_as(:'mum');
select throws_ok(:'list', '42501', null, 'a guardian of the student: 42501');

select tutela_tests.as_anon();
select throws_ok(:'list', '42501', null, 'anon: 42501');

select tutela_tests.as_service_role();
select is(
  (select count(*) from tutela.list_guardians_for_notification(:'student', 'grades')),
  1::bigint,
  'the service role may call it'
);
select throws_ok(
  format('select * from tutela.list_guardians_for_notification(%L, %L)', :'student', 'diary'),
  'TU422', null, 'an unknown permission: TU422'
);
select throws_ok(
  format('select * from tutela.list_guardians_for_notification(%L, null)', :'student'),
  'TU422', null, 'a missing permission: TU422'
);

-- a back-office session in role service_role, without any JWT claims
select tutela_tests.clear_authentication();
set local role service_role;
select lives_ok(:'list', 'the service role without JWT claims may call it');

-- the owner without the service role (e.g. a misconfigured job) is refused
select tutela_tests.clear_authentication();
select throws_ok(:'list', 'TU403', null, 'the owner, not acting as service role: TU403');

select * from finish();
rollback;
