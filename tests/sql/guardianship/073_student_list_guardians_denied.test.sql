-- student_list_guardians: nobody but the student and the organisation's staff. A guardian (even
-- the primary one), another student, a stranger and staff of another organisation get TU403;
-- so does a user who is not a student calling it without an id. anon: 42501; no user id:
-- TU401; an unknown student id: TU403 (no probing of ids).
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('classmate@example.test') as classmate \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'other_admin');
select tutela.create_organization('Other', 'other-org');

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select tutela_tests.attach_student_login(
  (tutela.create_student(:'org', 'Classmate')).id, :'classmate'
);
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');

\set list 'select * from tutela.student_list_guardians(' :'student' '::uuid)'

select tutela_tests.authenticate_as(:'mum');
select throws_ok(:'list', 'TU403', null, 'the primary guardian: TU403');
select throws_ok(
  'select * from tutela.student_list_guardians()',
  'TU403', null, 'a guardian (not a student) calling without an id: TU403'
);

select tutela_tests.authenticate_as(:'classmate');
select throws_ok(:'list', 'TU403', null, 'another student of the organisation: TU403');

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(:'list', 'TU403', null, 'a stranger: TU403');
select throws_ok(
  'select * from tutela.student_list_guardians(null)',
  'TU403', null, 'a stranger calling with null: TU403'
);

select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(:'list', 'TU403', null, 'an admin of another organisation: TU403');

select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  'select * from tutela.student_list_guardians()',
  'TU403', null, 'staff calling without an id (they are not a student): TU403'
);
select throws_ok(
  format('select * from tutela.student_list_guardians(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student: TU403, like one the caller may not read'
);

select tutela_tests.as_anon();
select throws_ok(:'list', '42501', null, 'anon may not call it');

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(:'list', 'TU401', null, 'no user id: TU401');

select * from finish();
rollback;
