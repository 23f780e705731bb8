-- accept_student_invite refusals: a user with another email is TU403; a user who is already a
-- student is TU409, and so is a guardian of that student; an unknown, used or
-- expired token is TU404; anon has no grant (42501). A refused invite stays pending.
begin;
select plan(11);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('other@example.test') as other \gset
select tutela_tests.create_user('old@example.test') as old \gset
select tutela_tests.create_user('mum@example.test') as mum \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
-- "old" already is a student (of a record with a login)
select tutela_tests.attach_student_login((tutela.create_student(:'org', 'Old')).id, :'old');
select
  student_id as kid_record,
  token as kid_token
from tutela.invite_student(:'org', 'Kid', 'kid@example.test') \gset
select token as old_token from tutela.invite_student(:'org', 'Old again', 'old@example.test') \gset
select
  student_id as late_record,
  token as late_token
from tutela.invite_student(:'org', 'Late', 'kid@example.test') \gset
-- mum is a guardian of a record that is then (wrongly) invited to her address
select
  student_id as mum_record,
  token as mum_token
from tutela.invite_student(:'org', 'Child', 'mum@example.test') \gset
select code from tutela.create_guardian_link_code(:'mum_record') \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');

select tutela_tests.clear_authentication();
update tutela.student_invites set expires_at = now() - interval '1 minute'
where student_id = :'late_record';

select tutela_tests.authenticate_as(:'other');
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'kid_token'),
  'TU403', null, 'a user with another email: TU403'
);

select tutela_tests.authenticate_as(:'old');
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'old_token'),
  'TU409', null, 'a user who already is a student: TU409'
);

select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'mum_token'),
  'TU409', null, 'a guardian of the student cannot claim the record: TU409'
);

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  $$ select tutela.accept_student_invite('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') $$,
  'TU404', null, 'an unknown token: TU404'
);
select throws_ok(
  $$ select tutela.accept_student_invite(null) $$,
  'TU404', null, 'no token: TU404'
);
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'late_token'),
  'TU404', null, 'an expired invite: TU404'
);

select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'kid_token'),
  '42501', null, 'anon may not call it'
);

select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.student_invites where status <> 'pending'),
  0::bigint,
  'every refused invite is still pending'
);
select is_empty(
  $$ select 1 from tutela.students where display_name in ('Kid', 'Old again', 'Child', 'Late')
     and user_id is not null $$,
  'no record was claimed'
);

-- once the right user claims it, a second claim of the same token is TU404, and a claimed
-- user cannot claim another record
select tutela_tests.authenticate_as(:'kid');
select tutela.accept_student_invite(:'kid_token');
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'kid_token'),
  'TU404', null, 'an accepted invite: TU404'
);
select tutela_tests.clear_authentication();
update tutela.student_invites set expires_at = now() + interval '1 day'
where student_id = :'late_record';
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.accept_student_invite(%L)', :'late_token'),
  'TU409', null, 'a user who just became a student cannot claim a second record: TU409'
);

select * from finish();
rollback;
