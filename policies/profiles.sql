-- Profiles: each user renames their own profile; they read their own and those of the people
-- they work or live with (tutela_hidden.visible_profile_ids, in rpc/guardianship.sql).

alter table tutela.profiles enable row level security;

revoke all on table tutela.profiles from public, anon, authenticated, service_role;
grant all on table tutela.profiles to service_role;
grant select on table tutela.profiles to authenticated;
grant insert (user_id, display_name) on table tutela.profiles to authenticated;
grant update (display_name) on table tutela.profiles to authenticated;

drop policy if exists profiles_select on tutela.profiles;
create policy profiles_select on tutela.profiles
for select to authenticated
using (user_id in (select tutela_hidden.visible_profile_ids()));

drop policy if exists profiles_insert on tutela.profiles;
create policy profiles_insert on tutela.profiles
for insert to authenticated
with check (user_id = (select auth.uid()));

drop policy if exists profiles_update on tutela.profiles;
create policy profiles_update on tutela.profiles
for update to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
