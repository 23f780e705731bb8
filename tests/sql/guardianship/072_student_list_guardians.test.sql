-- student_list_guardians(p_student_id default null): the student (null: their own record) and
-- the staff and admins of the organisation see every link of the student, whatever its
-- status, with the guardian's name and email.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test', '{"display_name": "Mum Smith"}') as mum \gset
select tutela_tests.create_user('dad@example.test', '{"display_name": "Dad Smith"}') as dad \gset
select tutela_tests.create_user('aunt@example.test', '{"display_name": "Aunt May"}') as aunt \gset
select tutela_tests.create_user('ex@example.test', '{"display_name": "Ex"}') as ex \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select id as sibling from tutela.create_student(:'org', 'Sibling') \gset
select code from tutela.create_guardian_link_code(:'student', 3) \gset
select code as sibling_code from tutela.create_guardian_link_code(:'sibling') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code', 'mother') ->> 'id') as mum_link \gset
select tutela.redeem_guardian_link_code(:'sibling_code', 'mother');
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code', 'father') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'ex');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as ex_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');
select tutela.revoke_guardian_link(:'ex_link', 'moved away');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select code as aunt_code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'aunt');
select (tutela.redeem_guardian_link_code(:'aunt_code', 'other') ->> 'id') as aunt_link \gset

select $$ values ('Mum Smith', 'mum@example.test', 'mother', true, 'active'),
  ('Dad Smith', 'dad@example.test', 'father', false, 'active'),
  ('Aunt May', 'aunt@example.test', 'other', false, 'pending'),
  ('Ex', 'ex@example.test', 'guardian', false, 'revoked') $$ as expected \gset
\set columns 'select name, email, relation, is_primary, status from tutela.student_list_guardians'

select tutela_tests.authenticate_as(:'kid');
select results_eq(
  :'columns' || '()',
  :'expected',
  'the student (no argument) sees all their links, primary first, with names and emails'
);
select results_eq(
  format('%s(%L)', :'columns', :'student'),
  :'expected',
  'the student passing their own id sees the same'
);

select tutela_tests.authenticate_as(:'staff');
select results_eq(
  format('%s(%L)', :'columns', :'student'),
  :'expected',
  'staff of the organisation see all links'
);

select tutela_tests.authenticate_as(:'admin');
select results_eq(
  format('%s(%L)', :'columns', :'student'),
  :'expected',
  'an admin of the organisation sees all links'
);
select results_eq(
  format(
    'select link_id, guardian_id from tutela.student_list_guardians(%L)', :'student'
  ),
  format(
    $$ values (%L::uuid, %L::uuid), (%L, %L), (%L, %L), (%L, %L) $$,
    :'mum_link', :'mum', :'dad_link', :'dad', :'aunt_link', :'aunt', :'ex_link', :'ex'
  ),
  'each row names the link and the guardian'
);
select is(
  (
    select revoked_at between now() and clock_timestamp()
    from tutela.student_list_guardians(:'student')
    where link_id = :'ex_link'
  ),
  true,
  'a revoked link shows when it was revoked'
);
select is(
  (
    select created_via from tutela.student_list_guardians(:'student')
    where link_id = :'mum_link'
  ),
  'code',
  'each row says how the link was made'
);
select results_eq(
  format('select name from tutela.student_list_guardians(%L)', :'sibling'),
  $$ values ('Mum Smith'::text) $$,
  'another student''s list holds only that student''s links'
);

select * from finish();
rollback;
