-- parent_dashboard(): every signed-in user may call it and gets only their own links' cards.
-- A stranger, a guardian whose only link is revoked, staff and the student themself get an
-- empty list (the dashboard lists links, not organisations or records). Anon has no grant
-- (42501); a token without a user id, of a deleted user, or the service key: TU401.
begin;
select plan(10);

select tests.create_user('guardian-d013@world.test') as u_guardian \gset
select tests.create_user('revoked-d013@world.test') as u_revoked \gset
select tests.create_user('staff-d013@world.test') as u_staff \gset
select tests.create_user('student-d013@world.test') as u_student \gset
select tests.create_user('stranger-d013@world.test') as u_stranger \gset
insert into public.organizations (name, slug) values ('Academy 013', 'academy-d013')
returning id as org \gset
insert into public.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into public.students (organization_id, display_name, user_id)
values (:'org', 'Mia', :'u_student') returning id as mia \gset
insert into public.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values
(:'mia', :'u_guardian', 'active', 'staff', now(), null),
(:'mia', :'u_revoked', 'revoked', 'code', now() - interval '5 days', now());

prepare dashboard as select public.parent_dashboard();

select tests.authenticate_as(:'u_guardian');
select is(
  jsonb_path_query_array(public.parent_dashboard(), '$.children[*].student_id'),
  jsonb_build_array(:'mia'),
  'the guardian gets their child''s card'
);
select tests.authenticate_as(:'u_stranger');
select is(
  public.parent_dashboard() - 'generated_at',
  jsonb_build_object(
    'guardian_id', :'u_stranger', 'children', '[]'::jsonb, 'family_access_paused', '[]'::jsonb
  ),
  'a stranger gets their own empty dashboard'
);
select tests.authenticate_as(:'u_revoked');
select is(
  public.parent_dashboard() -> 'children', '[]'::jsonb,
  'a guardian whose link was revoked gets no card'
);
select tests.authenticate_as(:'u_staff');
select is(
  public.parent_dashboard() -> 'children', '[]'::jsonb,
  'staff of the child''s organisation get no card: they are not the child''s guardian'
);
select tests.authenticate_as(:'u_student');
select is(
  public.parent_dashboard() -> 'children', '[]'::jsonb,
  'the student gets no card of themself'
);
select tests.authenticate_as(:'u_guardian');
select ok(
  (public.parent_dashboard() ->> 'generated_at')::timestamptz = now(),
  'the dashboard says when it was generated'
);

select tests.as_anon();
select throws_ok('dashboard', '42501', null, 'anon has no grant');
select tests.clear_authentication();
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select set_config('role', 'authenticated', true);
select throws_ok('dashboard', 'TU401', null, 'a token without a user id: TU401');
select tests.authenticate_as(gen_random_uuid());
select throws_ok('dashboard', 'TU401', null, 'a token of a user that does not exist: TU401');
select tests.as_service_role();
select throws_ok('dashboard', 'TU401', null, 'the service key has no user: TU401');

select * from finish();
rollback;
