-- Supabase compatibility bootstrap.
--
-- Creates on plain PostgreSQL (15+) the parts of a Supabase database that Tutela's migrations
-- rely on, and nothing more. Every step is guarded: on a real Supabase project, or on a second
-- run, nothing changes. Applied by `tutela migrate` before any migration; never part of
-- `tutela build supabase` output.

-- 1. API roles, as Supabase defines them.
do $bootstrap$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
    grant anon, authenticated, service_role to authenticator;
  end if;
end;
$bootstrap$;

-- 2. Schemas.
create schema if not exists auth;
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;

-- 3. auth.users: the columns Tutela reads or writes (Supabase has more).
create table if not exists auth.users (
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  phone text unique,
  email_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_anonymous boolean not null default false,
  created_at timestamptz,
  updated_at timestamptz,
  deleted_at timestamptz
);

-- invites, roster imports and the synthetic generator look users up by address
create index if not exists users_email_lower_idx on auth.users (lower(email));

-- 4. auth.uid(), auth.role(), auth.email(), auth.jwt(): read the claims PostgREST sets
--    (request.jwt.claims), falling back to the legacy per-claim settings.
do $bootstrap$
begin
  if pg_catalog.to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
    language sql stable
    as $fn$
      select coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
    grant execute on function auth.jwt() to public;
  end if;
  if pg_catalog.to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
    language sql stable
    as $fn$
      select coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
        (nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $fn$;
    grant execute on function auth.uid() to public;
  end if;
  if pg_catalog.to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
    language sql stable
    as $fn$
      select coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''),
        (nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
      )::text
    $fn$;
    grant execute on function auth.role() to public;
  end if;
  if pg_catalog.to_regprocedure('auth.email()') is null then
    create function auth.email() returns text
    language sql stable
    as $fn$
      select coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.email', true), ''),
        (nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
      )::text
    $fn$;
    grant execute on function auth.email() to public;
  end if;
end;
$bootstrap$;

-- 5. Schema usage for the API roles. No default privileges: like Supabase today (since
--    2026-10-30), nothing created later is granted to the API roles unless its own SQL says so
--    (Tutela's does, object by object). An app's default privileges are the app's: left as
--    they are.
do $bootstrap$
declare
  v_schema text;
  v_role text;
begin
  foreach v_schema in array array['public', 'auth', 'extensions'] loop
    foreach v_role in array array['anon', 'authenticated', 'service_role'] loop
      if not pg_catalog.has_schema_privilege(v_role, v_schema, 'usage') then
        execute pg_catalog.format('grant usage on schema %I to %I', v_schema, v_role);
      end if;
    end loop;
  end loop;
end;
$bootstrap$;
