-- parent_dashboard(): every signed-in user may call it and gets only their own links' cards.
-- A stranger, a guardian whose only link is revoked, staff and the student themself get an
-- empty list (the dashboard lists links, not organisations or records). Anon has no grant
-- (42501); a token without a user id, of a deleted user, or the service key: TU401.
begin;
select plan(10);

select tutela_tests.create_user('guardian-d013@world.test') as u_guardian \gset
select tutela_tests.create_user('revoked-d013@world.test') as u_revoked \gset
select tutela_tests.create_user('staff-d013@world.test') as u_staff \gset
select tutela_tests.create_user('student-d013@world.test') as u_student \gset
select tutela_tests.create_user('stranger-d013@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('Academy 013', 'academy-d013')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Mia', :'u_student') returning id as mia \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values
(:'mia', :'u_guardian', 'active', 'staff', now(), null),
(:'mia', :'u_revoked', 'revoked', 'code', now() - interval '5 days', now());

prepare dashboard as select tutela.parent_dashboard();

select tutela_tests.authenticate_as(:'u_guardian');
select is(
  jsonb_path_query_array(tutela.parent_dashboard(), '$.children[*].student_id'),
  jsonb_build_array(:'mia'),
  'the guardian gets their child''s card'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is(
  tutela.parent_dashboard() - 'generated_at',
  jsonb_build_object(
    'guardian_id', :'u_stranger', 'children', '[]'::jsonb, 'family_access_paused', '[]'::jsonb
  ),
  'a stranger gets their own empty dashboard'
);
select tutela_tests.authenticate_as(:'u_revoked');
select is(
  tutela.parent_dashboard() -> 'children', '[]'::jsonb,
  'a guardian whose link was revoked gets no card'
);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  tutela.parent_dashboard() -> 'children', '[]'::jsonb,
  'staff of the child''s organisation get no card: they are not the child''s guardian'
);
select tutela_tests.authenticate_as(:'u_student');
select is(
  tutela.parent_dashboard() -> 'children', '[]'::jsonb,
  'the student gets no card of themself'
);
select tutela_tests.authenticate_as(:'u_guardian');
select ok(
  (tutela.parent_dashboard() ->> 'generated_at')::timestamptz = now(),
  'the dashboard says when it was generated'
);

select tutela_tests.as_anon();
select throws_ok('dashboard', '42501', null, 'anon has no grant');
select tutela_tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select set_config('role', 'authenticated', true);
select throws_ok('dashboard', 'TU401', null, 'a token without a user id: TU401');
select tutela_tests.authenticate_as(gen_random_uuid());
select throws_ok('dashboard', 'TU401', null, 'a token of a user that does not exist: TU401');
select tutela_tests.as_service_role();
select throws_ok('dashboard', 'TU401', null, 'the service key has no user: TU401');

select * from finish();
rollback;
