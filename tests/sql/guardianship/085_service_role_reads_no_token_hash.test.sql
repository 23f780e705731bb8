-- The service role (back office, dispatcher, jobs) reads invites like any other column but never
-- their token hashes: no table an API role reads holds a token or its hash. It still writes them
-- (a back-office correction) and finds an invite by id.
begin;
select plan(6);

select tutela_tests.create_user('admin@hash.test') as admin \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Hash School', 'hash-school') \gset
select id as kid from tutela.create_student(:'org', 'Kid') \gset
select invite_id from tutela.invite_guardian(:'kid', 'parent@hash.test') \gset
select student_id as kid2 from tutela.invite_student(:'org', 'Kid 2', 'kid2@hash.test') \gset

select tutela_tests.as_service_role();
select throws_ok(
  'select token_hash from tutela.guardian_invites',
  '42501', null, 'service role: guardian_invites.token_hash is not readable'
);
select throws_ok(
  'select token_hash from tutela.student_invites',
  '42501', null, 'service role: student_invites.token_hash is not readable'
);
select is(
  (select email from tutela.guardian_invites where id = :'invite_id'), 'parent@hash.test',
  'service role: the other columns of an invite are readable'
);
select is(
  (select count(*) from tutela.student_invites where student_id = :'kid2'), 1::bigint,
  'service role: student invites are listed'
);
select lives_ok(
  format('update tutela.guardian_invites set name = %L where id = %L', 'Pat', :'invite_id'),
  'service role: an invite can still be corrected'
);
select lives_ok(
  format('delete from tutela.student_invites where student_id = %L', :'kid2'),
  'service role: an invite can still be deleted'
);

select * from finish();
rollback;
