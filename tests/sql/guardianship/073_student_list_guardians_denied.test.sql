-- student_list_guardians: nobody but the student and the organisation's staff. A guardian (even
-- the primary one), another student, a stranger and staff of another organisation get TU403;
-- so does a user who is not a student calling it without an id. anon: 42501; no user id:
-- TU401; an unknown student id: TU403 (no probing of ids).
begin;
select plan(10);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('other-admin@example.test') as other_admin \gset
select tests.create_user('kid@example.test') as kid \gset
select tests.create_user('classmate@example.test') as classmate \gset
select tests.create_user('mum@example.test') as mum \gset
select tests.create_user('stranger@example.test') as stranger \gset

select tests.authenticate_as(:'other_admin');
select public.create_organization('Other', 'other-org');

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as student from public.create_student(:'org', 'Kid') \gset
select tests.attach_student_login(:'student', :'kid');
select tests.attach_student_login((public.create_student(:'org', 'Classmate')).id, :'classmate');
select code from public.create_guardian_link_code(:'student') \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tests.authenticate_as(:'admin');
select public.set_primary_guardian(:'mum_link');

\set list 'select * from public.student_list_guardians(' :'student' '::uuid)'

select tests.authenticate_as(:'mum');
select throws_ok(:'list', 'TU403', null, 'the primary guardian: TU403');
select throws_ok(
  'select * from public.student_list_guardians()',
  'TU403', null, 'a guardian (not a student) calling without an id: TU403'
);

select tests.authenticate_as(:'classmate');
select throws_ok(:'list', 'TU403', null, 'another student of the organisation: TU403');

select tests.authenticate_as(:'stranger');
select throws_ok(:'list', 'TU403', null, 'a stranger: TU403');
select throws_ok(
  'select * from public.student_list_guardians(null)',
  'TU403', null, 'a stranger calling with null: TU403'
);

select tests.authenticate_as(:'other_admin');
select throws_ok(:'list', 'TU403', null, 'an admin of another organisation: TU403');

select tests.authenticate_as(:'admin');
select throws_ok(
  'select * from public.student_list_guardians()',
  'TU403', null, 'staff calling without an id (they are not a student): TU403'
);
select throws_ok(
  format('select * from public.student_list_guardians(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student: TU403, like one the caller may not read'
);

select tests.as_anon();
select throws_ok(:'list', '42501', null, 'anon may not call it');

select tests.clear_authentication();
set local role authenticated;
select throws_ok(:'list', 'TU401', null, 'no user id: TU401');

select * from finish();
rollback;
