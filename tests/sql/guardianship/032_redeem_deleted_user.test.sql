-- redeem_guardian_link_code with a token whose user was deleted since it was issued: TU401
-- like any call without a user (docs/errors.md, TU401: "or the user no longer exists"), not a
-- foreign-key error from the attempt record or the new link.
begin;
select plan(4);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('ghost@example.test') as ghost \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student') \gset

select tutela_tests.clear_authentication();
delete from auth.users where id = :'ghost';
select tutela_tests.authenticate_as(:'ghost');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU401', null, 'a deleted user redeeming a good code is TU401'
);
select throws_ok(
  $$ select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ') $$,
  'TU401', null, 'a deleted user redeeming a bad code is TU401'
);

select tutela_tests.clear_authentication();
select is_empty(
  format('select 1 from tutela.guardian_links where student_id = %L', :'student'),
  'no link was made'
);
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  0,
  'the code was not used'
);

select * from finish();
rollback;
