-- Profiles: creation on sign-up, last-seen tracking.

create or replace function tutela_private.handle_new_user()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- called only by the trigger on auth.users below; not executable by any API role
  insert into tutela.profiles (user_id, display_name)
  values (
    new.id,
    left(
      coalesce(
        nullif(btrim(new.raw_user_meta_data ->> 'display_name'), ''),
        nullif(btrim(new.raw_user_meta_data ->> 'full_name'), ''),
        split_part(coalesce(new.email, ''), '@', 1)
      ),
      200
    )
  )
  on conflict (user_id) do nothing;
  return new;
end;
$$;

comment on function tutela_private.handle_new_user() is
'Trigger: creates the profile of a new auth.users row.';
revoke all on function tutela_private.handle_new_user()
from public, anon, authenticated, service_role;

drop trigger if exists tutela_on_auth_user_created on auth.users;
create trigger tutela_on_auth_user_created
after insert on auth.users
for each row execute function tutela_private.handle_new_user();

create or replace function tutela.touch_last_seen()
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_seen timestamptz;
begin
  -- an erased student's login no longer exists for Tutela (tutela_hidden.is_erased_user)
  if v_uid is null or not exists (select 1 from auth.users as u where u.id = v_uid)
    or tutela_hidden.is_erased_user(v_uid) then
    raise exception 'not signed in'
      using errcode = 'TU401', hint = 'Sign in, then call this again.';
  end if;

  insert into tutela.profiles as p (user_id, last_seen_at)
  values (v_uid, pg_catalog.now())
  on conflict (user_id) do update set last_seen_at = excluded.last_seen_at,
    updated_at = excluded.last_seen_at
  returning p.last_seen_at into v_seen;
  return v_seen;
end;
$$;

comment on function tutela.touch_last_seen() is
'Records that the signed-in user was active now; returns the time recorded.';
revoke all on function tutela.touch_last_seen() from public, anon, authenticated, service_role;
grant execute on function tutela.touch_last_seen() to authenticated, service_role;

-- An erased student's login cannot make itself a profile again (the table's insert policy lets
-- a user insert their own): TU401, as for every function.
create or replace function tutela_private.profiles_refuse_erased()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if tutela_hidden.is_erased_user(new.user_id) then
    raise exception 'not signed in'
      using errcode = 'TU401', hint = 'This account was erased.';
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.profiles_refuse_erased()
from public, anon, authenticated, service_role;

drop trigger if exists profiles_refuse_erased on tutela.profiles;
create trigger profiles_refuse_erased
before insert on tutela.profiles
for each row execute function tutela_private.profiles_refuse_erased();
