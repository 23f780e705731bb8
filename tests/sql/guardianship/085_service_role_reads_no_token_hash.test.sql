-- The service role (back office, dispatcher, jobs) reads invites like any other column but never
-- their token hashes: no table an API role reads holds a token or its hash. It still writes them
-- (a back-office correction) and finds an invite by id.
begin;
select plan(6);

select tests.create_user('admin@hash.test') as admin \gset
select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Hash School', 'hash-school') \gset
select id as kid from public.create_student(:'org', 'Kid') \gset
select invite_id from public.invite_guardian(:'kid', 'parent@hash.test') \gset
select student_id as kid2 from public.invite_student(:'org', 'Kid 2', 'kid2@hash.test') \gset

select tests.as_service_role();
select throws_ok(
  'select token_hash from public.guardian_invites',
  '42501', null, 'service role: guardian_invites.token_hash is not readable'
);
select throws_ok(
  'select token_hash from public.student_invites',
  '42501', null, 'service role: student_invites.token_hash is not readable'
);
select is(
  (select email from public.guardian_invites where id = :'invite_id'), 'parent@hash.test',
  'service role: the other columns of an invite are readable'
);
select is(
  (select count(*) from public.student_invites where student_id = :'kid2'), 1::bigint,
  'service role: student invites are listed'
);
select lives_ok(
  format('update public.guardian_invites set name = %L where id = %L', 'Pat', :'invite_id'),
  'service role: an invite can still be corrected'
);
select lives_ok(
  format('delete from public.student_invites where student_id = %L', :'kid2'),
  'service role: an invite can still be deleted'
);

select * from finish();
rollback;
