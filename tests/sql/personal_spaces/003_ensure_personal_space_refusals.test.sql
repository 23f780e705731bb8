-- Who may not get a personal space: anon and the service role (no grant), a student of an
-- organisation, staff and admins, a guardian in any status, an erased login; bad names. Each
-- refusal changes nothing.
begin;
select plan(14);

-- the SQLSTATE and detail of a statement's error ('none' when it does not raise)
create function pg_temp.refusal(p_sql text)
returns text
language plpgsql
as $$
declare
  v_state text;
  v_detail text;
begin
  execute p_sql;
  return 'none';
exception
  when others then
    get stacked diagnostics v_state = returned_sqlstate, v_detail = pg_exception_detail;
    return v_state || ' ' || coalesce(nullif(v_detail, ''), '-');
end;
$$;
grant execute on function pg_temp.refusal(text) to authenticated;

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('teacher@example.test') as teacher \gset
select tutela_tests.create_user('pupil@example.test') as pupil \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('ex@example.test') as ex \gset
select tutela_tests.create_user('kid@example.test') as kid \gset

-- a school with a teacher and a pupil; mum active, dad pending, ex revoked
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('School', 'a-school') \gset
select tutela_tests.add_member(:'org', :'teacher', 'staff');
select id as student from tutela.create_student(:'org', 'Pupil') \gset
select tutela_tests.attach_student_login(:'student', :'pupil');
select code from tutela.create_guardian_link_code(:'student', 3) \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');
select tutela_tests.authenticate_as(:'ex');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as ex_link \gset
select tutela.revoke_guardian_link(:'ex_link');
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
-- (revoking ex withdrew the code ex had redeemed: a new one)
select code as code2 from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'dad');
select is(tutela.redeem_guardian_link_code(:'code2') ->> 'status', 'pending', 'dad is pending');

select tutela_tests.clear_authentication();
select count(*) as orgs_before from tutela.organizations \gset
select count(*) as students_before from tutela.students \gset

select tutela_tests.as_anon();
select throws_ok('select tutela.ensure_personal_space()', '42501', null, 'anon: 42501');
select tutela_tests.as_service_role();
select throws_ok(
  'select tutela.ensure_personal_space()', '42501', null,
  'the service role has no login to make a student of: 42501'
);

select tutela_tests.authenticate_as(:'pupil');
select is(
  pg_temp.refusal('select tutela.ensure_personal_space()'), 'TU409 already_student',
  'a school''s student gets no personal space: TU409 already_student'
);

select tutela_tests.authenticate_as(:'teacher');
select is(
  pg_temp.refusal('select tutela.ensure_personal_space()'), 'TU409 is_member',
  'staff: TU409 is_member'
);
select tutela_tests.authenticate_as(:'admin');
select is(
  pg_temp.refusal('select tutela.ensure_personal_space()'), 'TU409 is_member',
  'an admin: TU409 is_member'
);
select tutela_tests.authenticate_as(:'mum');
select is(
  pg_temp.refusal('select tutela.ensure_personal_space()'), 'TU409 is_guardian',
  'an active guardian does not become a student by accident: TU409 is_guardian'
);
select tutela_tests.authenticate_as(:'dad');
select is(
  pg_temp.refusal('select tutela.ensure_personal_space()'), 'TU409 is_guardian',
  'a pending guardian: TU409 is_guardian'
);
select tutela_tests.authenticate_as(:'ex');
select is(
  pg_temp.refusal('select tutela.ensure_personal_space()'), 'TU409 is_guardian',
  'a revoked guardian: TU409 is_guardian'
);

-- bad names
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  $$ select tutela.ensure_personal_space('   ') $$, 'TU422', null, 'a blank name: TU422'
);
select throws_ok(
  format('select tutela.ensure_personal_space(%L)', repeat('x', 201)), 'TU422', null,
  'a name over 200 characters: TU422'
);

select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.organizations), :'orgs_before'::bigint,
  'no refusal made an organisation'
);
select is(
  (select count(*) from tutela.students), :'students_before'::bigint,
  'no refusal made a student'
);

-- a deleted login is nobody
select tutela_tests.authenticate_as(:'kid');
select tutela_tests.clear_authentication();
delete from auth.users where id = :'kid';
select tutela_tests.authenticate_as(:'kid');
select throws_ok('select tutela.ensure_personal_space()', 'TU401', null, 'a deleted login: TU401');

select * from finish();
rollback;
