-- redeem_guardian_link_code with a token whose user was deleted since it was issued: TU401
-- like any call without a user (docs/errors.md, TU401: "or the user no longer exists"), not a
-- foreign-key error from the attempt record or the new link.
begin;
select plan(4);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('ghost@example.test') as ghost \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as student from public.create_student(:'org', 'Kid') \gset
select code from public.create_guardian_link_code(:'student') \gset

select tests.clear_authentication();
delete from auth.users where id = :'ghost';
select tests.authenticate_as(:'ghost');
select throws_ok(
  format('select public.redeem_guardian_link_code(%L)', :'code'),
  'TU401', null, 'a deleted user redeeming a good code is TU401'
);
select throws_ok(
  $$ select public.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ') $$,
  'TU401', null, 'a deleted user redeeming a bad code is TU401'
);

select tests.clear_authentication();
select is_empty(
  format('select 1 from public.guardian_links where student_id = %L', :'student'),
  'no link was made'
);
select is(
  (select uses from private.guardian_link_codes where student_id = :'student'),
  0,
  'the code was not used'
);

select * from finish();
rollback;
