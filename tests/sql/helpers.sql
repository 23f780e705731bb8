-- Test helpers: the `tutela_tests` schema (Tutela's own: an app's `tests` schema, e.g. from
-- Supabase's test helpers, is left alone). Installed by the test runner (`tutela test`,
-- pytest) and, for the Supabase CLI, once by supabase/tests/000_setup.test.sql; never by
-- migrations.
-- Actors are set exactly as PostgREST does: `role` and `request.jwt.claims`, transaction-local.

create extension if not exists pgtap with schema extensions;
-- the test actors call pgTAP's functions (wherever a project revoked PUBLIC's default EXECUTE)
grant execute on all functions in schema extensions to anon, authenticated, service_role;

create schema if not exists tutela_tests;
grant usage on schema tutela_tests to anon, authenticated, service_role;

-- A user in auth.users (a profile follows through the sign-up trigger). Returns the id.
create or replace function tutela_tests.create_user(p_email text, p_meta jsonb default '{}'::jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid := gen_random_uuid();
begin
  insert into auth.users (
    id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at
  )
  values (
    v_id, 'authenticated', 'authenticated', p_email,
    '{"provider": "email", "providers": ["email"]}'::jsonb, coalesce(p_meta, '{}'::jsonb),
    now(), now()
  );
  return v_id;
end;
$$;

-- Forget any actor: back to the session user (the test runner's superuser), no claims.
create or replace function tutela_tests.clear_authentication()
returns void
language plpgsql
volatile
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  perform set_config('request.jwt.claim.sub', '', true);
end;
$$;

-- Act as a signed-in user: role authenticated, claims with sub, email, role.
create or replace function tutela_tests.authenticate_as(p_user_id uuid)
returns void
language plpgsql
volatile
as $$
declare
  v_email text;
begin
  perform tutela_tests.clear_authentication();
  select u.email into v_email from auth.users as u where u.id = p_user_id;
  perform set_config(
    'request.jwt.claims',
    json_build_object(
      'sub', p_user_id, 'role', 'authenticated', 'aud', 'authenticated', 'email', v_email,
      'aal', 'aal1', 'iat', extract(epoch from now())::bigint,
      'exp', extract(epoch from now() + interval '1 hour')::bigint
    )::text,
    true
  );
  perform set_config('role', 'authenticated', true);
end;
$$;

-- Act as an anonymous client (the anon key).
create or replace function tutela_tests.as_anon()
returns void
language plpgsql
volatile
as $$
begin
  perform tutela_tests.clear_authentication();
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
  perform set_config('role', 'anon', true);
end;
$$;

-- Act as the service role (the service key: RLS bypassed).
create or replace function tutela_tests.as_service_role()
returns void
language plpgsql
volatile
as $$
begin
  perform tutela_tests.clear_authentication();
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
  perform set_config('role', 'service_role', true);
end;
$$;

grant execute on all functions in schema tutela_tests to anon, authenticated, service_role;

-- Give a student record a login, as an accepted student invite would (test set-up only:
-- through the API, only accept_student_invite and the service role attach a login).
create or replace function tutela_tests.attach_student_login(p_student_id uuid, p_user_id uuid)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update tutela.students set user_id = p_user_id, invite_accepted_at = now()
  where id = p_student_id
$$;

grant execute on function tutela_tests.attach_student_login(uuid, uuid)
to anon, authenticated, service_role;

-- A user's email (test set-up: API roles cannot read auth.users).
create or replace function tutela_tests.user_email(p_user_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select u.email::text from auth.users as u where u.id = p_user_id
$$;

-- Make a user a member of an organisation the way the API does: the current actor (an admin
-- of it) invites the user's address, the user accepts, and the current actor is back.
create or replace function tutela_tests.add_member(
  p_organization_id uuid, p_user_id uuid, p_role text
)
returns tutela.memberships
language plpgsql
volatile
as $$
declare
  v_claims text := current_setting('request.jwt.claims', true);
  v_role text := current_setting('role');
  v_token text;
  v_member tutela.memberships;
begin
  select i.token into v_token
  from tutela.invite_organization_member(
    p_organization_id, tutela_tests.user_email(p_user_id), p_role
  ) as i;
  perform tutela_tests.authenticate_as(p_user_id);
  v_member := tutela.accept_organization_invite(v_token);
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', coalesce(v_claims, ''), true);
  perform set_config('role', v_role, true);
  return v_member;
end;
$$;

grant execute on function tutela_tests.user_email(uuid) to anon, authenticated, service_role;
grant execute on function tutela_tests.add_member(uuid, uuid, text)
to anon, authenticated, service_role;
