-- Strong authentication for sensitive actions. When the organisation sets
-- require_mfa_for_sensitive, set_consent, set_guardian_link_permissions, invite_guardian,
-- invite_student, export_student_data and request_data_erasure refuse an aal1 session (or one
-- without an aal claim) with TU412 and work with aal2. The check comes after the actor check
-- (someone not allowed still gets TU403). With the switch off, aal1 is enough. The service
-- role is exempt.
begin;
select plan(24);

select tutela_tests.create_user('kid@mfa.test') as u_kid \gset
select tutela_tests.create_user('mum@mfa.test') as u_mum \gset
select tutela_tests.create_user('dad@mfa.test') as u_dad \gset
select tutela_tests.create_user('staff@mfa.test') as u_staff \gset
select tutela_tests.create_user('admin@mfa.test') as u_admin \gset
select tutela_tests.create_user('stranger@mfa.test') as u_stranger \gset

insert into tutela.organizations (name, slug, max_guardians_per_student, require_mfa_for_sensitive)
values ('MFA School', 'mfa-school', 10, true) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Kid', :'u_kid') returning id as kid \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values
(:'kid', :'u_mum', 'active', true, 'staff', now()),
(:'kid', :'u_dad', 'active', false, 'staff', now());
select id as dad_link from tutela.guardian_links
where student_id = :'kid' and guardian_id = :'u_dad' \gset

-- the six sensitive calls, each by an actor allowed to make it
prepare consent as
select tutela.set_consent(:'kid', 'journal', 'other_guardians', true);
prepare permissions as
select tutela.set_guardian_link_permissions(:'dad_link', '{"journal": true}');
prepare invite_guardian as
select * from tutela.invite_guardian(:'kid', 'aunt@mfa.test');
prepare invite_student as
select * from tutela.invite_student(:'org', 'New Kid', 'new-kid@mfa.test');
prepare export as select tutela.export_student_data(:'kid');
prepare erasure as select tutela.request_data_erasure(:'kid');

-- ---------------------------------------------------------------------------------------------
-- Switch on, aal1: TU412
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok('consent', 'TU412', null, 'aal1: set_consent is TU412');
select throws_ok('permissions', 'TU412', null, 'aal1: set_guardian_link_permissions is TU412');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('invite_guardian', 'TU412', null, 'aal1: invite_guardian is TU412');
select throws_ok('invite_student', 'TU412', null, 'aal1: invite_student is TU412');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('export', 'TU412', null, 'aal1: export_student_data is TU412');
select throws_ok('erasure', 'TU412', null, 'aal1: request_data_erasure is TU412');

-- a token without any aal claim counts as aal1
select
  set_config(
    'request.jwt.claims', (current_setting('request.jwt.claims')::jsonb - 'aal')::text, true
  )
  is not null as no_aal
\gset
select throws_ok('export', 'TU412', null, 'no aal claim: TU412');

-- the actor check comes first: someone not allowed learns nothing about MFA
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('export', 'TU403', null, 'a stranger gets TU403, not TU412');

select tutela_tests.clear_authentication();
select is_empty(
  format(
    $$select 1 from tutela.consent_records where student_id = %1$L
      union all select 1 from tutela.data_requests where student_id = %1$L
      union all select 1 from tutela.guardian_invites where student_id = %1$L
      union all select 1 from tutela.students where email = 'new-kid@mfa.test'$$,
    :'kid'
  ),
  'the refused calls left nothing behind'
);

-- ---------------------------------------------------------------------------------------------
-- Switch on, aal2: allowed
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select
  set_config(
    'request.jwt.claims',
    (current_setting('request.jwt.claims')::jsonb || '{"aal": "aal2"}')::text,
    true
  ) is not null as aal2
\gset
select lives_ok('consent', 'aal2: set_consent works');
select lives_ok('permissions', 'aal2: the primary guardian changes a co-guardian''s rights');
select tutela_tests.authenticate_as(:'u_staff');
select
  set_config(
    'request.jwt.claims',
    (current_setting('request.jwt.claims')::jsonb || '{"aal": "aal2"}')::text,
    true
  ) is not null as aal2
\gset
select lives_ok('invite_guardian', 'aal2: invite_guardian works');
select lives_ok('invite_student', 'aal2: invite_student works');
select tutela_tests.authenticate_as(:'u_admin');
select
  set_config(
    'request.jwt.claims',
    (current_setting('request.jwt.claims')::jsonb || '{"aal": "aal2"}')::text,
    true
  ) is not null as aal2
\gset
select lives_ok('export', 'aal2: export_student_data works');
select lives_ok('erasure', 'aal2: request_data_erasure works');

-- ---------------------------------------------------------------------------------------------
-- Switch off: aal1 is enough
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
update tutela.organizations set require_mfa_for_sensitive = false where id = :'org';
delete from tutela.students where email = 'new-kid@mfa.test';
select tutela_tests.authenticate_as(:'u_mum');
select lives_ok('consent', 'switch off, aal1: set_consent works');
select lives_ok('permissions', 'switch off, aal1: set_guardian_link_permissions works');
select tutela_tests.authenticate_as(:'u_staff');
select lives_ok('invite_guardian', 'switch off, aal1: invite_guardian works');
select lives_ok('invite_student', 'switch off, aal1: invite_student works');
select tutela_tests.authenticate_as(:'u_admin');
select lives_ok('export', 'switch off, aal1: export_student_data works');
select lives_ok('erasure', 'switch off, aal1: request_data_erasure works');

-- ---------------------------------------------------------------------------------------------
-- The service role is exempt
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
update tutela.organizations set require_mfa_for_sensitive = true where id = :'org';
delete from tutela.students where email = 'new-kid@mfa.test';
-- the gate itself, in a session carrying the service key's claims (no aal) ...
select set_config('request.jwt.claims', '{"role": "service_role"}', true) is not null as sr
\gset
select lives_ok(
  format('select tutela_private.require_aal2(%L)', :'org'), 'the gate lets the service role through'
);
-- ... and the same session with a user's aal1 claims
select
  set_config('request.jwt.claims', '{"role": "authenticated", "aal": "aal1"}', true)
  is not null as user_claims
\gset
select throws_ok(
  format('select tutela_private.require_aal2(%L)', :'org'), 'TU412', null,
  'the same gate stops a user''s aal1 claims'
);
-- a back-office call with the service key on a staff member's behalf (no aal claim)
select tutela_tests.as_service_role();
select
  set_config(
    'request.jwt.claims', json_build_object('role', 'service_role', 'sub', :'u_staff')::text, true
  ) is not null as on_behalf
\gset
select lives_ok('invite_student', 'the service role invites a student without aal2');

select * from finish();
rollback;
