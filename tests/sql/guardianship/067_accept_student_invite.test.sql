-- accept_student_invite: the signed-in user whose email matches the invite (any case) claims
-- the student record: students.user_id and invite_accepted_at are set, the invite becomes
-- accepted, and the new student reads their own record.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('KID@example.test') as kid \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select
  student_id as student,
  token
from tutela.invite_student(:'org', 'Kid', 'kid@Example.test') \gset

select tutela_tests.authenticate_as(:'kid');
select
  id as returned_id,
  user_id as returned_user
from tutela.accept_student_invite(:'token') \gset

select is(:'returned_id'::uuid, :'student'::uuid, 'it returns the claimed student record');
select is(:'returned_user'::uuid, :'kid'::uuid, 'with the caller as its user');

select tutela_tests.clear_authentication();
select results_eq(
  format('select user_id, invite_accepted_at from tutela.students where id = %L', :'student'),
  format('values (%L::uuid, now())', :'kid'),
  'students.user_id and invite_accepted_at are set'
);
select results_eq(
  format(
    $$ select status, accepted_by, accepted_at from tutela.student_invites
       where student_id = %L $$,
    :'student'
  ),
  format($$ values ('accepted'::text, %L::uuid, now()) $$, :'kid'),
  'the invite is accepted, by the user, now'
);
select results_eq(
  format(
    $$ select student_id from tutela.link_events
       where action = 'student_invite_accepted' and subject_user_id = %L $$,
    :'kid'
  ),
  format('values (%L::uuid)', :'student'),
  'the claim is audited once, for the student'
);

select tutela_tests.authenticate_as(:'kid');
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'student'),
  'the student now reads their own record'
);
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'token'),
  'TU404', null, 'the token cannot be used twice'
);

select * from finish();
rollback;
