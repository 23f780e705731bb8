-- list_guardian_link_codes: the student (null = self), staff and admins of the organisation
-- see the student's codes with their status, never the code itself. A guardian, a stranger,
-- staff of another organisation and a non-student listing "their own" get TU403; anon 42501.
begin;
select plan(13);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select id as sibling from tutela.create_student(:'org', 'Sibling') \gset
select tutela.create_guardian_link_code(:'sibling');

-- four codes of the student: one redeemed (used), one withdrawn, one expired, one active
select tutela_tests.authenticate_as(:'kid');
select code as used_code from tutela.create_guardian_link_code() \gset
select tutela.create_guardian_link_code();
select tutela.create_guardian_link_code();
select tutela.create_guardian_link_code();
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'used_code');

select tutela_tests.clear_authentication();
select id as withdrawn_id from tutela_private.guardian_link_codes
where student_id = :'student' and uses = 0 order by id limit 1 \gset
select id as expired_id from tutela_private.guardian_link_codes
where student_id = :'student' and uses = 0 and id <> :'withdrawn_id' order by id limit 1 \gset
update tutela_private.guardian_link_codes set withdrawn_at = now() where id = :'withdrawn_id';
update tutela_private.guardian_link_codes set expires_at = now() - interval '1 second'
where id = :'expired_id';

select tutela_tests.authenticate_as(:'kid');
select results_eq(
  $$ select status from tutela.list_guardian_link_codes() order by status $$,
  $$ values ('active'::text), ('expired'), ('used'), ('withdrawn') $$,
  'the student lists their own codes with their status'
);
select results_eq(
  format(
    $$ select status from tutela.list_guardian_link_codes(%L) where id = %L $$,
    :'student', :'withdrawn_id'
  ),
  $$ values ('withdrawn'::text) $$,
  'the student may name their own record'
);
select is_empty(
  $$ select 1 from tutela.list_guardian_link_codes() where student_id <> (
       select id from tutela.students where user_id = auth.uid()) $$,
  'the list holds only the student''s codes, not a sibling''s'
);

select tutela_tests.authenticate_as(:'staff');
select is(
  (select count(*) from tutela.list_guardian_link_codes(:'student')),
  4::bigint,
  'staff of the organisation list the student''s codes'
);
select tutela_tests.authenticate_as(:'admin');
select is(
  (select count(*) from tutela.list_guardian_link_codes(:'student')),
  4::bigint,
  'an admin of the organisation lists the student''s codes'
);
select throws_ok(
  'select tutela.list_guardian_link_codes()',
  'TU403', null, 'an admin who is not a student cannot list "their own" codes'
);

-- the listing never carries a code
select is_empty(
  $$ select 1 from information_schema.parameters as p
     join information_schema.routines as r on r.specific_name = p.specific_name
     where r.routine_schema = 'tutela' and r.routine_name = 'list_guardian_link_codes'
       and p.parameter_mode = 'OUT' and p.parameter_name in ('code', 'code_hash') $$,
  'the listing has no code or code_hash column'
);

-- mum: an active guardian
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.list_guardian_link_codes(%L)', :'student'),
  'TU403', null, 'an active guardian cannot list the student''s codes'
);
select throws_ok(
  'select tutela.list_guardian_link_codes()',
  'TU403', null, 'a guardian cannot list "their own" codes'
);

select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.list_guardian_link_codes(%L)', :'student'),
  'TU403', null, 'a stranger cannot list the codes'
);

select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-slug') \gset
select throws_ok(
  format('select tutela.list_guardian_link_codes(%L)', :'student'),
  'TU403', null, 'an admin of another organisation cannot list the codes'
);

select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.list_guardian_link_codes(%L)', :'student'),
  '42501', null, 'anon may not call it'
);

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.list_guardian_link_codes(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403, like an id the caller may not act on'
);

select * from finish();
rollback;
