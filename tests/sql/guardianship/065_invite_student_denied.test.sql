-- invite_student: only staff and admins of the organisation. A guardian, a student, a stranger
-- and an admin of another organisation get TU403; anon has no grant (42501). Nothing is made.
begin;
select plan(7);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('other-admin@example.test') as other_admin \gset
select tests.create_user('kid@example.test') as kid \gset
select tests.create_user('mum@example.test') as mum \gset
select tests.create_user('stranger@example.test') as stranger \gset

select tests.authenticate_as(:'other_admin');
select public.create_organization('Other', 'other-org');

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as student from public.create_student(:'org', 'Kid') \gset
select tests.attach_student_login(:'student', :'kid');
select code from public.create_guardian_link_code(:'student') \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tests.authenticate_as(:'admin');
select public.set_primary_guardian(:'mum_link');

\set invite 'select public.invite_student(' :'org' '::uuid, ''New'', ''new@example.test'')'

select tests.authenticate_as(:'mum');
select throws_ok(:'invite', 'TU403', null, 'a (primary) guardian: TU403');

select tests.authenticate_as(:'kid');
select throws_ok(:'invite', 'TU403', null, 'a student of the organisation: TU403');

select tests.authenticate_as(:'stranger');
select throws_ok(:'invite', 'TU403', null, 'a stranger: TU403');

select tests.authenticate_as(:'other_admin');
select throws_ok(:'invite', 'TU403', null, 'an admin of another organisation: TU403');

select tests.as_anon();
select throws_ok(:'invite', '42501', null, 'anon may not call it');

select tests.clear_authentication();
select is_empty(
  $$ select 1 from public.students where display_name = 'New' $$,
  'no student record was created'
);
select is_empty('select 1 from public.student_invites', 'no student invite was stored');

select * from finish();
rollback;
