-- guardian_list_children(): a caller sees only their own children. A stranger, staff and the
-- student get no rows; anon has no grant (42501); no user id is TU401.
begin;
select plan(6);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select id as student2 from tutela.create_student(:'org', 'Sibling') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select code as code2 from tutela.create_guardian_link_code(:'student2') \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code2');

select tutela_tests.authenticate_as(:'mum');
select results_eq(
  'select student_id from tutela.guardian_list_children()',
  format('values (%L::uuid)', :'student'),
  'a guardian sees their own child, not another guardian''s'
);

select tutela_tests.authenticate_as(:'stranger');
select is_empty('select * from tutela.guardian_list_children()', 'a stranger sees nothing');

select tutela_tests.authenticate_as(:'admin');
select is_empty(
  'select * from tutela.guardian_list_children()',
  'staff are not guardians: nothing'
);

select tutela_tests.authenticate_as(:'kid');
select is_empty('select * from tutela.guardian_list_children()', 'the student sees nothing');

select tutela_tests.as_anon();
select throws_ok(
  'select * from tutela.guardian_list_children()', '42501', null, 'anon may not call it'
);

select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  'select * from tutela.guardian_list_children()', 'TU401', null, 'no user id: TU401'
);

select * from finish();
rollback;
