-- The local harness's stand-in for what the Supabase platform sets up before an app (or Tutela)
-- runs anything: roles, the `auth` schema owned by its own admin, extensions owned by the
-- platform's superuser, and a `postgres` role that is NOT a superuser. Modelled on Supabase's
-- own image (supabase/postgres: init-scripts, `demote-postgres`, `grant_auth_roles_to_postgres`,
-- `grant_predefined_roles_to_postgres`) as of December 2026, when every project also has the
-- Data API's default privileges revoked.
--
-- Run by py_admin/cluster.py as the cluster's superuser `supabase_admin`, once per cluster, in
-- template1 and `postgres` (databases made later are copies of template1). Never applied by
-- `tutela migrate` or shipped in `tutela build supabase`: on Supabase the platform did this.
-- The mode "legacy" (an older project, whose default privileges still grant every new object
-- to the API roles) adds its default privileges afterwards (cluster.py, LEGACY_DEFAULTS).

-- Roles (cluster-wide). The API roles as Supabase has them today (inherit since 2023).
do $platform$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'postgres') then
    create role postgres;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin inherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin inherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin inherit bypassrls;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin nologin noinherit createrole;
  end if;
end;
$platform$;

-- the demoted `postgres`: what a project's owner (and the Supabase CLI) connects as
alter role postgres nosuperuser createdb createrole login replication bypassrls;

-- memberships, and SET on auto_explain's settings (preloaded, as on Supabase: postgres may
-- set them for its own sessions); executed as text: sqlfluff parses neither form
do $platform$
begin
  execute 'grant anon, authenticated, service_role to authenticator';
  execute 'grant anon, authenticated, service_role, supabase_auth_admin to postgres';
  execute 'grant pg_read_all_data, pg_signal_backend, pg_monitor to postgres';
  execute 'grant set on parameter auto_explain.log_min_duration, auto_explain.log_analyze, '
    'auto_explain.log_buffers, auto_explain.log_nested_statements, auto_explain.log_timing, '
    'auto_explain.log_level to postgres';
end;
$platform$;
alter role postgres set search_path to "$user", public, extensions; -- noqa: RF05

-- Extensions: owned by the platform, usable by everyone, grantable by postgres.
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;
create extension if not exists pgcrypto with schema extensions;
-- pgTAP: on Supabase `postgres` may create it (supautils' privileged extensions); here it is
-- there already, so `create extension if not exists pgtap` in a test set-up is a no-op
create extension if not exists pgtap with schema extensions;

-- auth: owned by supabase_auth_admin (postgres is a member: it may add triggers to auth.users)
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to postgres;
alter default privileges for role supabase_auth_admin in schema auth
grant all on tables to postgres;
alter default privileges for role supabase_auth_admin in schema auth
grant all on sequences to postgres;
alter default privileges for role supabase_auth_admin in schema auth
grant all on routines to postgres;
