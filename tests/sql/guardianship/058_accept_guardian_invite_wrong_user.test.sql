-- accept_guardian_invite: only the addressee. A signed-in user with another email is TU403
-- (even staff or the student), anon has no grant (42501); the invite stays pending for the
-- right person.
begin;
select plan(7);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('kid@example.test') as kid \gset
select tests.create_user('gran@example.test') as gran \gset
select tests.create_user('grandma@example.test') as grandma \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as student from public.create_student(:'org', 'Kid') \gset
select tests.attach_student_login(:'student', :'kid');
select
  invite_id,
  token
from public.invite_guardian(:'student', 'gran@example.test') \gset

\set accept 'select public.accept_guardian_invite(' :'token' ')'

select tests.authenticate_as(:'grandma');
select throws_ok(:'accept', 'TU403', null, 'a user with another email: TU403');

select tests.authenticate_as(:'admin');
select throws_ok(:'accept', 'TU403', null, 'the staff who sent it: TU403');

select tests.authenticate_as(:'kid');
select throws_ok(:'accept', 'TU403', null, 'the student: TU403');

select tests.as_anon();
select throws_ok(:'accept', '42501', null, 'anon may not call it');

select tests.clear_authentication();
select is(
  (select status from public.guardian_invites where id = :'invite_id'),
  'pending',
  'the refused attempts leave the invite pending'
);
select is_empty('select 1 from public.guardian_links', 'and create no link');

select tests.authenticate_as(:'gran');
select lives_ok(:'accept', 'the addressee can still accept');

select * from finish();
rollback;
