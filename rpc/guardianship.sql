-- Guardianship: who may see a student's data, and every way that changes.
--
-- Private helpers first (identity, authorisation, audit, codes and tokens, the cap), then the
-- public API in the order of docs/guardianship.md. Every public function: `security definer`,
-- `set search_path = ''`, the authorisation check first, grants right after it.

-- =============================================================================================
-- Identity and authorisation helpers (private)
-- =============================================================================================

-- The caller's user id, or TU401 (no user in the token, a user that no longer exists, or an
-- erased student's login).
create or replace function tutela_hidden.require_uid()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
begin
  -- an erased student's login is no one to Tutela until Auth deletes it (rpc/privacy.sql)
  if v_uid is null or not exists (select 1 from auth.users as u where u.id = v_uid)
    or tutela_hidden.is_erased_user(v_uid) then
    raise exception 'not signed in'
      using errcode = 'TU401', hint = 'Sign in, then try again.';
  end if;
  return v_uid;
end;
$$;
revoke all on function tutela_hidden.require_uid() from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.require_uid() to authenticated, service_role;

-- Whether consent is in force for a student, data type and recipient type.
create or replace function tutela_private.consent_granted(
  p_student_id uuid, p_data_type text, p_recipient_type text
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from tutela.consent_records as c
    where c.student_id = p_student_id and c.data_type = p_data_type
      and c.recipient_type = p_recipient_type and c.granted
      and (c.expires_at is null or c.expires_at > pg_catalog.now())
  )
$$;

revoke all on function tutela_private.consent_granted(uuid, text, text)
from public, anon, authenticated, service_role;

-- The set-returning policy helpers below are plpgsql, not sql: a security definer SQL
-- function is never inlined, and its query is planned again by every statement that calls it;
-- plpgsql keeps the plan for the session (docs/scaling.md).

-- Organisations where the caller is a member (staff or admin). Used by policies.
create or replace function tutela_hidden.staff_organization_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select m.organization_id from tutela.memberships as m
  where m.user_id = (select auth.uid());
end;
$$;
revoke all on function tutela_hidden.staff_organization_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.staff_organization_ids() to authenticated;

-- Organisations where the caller is an admin.
create or replace function tutela_hidden.admin_organization_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select m.organization_id from tutela.memberships as m
  where m.user_id = (select auth.uid()) and m.role = 'admin';
end;
$$;
revoke all on function tutela_hidden.admin_organization_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.admin_organization_ids() to authenticated;

-- The student records of the caller (a student with a login has one).
create or replace function tutela_hidden.own_student_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select s.id from tutela.students as s where s.user_id = (select auth.uid());
end;
$$;
revoke all on function tutela_hidden.own_student_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.own_student_ids() to authenticated;

-- Students in the caller's organisations (the caller is staff or admin there).
create or replace function tutela_hidden.staff_student_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select s.id from tutela.students as s
  where s.organization_id in (
    select m.organization_id from tutela.memberships as m where m.user_id = (select auth.uid())
  );
end;
$$;
revoke all on function tutela_hidden.staff_student_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.staff_student_ids() to authenticated;

-- Students the caller is an active guardian of; with a permission, only links granting it.
create or replace function tutela_hidden.guardian_student_ids(p_permission text default null)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select l.student_id from tutela.guardian_links as l
  join tutela.students as s on s.id = l.student_id
  join tutela.organizations as o on o.id = s.organization_id
  where l.guardian_id = (select auth.uid())
    and l.status = 'active'
    and o.family_access_enabled  -- the organisation's switch: off, guardians see nothing
    and (p_permission is null or coalesce((l.permissions ->> p_permission)::boolean, false))
    -- consent: a guardian who is not primary reads the journal only when the student's consent
    -- decider granted it to other guardians (rpc/privacy.sql)
    and (p_permission is distinct from 'journal' or l.is_primary
      or tutela_private.consent_granted(l.student_id, 'journal', 'other_guardians'));
end;
$$;
revoke all on function tutela_hidden.guardian_student_ids(text)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.guardian_student_ids(text) to authenticated;

-- Whether guardians of the student's organisation may see anything (family access is on).
create or replace function tutela_private.family_access_on(p_student_id uuid)
returns boolean
language plpgsql  -- plpgsql keeps its plan (see readable_student_ids)
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select o.family_access_enabled from tutela.students as s
    join tutela.organizations as o on o.id = s.organization_id
    where s.id = p_student_id
  ), false);
end;
$$;
revoke all on function tutela_private.family_access_on(uuid)
from public, anon, authenticated, service_role;

-- Students of the caller's links in any status, where family access is on: what a guardian's
-- own link rows may show.
create or replace function tutela_hidden.my_link_student_ids()
returns setof uuid
language plpgsql  -- plpgsql keeps its plan (see readable_student_ids)
stable
security definer
set search_path = ''
as $$
begin
  return query
  select l.student_id from tutela.guardian_links as l
  join tutela.students as s on s.id = l.student_id
  join tutela.organizations as o on o.id = s.organization_id
  where l.guardian_id = (select auth.uid()) and o.family_access_enabled;
end;
$$;
revoke all on function tutela_hidden.my_link_student_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.my_link_student_ids() to authenticated;

-- Every student whose data the caller may read for a permission: their own record, students
-- of organisations they work in, and children whose active link grants the permission.
-- plpgsql, not sql: a security definer SQL function is never inlined, and its query is planned
-- again by every statement whose policy calls it (about 0.25 ms, more than the indexed read it
-- guards); plpgsql keeps the plan for the session (docs/scaling.md). `union all`: an id may
-- come twice (callers test membership with `in`), which saves the de-duplication.
create or replace function tutela_hidden.readable_student_ids(p_permission text default null)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
begin
  return query
  select s.id from tutela.students as s where s.user_id = v_uid
  union all
  select s.id from tutela.students as s
  where s.organization_id in (
    select m.organization_id from tutela.memberships as m where m.user_id = v_uid
  )
  union all
  -- children: active links granting the permission, family access on, journal consent
  select g.id from tutela_hidden.guardian_student_ids(p_permission) as g (id);
end;
$$;
revoke all on function tutela_hidden.readable_student_ids(text)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.readable_student_ids(text) to authenticated;

-- Users whose profile the caller may read: themself, people of their organisations, the
-- guardians of students they teach or are, and the students (with a login) they guard with the
-- progress permission.
create or replace function tutela_hidden.visible_profile_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select (select auth.uid())
  union
  select m2.user_id from tutela.memberships as m
  join tutela.memberships as m2 on m2.organization_id = m.organization_id
  where m.user_id = (select auth.uid())
  union
  select l.guardian_id from tutela.guardian_links as l
  where l.student_id in (select tutela_hidden.staff_student_ids())
    or l.student_id in (select tutela_hidden.own_student_ids())
  union
  select s.user_id from tutela.students as s
  where s.user_id is not null
    and (
      -- a child's profile (its last-seen time) is progress: guardians without it do not see it,
      -- as guardian_list_children hides last activity from them
      s.id in (select tutela_hidden.guardian_student_ids('progress'))
      or s.id in (select tutela_hidden.staff_student_ids())
    );
end;
$$;
revoke all on function tutela_hidden.visible_profile_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.visible_profile_ids() to authenticated;

-- Organisations the caller belongs to, studies in, or has a child in (active link).
create or replace function tutela_hidden.visible_organization_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select m.organization_id from tutela.memberships as m where m.user_id = (select auth.uid())
  union
  select s.organization_id from tutela.students as s
  where s.user_id = (select auth.uid())
    or s.id in (select tutela_hidden.guardian_student_ids());  -- active links, family access on
end;
$$;
revoke all on function tutela_hidden.visible_organization_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.visible_organization_ids() to authenticated;

-- The caller's strongest role for a student: admin > staff > student > guardian (active
-- link) > null; null also for an unknown student (callers refuse both with TU403).
create or replace function tutela_private.role_for_student(p_student_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_student tutela.students;
  v_role text;
begin
  select * into v_student from tutela.students as s where s.id = p_student_id;
  if not found or v_uid is null then
    return null;  -- an unknown student and one the caller has no role for look alike
  end if;
  select m.role into v_role from tutela.memberships as m
  where m.organization_id = v_student.organization_id and m.user_id = v_uid;
  if v_role is not null then
    return v_role;
  end if;
  if v_student.user_id = v_uid then
    return 'student';
  end if;
  if exists (
    select 1 from tutela.guardian_links as l
    where l.student_id = p_student_id and l.guardian_id = v_uid and l.status = 'active'
  ) and tutela_private.family_access_on(p_student_id) then
    return 'guardian';
  end if;
  return null;
end;
$$;
revoke all on function tutela_private.role_for_student(uuid)
from public, anon, authenticated, service_role;

-- The caller's role in an organisation ('admin', 'staff' or null).
create or replace function tutela_private.role_in_organization(p_organization_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select m.role from tutela.memberships as m
  where m.organization_id = p_organization_id and m.user_id = (select auth.uid())
$$;
revoke all on function tutela_private.role_in_organization(uuid)
from public, anon, authenticated, service_role;

-- Whether the caller acts as the service role: the service key's claims, or a session that set
-- role service_role. With p_owner_too, also a direct database session that set no role (the
-- admin CLI connected as the owner; PostgREST always sets one).
create or replace function tutela_private.is_service_role(p_owner_too boolean default false)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.role()), '') = 'service_role'
    or pg_catalog.current_setting('role') = 'service_role'
    or (p_owner_too and pg_catalog.current_setting('role') = 'none')
$$;

revoke all on function tutela_private.is_service_role(boolean)
from public, anon, authenticated, service_role;

create or replace function tutela_private.deny(p_what text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception 'not allowed: %', p_what
    using errcode = 'TU403', hint = 'Only the people named in docs/guardianship.md may do this.';
end;
$$;
revoke all on function tutela_private.deny(text) from public, anon, authenticated, service_role;

create or replace function tutela_private.invalid(p_message text, p_hint text default null)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception '%', p_message using errcode = 'TU422', hint = coalesce(p_hint, '');
end;
$$;
revoke all on function tutela_private.invalid(text, text)
from public, anon, authenticated, service_role;

create or replace function tutela_private.conflict(
  p_message text, p_reason text, p_hint text default null
)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = 'TU409', detail = p_reason, hint = coalesce(p_hint, '');
end;
$$;
revoke all on function tutela_private.conflict(text, text, text)
from public, anon, authenticated, service_role;

-- An id that does not exist. To a user it is the very refusal they get for an id they may not
-- act on (p_deny: the function's own TU403 message; without it a general one), so that the
-- answer never tells whether a student, link, user or organisation exists. The service role,
-- and the admin CLI's own session, get TU404.
drop function if exists tutela_private.not_found(text);
create or replace function tutela_private.not_found(p_what text, p_deny text default null)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if tutela_private.is_service_role(p_owner_too => true) then
    raise exception '% not found', p_what using errcode = 'TU404';
  end if;
  perform tutela_private.deny(coalesce(p_deny,
    pg_catalog.format('no such %s, or not one you may act on', p_what)));
end;
$$;
revoke all on function tutela_private.not_found(text, text)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Audit
-- =============================================================================================

-- Client address and user agent, from the request headers PostgREST sets (null elsewhere).
create or replace function tutela_private.request_ip()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif(btrim(split_part(coalesce(
    nullif(pg_catalog.current_setting('request.headers', true), '')::json ->> 'x-forwarded-for',
    nullif(pg_catalog.current_setting('request.headers', true), '')::json ->> 'x-real-ip',
    ''
  ), ',', 1)), '')
$$;
revoke all on function tutela_private.request_ip() from public, anon, authenticated, service_role;

create or replace function tutela_private.request_user_agent()
returns text
language sql
stable
set search_path = ''
as $$
  select left(
    nullif(pg_catalog.current_setting('request.headers', true), '')::json ->> 'user-agent', 500
  )
$$;
revoke all on function tutela_private.request_user_agent()
from public, anon, authenticated, service_role;

create or replace function tutela_private.audit(
  p_action text,
  p_actor_role text,
  p_organization_id uuid,
  p_student_id uuid default null,
  p_link_id uuid default null,
  p_code_id uuid default null,
  p_invite_id uuid default null,
  p_subject_user_id uuid default null,
  p_old jsonb default null,
  p_new jsonb default null
)
returns void
language plpgsql  -- plpgsql keeps its plan; a definer SQL function is planned on every call
volatile
security definer
set search_path = ''
as $$
begin
  insert into tutela.link_events (
    actor_id, actor_role, action, organization_id, student_id, link_id, code_id, invite_id,
    subject_user_id, old_values, new_values, request_ip, user_agent
  )
  values (
    (select auth.uid()),
    case
      when (select auth.role()) = 'service_role' then 'service_role'
      when (select auth.uid()) is null and p_actor_role = 'roster' then 'roster'
      when (select auth.uid()) is null then 'system'
      else coalesce(p_actor_role, 'user')
    end,
    p_action, p_organization_id, p_student_id, p_link_id, p_code_id, p_invite_id,
    p_subject_user_id, p_old, p_new, tutela_private.request_ip(), tutela_private.request_user_agent()
  );
end;
$$;
revoke all on function tutela_private.audit(
  text, text, uuid, uuid, uuid, uuid, uuid, uuid, jsonb, jsonb
) from public, anon, authenticated, service_role;

-- =============================================================================================
-- Codes and tokens
-- =============================================================================================

-- A new link code: 12 Crockford base32 characters carrying 60 random bits.
create or replace function tutela_private.new_link_code()
returns text
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  v_bytes bytea := extensions.gen_random_bytes(8);
  v_bits bigint := 0;
  v_out text := '';
begin
  for i in 0..6 loop
    v_bits := (v_bits << 8) | pg_catalog.get_byte(v_bytes, i);
  end loop;
  v_bits := (v_bits << 4) | (pg_catalog.get_byte(v_bytes, 7) >> 4);  -- 60 bits
  for i in 0..11 loop
    v_out := v_out || substr(v_alphabet, (((v_bits >> (55 - 5 * i)) & 31) + 1)::int, 1);
  end loop;
  return v_out;
end;
$$;
revoke all on function tutela_private.new_link_code()
from public, anon, authenticated, service_role;

-- A code as typed by a person -> its canonical 12 characters, or null if it cannot be one.
-- Any case, spaces and dashes; Crockford look-alikes I, L -> 1 and O -> 0.
create or replace function tutela_private.normalize_link_code(p_code text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when v ~ '^[0-9A-HJKMNP-TV-Z]{12}$' then v end
  from (
    select translate(upper(regexp_replace(coalesce(left(p_code, 100), ''), '[\s-]', '', 'g')),
      'ILO', '110') as v
  ) as t
$$;
revoke all on function tutela_private.normalize_link_code(text)
from public, anon, authenticated, service_role;

create or replace function tutela_private.format_link_code(p_code text)
returns text
language sql
immutable
set search_path = ''
as $$
  select substr(p_code, 1, 4) || '-' || substr(p_code, 5, 4) || '-' || substr(p_code, 9, 4)
$$;
revoke all on function tutela_private.format_link_code(text)
from public, anon, authenticated, service_role;

create or replace function tutela_private.hash_secret(p_secret text)
returns bytea
language sql
immutable
set search_path = ''
as $$
  select extensions.digest(convert_to(p_secret, 'UTF8'), 'sha256')
$$;
revoke all on function tutela_private.hash_secret(text)
from public, anon, authenticated, service_role;

-- A new invite token: 256 random bits, base64url without padding (43 characters).
create or replace function tutela_private.new_token()
returns text
language sql
volatile
set search_path = ''
as $$
  select rtrim(translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/', '-_'), '=')
$$;
revoke all on function tutela_private.new_token() from public, anon, authenticated, service_role;

create or replace function tutela_private.valid_email(p_email text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_email is not null and char_length(p_email) <= 320
    and p_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
$$;
revoke all on function tutela_private.valid_email(text)
from public, anon, authenticated, service_role;

-- Merge a partial permissions object into a full one; unknown keys or non-booleans: TU422.
create or replace function tutela_private.merge_link_permissions(p_base jsonb, p_changes jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_key text;
  v_value jsonb;
begin
  if p_changes is null then
    return p_base;
  end if;
  if jsonb_typeof(p_changes) <> 'object' then
    perform tutela_private.invalid('permissions must be a JSON object',
      'For example {"journal": true, "grades": false}.');
  end if;
  for v_key, v_value in select e.key, e.value from jsonb_each(p_changes) as e loop
    if not v_key = any(tutela_hidden.link_permission_keys()) then
      perform tutela_private.invalid(pg_catalog.format('unknown permission %L', v_key),
        'Known permissions: ' || array_to_string(tutela_hidden.link_permission_keys(), ', ') || '.');
    end if;
    if jsonb_typeof(v_value) <> 'boolean' then
      perform tutela_private.invalid(pg_catalog.format('permission %L must be true or false', v_key));
    end if;
  end loop;
  return p_base || p_changes;
end;
$$;
revoke all on function tutela_private.merge_link_permissions(jsonb, jsonb)
from public, anon, authenticated, service_role;

create or replace function tutela_private.check_relation(p_relation text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_relation is null or p_relation not in ('mother', 'father', 'guardian', 'other') then
    perform tutela_private.invalid(pg_catalog.format('unknown relation %L', p_relation),
      'Use mother, father, guardian or other.');
  end if;
  return p_relation;
end;
$$;
revoke all on function tutela_private.check_relation(text)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- The guardian cap: under a lock in the functions, and a constraint trigger as a backstop
-- =============================================================================================

-- Lock the student's guardians for a change and return the student. Every path that adds,
-- restores or re-activates a guardian comes here first (the cap's backstop trigger too), so
-- they are serialised per student. The lock row is updated, not only locked: under REPEATABLE
-- READ or SERIALIZABLE a transaction whose snapshot predates another's committed change then
-- fails with 40001 (retry) instead of counting the student's guardians from a stale snapshot.
-- Lowering the cap updates the same rows (update_organization_settings).
create or replace function tutela_private.lock_student(p_student_id uuid)
returns tutela.students
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_student tutela.students;
begin
  select * into v_student from tutela.students as s where s.id = p_student_id for update;
  if not found then
    perform tutela_private.not_found('student');
  end if;
  insert into tutela_private.student_guardian_locks as k (student_id, version)
  values (p_student_id, 1)
  on conflict (student_id) do update set version = k.version + 1;
  return v_student;
end;
$$;
revoke all on function tutela_private.lock_student(uuid)
from public, anon, authenticated, service_role;

create or replace function tutela_private.guardian_slots_left(p_student_id uuid)
returns integer
language plpgsql  -- plpgsql keeps its plan (see readable_student_ids)
stable
security definer
set search_path = ''
as $$
begin
  return (
    select o.max_guardians_per_student - (
      select count(*)::int from tutela.guardian_links as l
      where l.student_id = p_student_id and l.status in ('active', 'pending')
    )
    from tutela.students as s
    join tutela.organizations as o on o.id = s.organization_id
    where s.id = p_student_id
  );
end;
$$;
revoke all on function tutela_private.guardian_slots_left(uuid)
from public, anon, authenticated, service_role;

create or replace function tutela_private.enforce_guardian_cap()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if new.status in ('active', 'pending') then
    perform tutela_private.lock_student(new.student_id);
    if tutela_private.guardian_slots_left(new.student_id) < 0 then
      raise exception 'this student already has the maximum number of guardians'
        using errcode = 'TU409', detail = 'guardian_limit_reached',
        hint = 'Revoke a guardian link first, or raise max_guardians_per_student.';
    end if;
  end if;
  return null;
end;
$$;
revoke all on function tutela_private.enforce_guardian_cap()
from public, anon, authenticated, service_role;

-- revoked_as follows the status: kept (or, for a direct write by the service role or a SQL
-- console, filled in) on a revoked link, cleared on any other
create or replace function tutela_private.stamp_revocation()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  if new.status = 'revoked' then
    new.revoked_as := coalesce(new.revoked_as,
      case when (select auth.role()) = 'service_role' then 'service_role' else 'system' end);
  else
    new.revoked_as := null;
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.stamp_revocation()
from public, anon, authenticated, service_role;

drop trigger if exists guardian_links_stamp_revocation on tutela.guardian_links;
create trigger guardian_links_stamp_revocation
before insert or update of status, revoked_as on tutela.guardian_links
for each row execute function tutela_private.stamp_revocation();

drop trigger if exists guardian_links_cap on tutela.guardian_links;
create constraint trigger guardian_links_cap
after insert or update of status, student_id on tutela.guardian_links
for each row execute function tutela_private.enforce_guardian_cap();

-- A revocation holds against every path that could bring the link back (a code, an invite, a
-- co-parent's invite, a roster import, a staff restore) except a decision made after it by
-- someone who may overrule it (docs/guardianship.md, "A revocation holds"):
--   revoked by the guardian themself   any later decision (a new code, invite, roster row; a
--                                      staff restore is refused: restore_guardian_link);
--   revoked (or declined) by the student  any later decision, but only as pending: the
--                                      student's veto (student_veto) is lifted by the student's
--                                      approval alone, whatever happens to the link meanwhile;
--                                      never a roster import;
--   revoked by staff, an admin, the service role or the system  staff, admins or the service role
--                                      only (restore, or a code or invite they made later);
--   revoked by a roster import         staff, admins, the service role or a later roster run;
--   revoked by a primary guardian      staff, admins, the service role or a primary guardian's
--                                      later invite.
-- p_decider: the role of whoever made the decision being carried out (the code's maker, the
-- inviter, the restorer); p_decided_at: when they made it. Returns the status the link may
-- take (p_status, or 'pending' while the student's veto stands), or raises TU409.
create or replace function tutela_private.undo_revocation(
  p_link tutela.guardian_links, p_decider text, p_decided_at timestamptz, p_status text
)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_link.id is null or p_link.status <> 'revoked' then
    return p_status;
  end if;
  if p_decider is null or p_decided_at is null or p_decided_at <= p_link.revoked_at then
    perform tutela_private.conflict(
      'this guardian''s link was revoked after this code or invite was made',
      'revoked_after_decision', 'Ask for a new code or invite.');
  end if;
  if p_link.revoked_as = 'student' and p_decider = 'roster' then
    perform tutela_private.conflict('the student removed this guardian', 'revoked_by_student',
      'The student can link them again; a school''s file cannot.');
  end if;
  if p_link.revoked_as in ('staff', 'admin', 'service_role', 'system')
    and p_decider not in ('admin', 'staff', 'service_role') then
    perform tutela_private.conflict('the school removed this guardian', 'revoked_by_school',
      'Only organisation staff can restore the link.');
  end if;
  if p_link.revoked_as = 'roster' and p_decider not in ('admin', 'staff', 'service_role', 'roster')
  then
    perform tutela_private.conflict('the school removed this guardian', 'revoked_by_school',
      'Only organisation staff, or the school''s roster, can bring the link back.');
  end if;
  if p_link.revoked_as = 'primary_guardian'
    and p_decider not in ('admin', 'staff', 'service_role', 'primary_guardian') then
    perform tutela_private.conflict('the primary guardian removed this guardian',
      'revoked_by_primary_guardian', 'Organisation staff can restore the link.');
  end if;
  if p_link.student_veto or p_link.revoked_as = 'student' then
    return 'pending';  -- the child decides: back only with the student's approval
  end if;
  return p_status;
end;
$$;

revoke all on function tutela_private.undo_revocation(
  tutela.guardian_links, text, timestamptz, text
) from public, anon, authenticated, service_role;

-- The role a link code's maker had for its student: 'student' for the student's own code,
-- 'staff' or 'admin' while its maker still works in the student's organisation; null when the
-- maker may no longer make codes for the student (left the organisation, or deleted).
create or replace function tutela_private.code_maker_role(
  p_code tutela_private.guardian_link_codes, p_student tutela.students
)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when p_code.created_by is null then null
    when p_code.created_by = p_student.user_id then 'student'
    else (
      select m.role from tutela.memberships as m
      where m.organization_id = p_student.organization_id and m.user_id = p_code.created_by
    )
  end
$$;

revoke all on function tutela_private.code_maker_role(
  tutela_private.guardian_link_codes, tutela.students
)
from public, anon, authenticated, service_role;

-- Create, or bring back, the link of a guardian to a student (the student must be locked by
-- the caller: tutela_private.lock_student). Refuses an existing pending or active link, a full cap,
-- and a revoked link that the decision being carried out may not bring back
-- (tutela_private.undo_revocation: p_decider and p_decided_at say whose decision and when).
-- p_sis_id
-- and p_managed: a roster's key for the link (kept when null) and its mark.
drop function if exists tutela_private.attach_guardian(
  tutela.students, uuid, text, jsonb, text, text, text, uuid, uuid
);
drop function if exists tutela_private.attach_guardian(
  tutela.students, uuid, text, jsonb, text, text, text, uuid, uuid, text, boolean
);
create or replace function tutela_private.attach_guardian(
  p_student tutela.students,
  p_guardian_id uuid,
  p_relation text,
  p_permissions jsonb,
  p_via text,
  p_status text,
  p_actor_role text,
  p_decider text,
  p_decided_at timestamptz,
  p_code_id uuid default null,
  p_invite_id uuid default null,
  p_sis_id text default null,
  p_managed boolean default false
)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_link tutela.guardian_links;
  v_old tutela.guardian_links;
  v_status text := p_status;
begin
  if p_student.user_id = p_guardian_id then
    raise exception 'a student cannot be their own guardian'
      using errcode = 'TU409', detail = 'self_link';
  end if;
  select * into v_old from tutela.guardian_links as l
  where l.student_id = p_student.id and l.guardian_id = p_guardian_id
  for update;
  if found and v_old.status in ('active', 'pending') then
    perform tutela_private.conflict('already linked to this student', 'already_linked');
  end if;
  v_status := tutela_private.undo_revocation(v_old, p_decider, p_decided_at, p_status);
  if tutela_private.guardian_slots_left(p_student.id) <= 0 then
    perform tutela_private.conflict('this student already has the maximum number of guardians',
      'guardian_limit_reached', 'A link must be revoked before another guardian can join.');
  end if;
  if v_old.id is null then
    insert into tutela.guardian_links (
      student_id, guardian_id, relation, permissions, status, created_via, activated_at,
      sis_id, managed_by_roster
    )
    values (
      p_student.id, p_guardian_id, p_relation,
      coalesce(p_permissions, tutela_hidden.default_link_permissions()), v_status, p_via,
      case when v_status = 'active' then pg_catalog.now() end, p_sis_id, p_managed
    )
    returning * into v_link;
  else
    update tutela.guardian_links as l
    set status = v_status, relation = p_relation,
      permissions = coalesce(p_permissions, tutela_hidden.default_link_permissions()),
      created_via = p_via, is_primary = false,
      activated_at = case when v_status = 'active' then pg_catalog.now() end,
      revoked_at = null, revoked_by = null, revoke_reason = null, revoked_as = null,
      updated_at = pg_catalog.now(),
      sis_id = coalesce(p_sis_id, l.sis_id), managed_by_roster = l.managed_by_roster or p_managed
    where l.id = v_old.id
    returning * into v_link;
  end if;
  perform tutela_private.audit(
    case when v_old.id is null then 'link_created' else 'link_restored' end,
    p_actor_role, p_student.organization_id, p_student.id, v_link.id, p_code_id, p_invite_id,
    p_guardian_id, case when v_old.id is not null then to_jsonb(v_old) end,
    to_jsonb(v_link) || jsonb_build_object('decided_by_role', p_decider)
  );
  return v_link;
end;
$$;
revoke all on function tutela_private.attach_guardian(
  tutela.students,
  uuid,
  text,
  jsonb,
  text,
  text,
  text,
  text,
  timestamp with time zone,
  uuid,
  uuid,
  text,
  boolean
) from public, anon, authenticated, service_role;

-- Make an active link its student's primary guardian, unsetting the previous one; audited.
create or replace function tutela_private.make_primary(
  p_link tutela.guardian_links, p_actor_role text
)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_previous uuid;
  v_link tutela.guardian_links;
begin
  update tutela.guardian_links as l set is_primary = false, updated_at = pg_catalog.now()
  where l.student_id = p_link.student_id and l.is_primary and l.id <> p_link.id
  returning l.id into v_previous;
  update tutela.guardian_links as l set is_primary = true, updated_at = pg_catalog.now()
  where l.id = p_link.id
  returning * into v_link;
  perform tutela_private.audit('primary_changed', p_actor_role, tutela_private.link_org(v_link),
    v_link.student_id, v_link.id, p_subject_user_id => v_link.guardian_id,
    p_old => jsonb_build_object('primary_link_id', v_previous),
    p_new => jsonb_build_object('primary_link_id', v_link.id));
  return v_link;
end;
$$;
revoke all on function tutela_private.make_primary(tutela.guardian_links, text)
from public, anon, authenticated, service_role;

-- Revoke a link at once (the caller locked it and checked who may): no longer primary, who and
-- why kept (revoked_as decides who may bring it back: tutela_private.undo_revocation), audited.
-- With
-- it go the invites its guardian sent for the student, the invites to its guardian for the
-- student, and the student's link codes this guardian redeemed that still work (they know
-- them: a second account could use them).
-- Notifications, erasure requests and other deferred actions react through their own
-- triggers on guardian_links.
create or replace function tutela_private.revoke_link(
  p_old tutela.guardian_links, p_actor_role text, p_revoked_by uuid, p_reason text
)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_link tutela.guardian_links;
  v_id uuid;
  v_as text := case
    when (select auth.role()) = 'service_role' and p_actor_role <> 'roster' then 'service_role'
    when p_actor_role in (
      'student', 'guardian', 'primary_guardian', 'staff', 'admin', 'roster', 'service_role'
    ) then p_actor_role
    else 'system'
  end;
begin
  update tutela.guardian_links as l
  set status = 'revoked', is_primary = false, revoked_at = pg_catalog.clock_timestamp(),
    revoked_by = p_revoked_by, revoke_reason = p_reason, revoked_as = v_as,
    student_veto = l.student_veto or v_as = 'student', updated_at = pg_catalog.now()
  where l.id = p_old.id
  returning * into v_link;
  perform tutela_private.audit('link_revoked', p_actor_role, tutela_private.link_org(v_link),
    v_link.student_id, v_link.id, p_subject_user_id => v_link.guardian_id,
    p_old => to_jsonb(p_old), p_new => to_jsonb(v_link));
  for v_id in
    update tutela.guardian_invites as i set status = 'withdrawn', updated_at = pg_catalog.now()
    where i.student_id = v_link.student_id and i.invited_by = v_link.guardian_id
      and i.status = 'pending'
    returning i.id
  loop
    perform tutela_private.audit('invite_withdrawn', p_actor_role, tutela_private.link_org(v_link),
      v_link.student_id, p_invite_id => v_id,
      p_new => jsonb_build_object('reason', 'the inviter''s link was revoked'));
  end loop;
  -- invites to this guardian for the student, sent before the revocation, can no longer bring
  -- the link back (tutela_private.undo_revocation): withdrawn, so nobody is mailed a dead invite
  for v_id in
    update tutela.guardian_invites as i set status = 'withdrawn', updated_at = pg_catalog.now()
    where i.student_id = v_link.student_id and i.status = 'pending'
      and lower(i.email) = (
        select lower(u.email) from auth.users as u where u.id = v_link.guardian_id
      )
    returning i.id
  loop
    perform tutela_private.audit('invite_withdrawn', p_actor_role, tutela_private.link_org(v_link),
      v_link.student_id, p_invite_id => v_id,
      p_new => jsonb_build_object('reason', 'the invitee''s link was revoked'));
  end loop;
  for v_id in
    update tutela_private.guardian_link_codes as c set withdrawn_at = pg_catalog.now()
    where c.student_id = v_link.student_id and c.withdrawn_at is null
      and c.uses < c.max_uses and c.expires_at > pg_catalog.now()
      and c.id in (
        select e.code_id from tutela.link_events as e
        where e.link_id = v_link.id and e.code_id is not null
      )
    returning c.id
  loop
    perform tutela_private.audit('code_withdrawn', p_actor_role, tutela_private.link_org(v_link),
      v_link.student_id, p_code_id => v_id,
      p_new => jsonb_build_object('reason', 'a guardian who redeemed it was revoked'));
  end loop;
  return v_link;
end;
$$;
revoke all on function tutela_private.revoke_link(
  tutela.guardian_links, text, uuid, text
) from public, anon, authenticated, service_role;

-- Withdraw a pending guardian invite (the caller checked who may); audited, with a reason when
-- given.
create or replace function tutela_private.withdraw_invite(
  p_invite_id uuid, p_actor_role text, p_reason text default null
)
returns tutela.guardian_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite tutela.guardian_invites;
begin
  update tutela.guardian_invites as i set status = 'withdrawn', updated_at = pg_catalog.now()
  where i.id = p_invite_id
  returning * into v_invite;
  perform tutela_private.audit('invite_withdrawn', p_actor_role,
    (select s.organization_id from tutela.students as s where s.id = v_invite.student_id),
    v_invite.student_id, p_invite_id => v_invite.id,
    p_new => case when p_reason is not null then jsonb_build_object('reason', p_reason) end);
  return v_invite;
end;
$$;
revoke all on function tutela_private.withdraw_invite(uuid, text, text)
from public, anon, authenticated, service_role;

-- A guardian invite: replaces a pending one to the same address, queues the email with the
-- token (the only plain copy besides the answer), audited. The caller checked who may, the
-- address, the relation and the cap. p_sis_id, p_managed, p_make_primary: from a roster.
create or replace function tutela_private.create_guardian_invite(
  p_student tutela.students,
  p_email text,
  p_name text,
  p_relation text,
  p_permissions jsonb,
  p_invited_by uuid,
  p_actor_role text,
  p_sis_id text default null,
  p_managed boolean default false,
  p_make_primary boolean default false,
  out p_invite_id uuid,
  out p_token text,
  out p_expires_at timestamptz
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org tutela.organizations;
  v_invite tutela.guardian_invites;
begin
  select * into v_org from tutela.organizations as o where o.id = p_student.organization_id;
  p_token := tutela_private.new_token();
  update tutela.guardian_invites as i set status = 'withdrawn', updated_at = pg_catalog.now()
  where i.student_id = p_student.id and lower(i.email) = p_email and i.status = 'pending';
  -- created_at in clock time: it orders the invite against revocations (undo_revocation)
  insert into tutela.guardian_invites (
    student_id, email, name, relation, permissions, token_hash, expires_at, invited_by, sis_id,
    managed_by_roster, make_primary, created_at
  )
  values (
    p_student.id, p_email, p_name, p_relation, p_permissions, tutela_private.hash_secret(p_token),
    pg_catalog.now() + v_org.guardian_invite_ttl, p_invited_by, p_sis_id, p_managed,
    p_make_primary, pg_catalog.clock_timestamp()
  )
  returning * into v_invite;
  insert into tutela_private.notification_outbox (kind, recipient_email, student_id, payload)
  values (
    'guardian_invite', p_email, p_student.id,
    jsonb_build_object(
      'invite_id', v_invite.id, 'token', p_token, 'student_name', p_student.display_name,
      'organization_name', v_org.name, 'invitee_name', v_invite.name,
      'relation', v_invite.relation, 'expires_at', v_invite.expires_at,
      'invited_by', p_invited_by
    )
  );
  perform tutela_private.audit('invite_created', p_actor_role, v_org.id, p_student.id,
    p_invite_id => v_invite.id,
    p_new => jsonb_build_object('email', p_email, 'relation', p_relation,
      'permissions', v_invite.permissions, 'expires_at', v_invite.expires_at));
  p_invite_id := v_invite.id;
  p_expires_at := v_invite.expires_at;
end;
$$;
revoke all on function tutela_private.create_guardian_invite(
  tutela.students, text, text, text, jsonb, uuid, text, text, boolean, boolean
) from public, anon, authenticated, service_role;

-- The last-admin rule: refuse to take the admin role from p_user_id when they are the
-- organisation's only admin. Locks the organisation row: membership changes of one
-- organisation are serialised, whoever makes them.
create or replace function tutela_private.keep_an_admin(p_organization_id uuid, p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform 1 from tutela.organizations as o where o.id = p_organization_id for update;
  if not exists (
    select 1 from tutela.memberships as m
    where m.organization_id = p_organization_id and m.role = 'admin' and m.user_id <> p_user_id
  ) then
    perform tutela_private.conflict('an organisation must keep at least one admin', 'last_admin',
      'Make someone else an admin first.');
  end if;
end;
$$;
revoke all on function tutela_private.keep_an_admin(uuid, uuid)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Organisations, members, students
-- =============================================================================================

create or replace function tutela.create_organization(p_name text, p_slug text)
returns tutela.organizations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- any signed-in user
  v_org tutela.organizations;
begin
  if p_name is null or char_length(btrim(p_name)) not between 1 and 200 then
    perform tutela_private.invalid('the organisation name must be 1 to 200 characters');
  end if;
  if p_slug is null or p_slug !~ '^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$' then
    perform tutela_private.invalid('the slug must be 3 to 63 lower-case letters, digits or dashes',
      'For example: riverside-academy.');
  end if;
  if exists (select 1 from tutela.organizations as o where o.slug = p_slug) then
    perform tutela_private.conflict('that slug is taken', 'slug_taken', 'Choose another slug.');
  end if;
  insert into tutela.organizations (name, slug, created_by)
  values (btrim(p_name), p_slug, v_uid)
  returning * into v_org;
  insert into tutela.memberships (organization_id, user_id, role)
  values (v_org.id, v_uid, 'admin');
  perform tutela_private.audit('organization_created', 'admin', v_org.id, p_new => to_jsonb(v_org));
  return v_org;
exception
  when unique_violation then
    perform tutela_private.conflict('that slug is taken', 'slug_taken', 'Choose another slug.');
end;
$$;

comment on function tutela.create_organization(text, text) is
'Creates an organisation; the caller becomes its first admin. Any signed-in user.';
revoke all on function tutela.create_organization(text, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.create_organization(text, text) to authenticated, service_role;

create or replace function tutela.add_organization_member(
  p_organization_id uuid, p_user_id uuid, p_role text
)
returns tutela.memberships
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.memberships;
  v_member tutela.memberships;
  v_actor text := 'admin';
begin
  if tutela_private.is_service_role() then
    v_actor := 'service_role';  -- the app's back office, acting for a user who agreed in the app
  else
    perform tutela_hidden.require_uid();
    -- an organisation the caller does not run, or none: the same refusal
    if tutela_private.role_in_organization(p_organization_id) is distinct from 'admin' then
      perform tutela_private.deny('only organisation admins manage members');
    end if;
  end if;
  if p_role is null or p_role not in ('admin', 'staff') then
    perform tutela_private.invalid(pg_catalog.format('unknown role %L', p_role), 'Use admin or staff.');
  end if;
  -- serialise membership changes of one organisation (last-admin rule)
  perform 1 from tutela.organizations as o where o.id = p_organization_id for update;
  if not found then
    perform tutela_private.not_found('organisation');  -- the service role only: admins passed above
  end if;
  select * into v_old from tutela.memberships as m
  where m.organization_id = p_organization_id and m.user_id = p_user_id;
  if v_old.id is null and v_actor = 'admin' then
    -- a person joins only by accepting an invitation; whether the id is a user is not told
    perform tutela_private.conflict('only a member''s role can be changed here; invite newcomers',
      'invite_required', 'Use invite_organization_member; they join when they accept.');
  end if;
  if v_old.id is null
    and (p_user_id is null or not exists (select 1 from auth.users as u where u.id = p_user_id))
  then
    perform tutela_private.not_found('user');
  end if;
  if v_old.role = 'admin' and p_role <> 'admin' then
    perform tutela_private.keep_an_admin(p_organization_id, p_user_id);
  end if;
  insert into tutela.memberships (organization_id, user_id, role)
  values (p_organization_id, p_user_id, p_role)
  on conflict (organization_id, user_id) do update set role = excluded.role
  returning * into v_member;
  perform tutela_private.audit(
    case when v_old.id is null then 'member_added' else 'member_role_changed' end,
    v_actor, p_organization_id, p_subject_user_id => p_user_id,
    p_old => to_jsonb(v_old), p_new => to_jsonb(v_member)
  );
  return v_member;
end;
$$;

comment on function tutela.add_organization_member(uuid, uuid, text) is
'Changes a member''s role (admins of the organisation). Newcomers join by accepting an invite '
'(invite_organization_member); only the service role adds a user directly.';
revoke all on function tutela.add_organization_member(uuid, uuid, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.add_organization_member(uuid, uuid, text)
to authenticated, service_role;

create or replace function tutela.remove_organization_member(
  p_organization_id uuid, p_user_id uuid
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.memberships;
begin
  perform tutela_hidden.require_uid();
  -- an organisation the caller does not run, or none: the same refusal
  if tutela_private.role_in_organization(p_organization_id) is distinct from 'admin' then
    perform tutela_private.deny('only organisation admins manage members');
  end if;
  perform 1 from tutela.organizations as o where o.id = p_organization_id for update;
  select * into v_old from tutela.memberships as m
  where m.organization_id = p_organization_id and m.user_id = p_user_id;
  if not found then
    perform tutela_private.not_found('membership');
  end if;
  if v_old.role = 'admin' then
    perform tutela_private.keep_an_admin(p_organization_id, p_user_id);
  end if;
  delete from tutela.memberships as m where m.id = v_old.id;
  perform tutela_private.audit('member_removed', 'admin', p_organization_id,
    p_subject_user_id => p_user_id, p_old => to_jsonb(v_old));
end;
$$;

comment on function tutela.remove_organization_member(uuid, uuid) is
'Removes a member from an organisation. Admins only; the last admin cannot be removed.';
revoke all on function tutela.remove_organization_member(uuid, uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.remove_organization_member(uuid, uuid)
to authenticated, service_role;

-- =============================================================================================
-- Membership invites: an existing login joins an organisation only by accepting
-- =============================================================================================

-- An invitation to join p_org as p_role, by email: replaces a pending one to the same address,
-- queues the email with the token (the only plain copy besides the answer), audited. The
-- caller checked who may and the values.
create or replace function tutela_private.create_member_invite(
  p_org tutela.organizations,
  p_email text,
  p_role text,
  p_title text,
  p_invited_by uuid,
  p_actor_role text,
  p_sis_id text default null,
  p_managed boolean default false,
  out p_invite_id uuid,
  out p_token text,
  out p_expires_at timestamptz
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite tutela.membership_invites;
begin
  p_token := tutela_private.new_token();
  update tutela.membership_invites as i
  set status = 'withdrawn', decided_at = pg_catalog.now(), updated_at = pg_catalog.now()
  where i.organization_id = p_org.id and lower(i.email) = p_email and i.status = 'pending';
  insert into tutela.membership_invites (
    organization_id, email, role, title, token_hash, expires_at, invited_by, sis_id,
    managed_by_roster
  )
  values (
    p_org.id, p_email, p_role, p_title, tutela_private.hash_secret(p_token),
    pg_catalog.now() + p_org.member_invite_ttl, p_invited_by, p_sis_id, p_managed
  )
  returning * into v_invite;
  insert into tutela_private.notification_outbox (kind, recipient_email, payload)
  values (
    'member_invite', p_email,
    jsonb_build_object(
      'invite_id', v_invite.id, 'token', p_token, 'organization_name', p_org.name,
      'role', p_role, 'title', p_title, 'expires_at', v_invite.expires_at,
      'invited_by', p_invited_by
    )
  );
  perform tutela_private.audit('member_invite_created', p_actor_role, p_org.id,
    p_invite_id => v_invite.id,
    p_new => jsonb_build_object('email', p_email, 'role', p_role, 'title', p_title,
      'expires_at', v_invite.expires_at));
  p_invite_id := v_invite.id;
  p_expires_at := v_invite.expires_at;
end;
$$;

revoke all on function tutela_private.create_member_invite(
  tutela.organizations, text, text, text, uuid, text, text, boolean
) from public, anon, authenticated, service_role;

create or replace function tutela.invite_organization_member(
  p_organization_id uuid, p_email text, p_role text default 'staff', p_title text default null
)
returns table (invite_id uuid, token text, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_org tutela.organizations;
  v_email text := lower(btrim(p_email));
begin
  -- an organisation the caller does not run, or none: the same refusal
  if tutela_private.role_in_organization(p_organization_id) is distinct from 'admin' then
    perform tutela_private.deny('only organisation admins invite members');
  end if;
  perform tutela_private.require_aal2(p_organization_id);
  if p_role is null or p_role not in ('admin', 'staff') then
    perform tutela_private.invalid(pg_catalog.format('unknown role %L', p_role), 'Use admin or staff.');
  end if;
  if not tutela_private.valid_email(v_email) then
    perform tutela_private.invalid('that is not an email address');
  end if;
  if p_title is not null and char_length(p_title) > 100 then
    perform tutela_private.invalid('the title is limited to 100 characters');
  end if;
  select * into v_org from tutela.organizations as o where o.id = p_organization_id for update;
  if exists (
    select 1 from tutela.memberships as m
    join auth.users as u on u.id = m.user_id
    where m.organization_id = p_organization_id and lower(u.email) = v_email
  ) then
    perform tutela_private.conflict('that person is already a member', 'already_member',
      'Change their role with add_organization_member.');
  end if;
  return query select c.p_invite_id, c.p_token, c.p_expires_at
  from tutela_private.create_member_invite(
    v_org, v_email, p_role, nullif(btrim(p_title), ''), v_uid, 'admin'
  ) as c;
end;
$$;

comment on function tutela.invite_organization_member(uuid, text, text, text) is
'Invites someone by email to join as staff or admin (queues the email); they join when they '
'accept. Admins only. The answer is the same whether or not the address has an account.';
revoke all on function tutela.invite_organization_member(uuid, text, text, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.invite_organization_member(uuid, text, text, text)
to authenticated, service_role;

-- The pending, unexpired membership invite of a token, locked, addressed to the caller; TU404
-- for an unknown, used or expired token, TU403 for an invite sent to another address.
create or replace function tutela_private.my_member_invite(p_token text)
returns tutela.membership_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_invite tutela.membership_invites;
begin
  select * into v_invite from tutela.membership_invites as i
  where i.token_hash = tutela_private.hash_secret(coalesce(left(p_token, 200), ''))
  for update;
  if not found or v_invite.status <> 'pending' or v_invite.expires_at <= pg_catalog.now() then
    raise exception 'invalid or expired invite'
      using errcode = 'TU404', hint = 'Ask for a new invite.';
  end if;
  if (select lower(u.email) from auth.users as u where u.id = v_uid)
    is distinct from lower(v_invite.email) then
    perform tutela_private.deny('this invite was sent to another email address');
  end if;
  return v_invite;
end;
$$;

revoke all on function tutela_private.my_member_invite(text)
from public, anon, authenticated, service_role;

-- Whether a membership invite's sender may still invite: an admin of the organisation, or the
-- school's roster. Asked at acceptance and before its email is sent.
create or replace function tutela_private.member_inviter_ok(p_invite tutela.membership_invites)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select (p_invite.managed_by_roster and p_invite.invited_by is null) or exists (
    select 1 from tutela.memberships as m
    where m.organization_id = p_invite.organization_id and m.user_id = p_invite.invited_by
      and m.role = 'admin'
  )
$$;

revoke all on function tutela_private.member_inviter_ok(tutela.membership_invites)
from public, anon, authenticated, service_role;

create or replace function tutela.accept_organization_invite(p_token text)
returns tutela.memberships
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the signed-in user the invite was sent to
  v_invite tutela.membership_invites := tutela_private.my_member_invite(p_token);
  v_member tutela.memberships;
begin
  -- membership changes of one organisation are serialised (the last-admin rule)
  perform 1 from tutela.organizations as o where o.id = v_invite.organization_id for update;
  -- the inviter must still be an admin there (a roster's invite: the school's own system)
  if not tutela_private.member_inviter_ok(v_invite) then
    raise exception 'invalid or expired invite'
      using errcode = 'TU404', hint = 'The person who invited you can no longer do so.';
  end if;
  if exists (
    select 1 from tutela.memberships as m
    where m.organization_id = v_invite.organization_id and m.user_id = v_uid
  ) then
    perform tutela_private.conflict('you are already a member of this organisation', 'already_member');
  end if;
  insert into tutela.memberships (
    organization_id, user_id, role, title, sis_id, managed_by_roster
  )
  values (
    v_invite.organization_id, v_uid, v_invite.role, v_invite.title,
    case when not exists (
      select 1 from tutela.memberships as m
      where m.organization_id = v_invite.organization_id and m.sis_id = v_invite.sis_id
    ) then v_invite.sis_id end,
    v_invite.managed_by_roster
  )
  returning * into v_member;
  update tutela.membership_invites as i
  set status = 'accepted', decided_by = v_uid, decided_at = pg_catalog.now(),
    updated_at = pg_catalog.now()
  where i.id = v_invite.id;
  perform tutela_private.audit('member_added', 'member', v_invite.organization_id,
    p_invite_id => v_invite.id, p_subject_user_id => v_uid, p_new => to_jsonb(v_member));
  return v_member;
end;
$$;

comment on function tutela.accept_organization_invite(text) is
'Joins the organisation of a membership invite: the signed-in user whose email it was sent to.';
revoke all on function tutela.accept_organization_invite(text)
from public, anon, authenticated, service_role;
grant execute on function tutela.accept_organization_invite(text) to authenticated, service_role;

create or replace function tutela.decline_organization_invite(p_token text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_invite tutela.membership_invites := tutela_private.my_member_invite(p_token);
begin
  update tutela.membership_invites as i
  set status = 'declined', decided_by = v_uid, decided_at = pg_catalog.now(),
    updated_at = pg_catalog.now()
  where i.id = v_invite.id;
  -- (no user id: a decline must not tell the organisation that the address has an account)
  perform tutela_private.audit('member_invite_declined', 'member', v_invite.organization_id,
    p_invite_id => v_invite.id);
end;
$$;

comment on function tutela.decline_organization_invite(text) is
'Declines a membership invite: the signed-in user whose email it was sent to.';
revoke all on function tutela.decline_organization_invite(text)
from public, anon, authenticated, service_role;
grant execute on function tutela.decline_organization_invite(text) to authenticated, service_role;

create or replace function tutela.withdraw_organization_invite(p_invite_id uuid)
returns tutela.membership_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite tutela.membership_invites;
begin
  perform tutela_hidden.require_uid();
  select * into v_invite from tutela.membership_invites as i where i.id = p_invite_id for update;
  -- an invite of an organisation the caller does not run, or none: the same refusal
  if not found
    or tutela_private.role_in_organization(v_invite.organization_id) is distinct from 'admin' then
    perform tutela_private.deny('only organisation admins withdraw membership invites');
  end if;
  if v_invite.status <> 'pending' then
    perform tutela_private.conflict('only a pending invite can be withdrawn', 'not_pending');
  end if;
  update tutela.membership_invites as i
  set status = 'withdrawn', decided_by = (select auth.uid()), decided_at = pg_catalog.now(),
    updated_at = pg_catalog.now()
  where i.id = p_invite_id
  returning * into v_invite;
  perform tutela_private.audit('member_invite_withdrawn', 'admin', v_invite.organization_id,
    p_invite_id => v_invite.id);
  return v_invite;
end;
$$;

comment on function tutela.withdraw_organization_invite(uuid) is
'Withdraws a pending membership invite. Admins of the organisation.';
revoke all on function tutela.withdraw_organization_invite(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.withdraw_organization_invite(uuid) to authenticated, service_role;

create or replace function tutela.update_organization_settings(
  p_organization_id uuid, p_settings jsonb
)
returns tutela.organizations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.organizations;
  v_org tutela.organizations;
  v_key text;
  v_value jsonb;
  v_int integer;
  v_interval interval;
begin
  perform tutela_hidden.require_uid();
  -- an organisation the caller does not run, or none: the same refusal (no probing of ids)
  if tutela_private.role_in_organization(p_organization_id) is distinct from 'admin' then
    perform tutela_private.deny('only organisation admins change settings');
  end if;
  select * into v_old from tutela.organizations as o where o.id = p_organization_id for update;
  if p_settings is null or jsonb_typeof(p_settings) <> 'object' or p_settings = '{}'::jsonb then
    perform tutela_private.invalid('settings must be a non-empty JSON object');
  end if;
  v_org := v_old;
  for v_key, v_value in select e.key, e.value from jsonb_each(p_settings) as e loop
    case v_key
      when 'name' then
        if jsonb_typeof(v_value) <> 'string'
          or char_length(btrim(v_value #>> '{}')) not between 1 and 200 then
          perform tutela_private.invalid('name must be 1 to 200 characters');
        end if;
        v_org.name := btrim(v_value #>> '{}');
      when 'max_guardians_per_student' then
        if jsonb_typeof(v_value) <> 'number' or (v_value #>> '{}') !~ '^\d{1,2}$' then
          perform tutela_private.invalid('max_guardians_per_student must be a whole number from 1 to 10');
        end if;
        v_int := (v_value #>> '{}')::integer;
        if v_int not between 1 and 10 then
          perform tutela_private.invalid('max_guardians_per_student must be a whole number from 1 to 10');
        end if;
        v_org.max_guardians_per_student := v_int;
      when 'link_requires_student_approval', 'students_may_create_link_codes',
        'family_access_enabled', 'roster_trusted' then
        if jsonb_typeof(v_value) <> 'boolean' then
          perform tutela_private.invalid(pg_catalog.format('%s must be true or false', v_key));
        end if;
        if v_key = 'link_requires_student_approval' then
          v_org.link_requires_student_approval := (v_value #>> '{}')::boolean;
        elsif v_key = 'students_may_create_link_codes' then
          v_org.students_may_create_link_codes := (v_value #>> '{}')::boolean;
        elsif v_key = 'roster_trusted' then
          v_org.roster_trusted := (v_value #>> '{}')::boolean;
        else
          v_org.family_access_enabled := (v_value #>> '{}')::boolean;
        end if;
      when 'guardian_invite_policy' then
        if jsonb_typeof(v_value) <> 'string' or (v_value #>> '{}') not in (
          'admins', 'staff', 'staff_and_primary_guardians'
        ) then
          perform tutela_private.invalid('guardian_invite_policy is admins, staff or '
            || 'staff_and_primary_guardians');
        end if;
        v_org.guardian_invite_policy := v_value #>> '{}';
      when 'digital_consent_age' then
        if jsonb_typeof(v_value) <> 'number' or (v_value #>> '{}') !~ '^\d{1,2}$'
          or (v_value #>> '{}')::integer not between 13 and 21 then
          perform tutela_private.invalid('digital_consent_age must be a whole number from 13 to 21');
        end if;
        v_org.digital_consent_age := (v_value #>> '{}')::smallint;
      when 'link_code_ttl', 'guardian_invite_ttl', 'student_invite_ttl', 'member_invite_ttl' then
        begin
          v_interval := (v_value #>> '{}')::interval;
        exception
          when others then
            perform tutela_private.invalid(
              pg_catalog.format('%s must be an interval such as "24 hours"', v_key));
        end;
        if jsonb_typeof(v_value) <> 'string' or v_interval is null
          or (v_key = 'link_code_ttl'
            and v_interval not between interval '5 minutes' and interval '30 days')
          or (v_key <> 'link_code_ttl'
            and v_interval not between interval '1 hour' and interval '90 days')
        then
          perform tutela_private.invalid(pg_catalog.format('%s is out of range', v_key),
            'link_code_ttl: 5 minutes to 30 days; invite ttls: 1 hour to 90 days.');
        end if;
        if v_key = 'link_code_ttl' then
          v_org.link_code_ttl := v_interval;
        elsif v_key = 'guardian_invite_ttl' then
          v_org.guardian_invite_ttl := v_interval;
        elsif v_key = 'member_invite_ttl' then
          v_org.member_invite_ttl := v_interval;
        else
          v_org.student_invite_ttl := v_interval;
        end if;
      else
        perform tutela_private.invalid(pg_catalog.format('unknown setting %L', v_key),
          'Known settings: name, max_guardians_per_student, link_requires_student_approval, '
          || 'link_code_ttl, guardian_invite_ttl, student_invite_ttl, member_invite_ttl, '
          || 'guardian_invite_policy, students_may_create_link_codes, family_access_enabled, '
          || 'roster_trusted, digital_consent_age.');
    end case;
  end loop;
  if v_org.max_guardians_per_student < v_old.max_guardians_per_student then
    -- take every student's guardian lock (tutela_private.lock_student): a link being added waits, or,
    -- under REPEATABLE READ or SERIALIZABLE, one of the two transactions fails with 40001
    update tutela_private.student_guardian_locks as k set version = k.version + 1
    where k.student_id in (
      select s.id from tutela.students as s where s.organization_id = p_organization_id
    );
  end if;
  if v_org.max_guardians_per_student < v_old.max_guardians_per_student and exists (
    select 1 from tutela.students as s
    where s.organization_id = p_organization_id
      and (
        select count(*) from tutela.guardian_links as l
        where l.student_id = s.id and l.status in ('active', 'pending')
      ) > v_org.max_guardians_per_student
  ) then
    perform tutela_private.conflict('some students already have more guardians than that',
      'guardian_limit_below_current', 'Revoke links first, or choose a higher limit.');
  end if;
  update tutela.organizations as o
  set name = v_org.name,
    max_guardians_per_student = v_org.max_guardians_per_student,
    link_requires_student_approval = v_org.link_requires_student_approval,
    link_code_ttl = v_org.link_code_ttl,
    guardian_invite_ttl = v_org.guardian_invite_ttl,
    student_invite_ttl = v_org.student_invite_ttl,
    member_invite_ttl = v_org.member_invite_ttl,
    roster_trusted = v_org.roster_trusted,
    guardian_invite_policy = v_org.guardian_invite_policy,
    students_may_create_link_codes = v_org.students_may_create_link_codes,
    family_access_enabled = v_org.family_access_enabled,
    digital_consent_age = v_org.digital_consent_age,
    updated_at = pg_catalog.now()
  where o.id = p_organization_id
  returning * into v_org;
  perform tutela_private.audit('settings_changed', 'admin', p_organization_id,
    p_old => to_jsonb(v_old), p_new => to_jsonb(v_org));
  return v_org;
end;
$$;

comment on function tutela.update_organization_settings(uuid, jsonb) is
'Changes organisation settings. Admins only; unknown keys and out-of-range values are TU422.';
revoke all on function tutela.update_organization_settings(uuid, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela.update_organization_settings(uuid, jsonb)
to authenticated, service_role;

create or replace function tutela.create_student(
  p_organization_id uuid,
  p_display_name text,
  p_email text default null,
  p_birth_date date default null,
  p_user_id uuid default null
)
returns tutela.students
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_role text;
  v_student tutela.students;
begin
  if tutela_private.is_service_role() then
    v_role := 'service_role';  -- the back office (e.g. an edge function after sign-up)
  else
    perform tutela_hidden.require_uid();
  end if;
  if not exists (select 1 from tutela.organizations as o where o.id = p_organization_id) then
    perform tutela_private.not_found('organisation',
      'only staff and admins of the organisation add students');
  end if;
  if v_role is null then
    v_role := tutela_private.role_in_organization(p_organization_id);
    if v_role is null then
      perform tutela_private.deny('only staff and admins of the organisation add students');
    end if;
    if p_user_id is not null then
      -- a login joins a student record only with that user's consent: invite_student
      perform tutela_private.deny('staff cannot attach an existing login; use invite_student');
    end if;
  end if;
  if p_display_name is null or char_length(btrim(p_display_name)) not between 1 and 200 then
    perform tutela_private.invalid('the display name must be 1 to 200 characters');
  end if;
  if p_email is not null and not tutela_private.valid_email(p_email) then
    perform tutela_private.invalid('that is not an email address');
  end if;
  if p_birth_date is not null
    and (p_birth_date >= current_date or p_birth_date < date '1900-01-02') then
    perform tutela_private.invalid('the birth date must be in the past');
  end if;
  if p_user_id is not null then
    if not exists (select 1 from auth.users as u where u.id = p_user_id) then
      perform tutela_private.not_found('user');
    end if;
    if exists (select 1 from tutela.students as s where s.user_id = p_user_id) then
      perform tutela_private.conflict('that user is already a student', 'already_student');
    end if;
  end if;
  insert into tutela.students (
    organization_id, display_name, email, birth_date, user_id, created_by
  )
  values (p_organization_id, btrim(p_display_name), lower(p_email), p_birth_date, p_user_id,
    (select auth.uid()))
  returning * into v_student;
  perform tutela_private.audit('student_created', v_role, p_organization_id, v_student.id,
    p_subject_user_id => p_user_id, p_new => to_jsonb(v_student));
  return v_student;
exception
  when unique_violation then
    perform tutela_private.conflict('that user is already a student', 'already_student');
end;
$$;

comment on function tutela.create_student(uuid, text, text, date, uuid) is
'Adds a student (staff and admins of the organisation); only the service role attaches a login.';
revoke all on function tutela.create_student(uuid, text, text, date, uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.create_student(uuid, text, text, date, uuid)
to authenticated, service_role;

-- =============================================================================================
-- Link codes
-- =============================================================================================

create or replace function tutela.create_guardian_link_code(
  p_student_id uuid default null,
  p_max_uses integer default 1,
  p_ttl interval default null
)
returns table (code text, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_student_id uuid := p_student_id;
  v_role text;
  v_student tutela.students;
  v_org tutela.organizations;
  v_code text;
  v_expires timestamptz;
  v_code_id uuid;
begin
  if v_student_id is null then
    select s.id into v_student_id from tutela.students as s where s.user_id = v_uid;
    if v_student_id is null then
      perform tutela_private.deny('only a student can create a code for themself');
    end if;
  end if;
  v_role := tutela_private.role_for_student(v_student_id);
  if v_role is null or v_role = 'guardian' then
    perform tutela_private.deny('only the student, or staff of their organisation, create link codes');
  end if;
  if p_max_uses is null or p_max_uses not between 1 and 100 then
    perform tutela_private.invalid('max uses must be from 1 to 100');
  end if;
  if p_ttl is not null and p_ttl not between interval '5 minutes' and interval '30 days' then
    perform tutela_private.invalid('a code lives from 5 minutes to 30 days');
  end if;
  select * into v_student from tutela.students as s where s.id = v_student_id;
  select * into v_org from tutela.organizations as o where o.id = v_student.organization_id;
  if v_role = 'student' and not v_org.students_may_create_link_codes then
    perform tutela_private.deny('your school has turned off link codes from students; ask a teacher');
  end if;
  v_code := tutela_private.new_link_code();
  v_expires := pg_catalog.now() + coalesce(p_ttl, v_org.link_code_ttl);
  -- created_at in clock time: it orders the code against revocations (undo_revocation)
  insert into tutela_private.guardian_link_codes (
    student_id, code_hash, expires_at, max_uses, created_by, created_at
  )
  values (
    v_student_id, tutela_private.hash_secret(v_code), v_expires, p_max_uses, v_uid,
    pg_catalog.clock_timestamp()
  )
  returning id into v_code_id;
  perform tutela_private.audit('code_created', v_role, v_student.organization_id, v_student_id,
    p_code_id => v_code_id,
    p_new => jsonb_build_object('expires_at', v_expires, 'max_uses', p_max_uses));
  return query select tutela_private.format_link_code(v_code), v_expires;
end;
$$;

comment on function tutela.create_guardian_link_code(uuid, integer, interval) is
'Creates a link code for a student (null: the caller''s own record), shown once. Student or staff.';
revoke all on function tutela.create_guardian_link_code(uuid, integer, interval)
from public, anon, authenticated, service_role;
grant execute on function tutela.create_guardian_link_code(uuid, integer, interval)
to authenticated, service_role;

create or replace function tutela.list_guardian_link_codes(p_student_id uuid default null)
returns table (
  id uuid, student_id uuid, status text, expires_at timestamptz, max_uses integer,
  uses integer, created_by uuid, created_at timestamptz, withdrawn_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_student_id uuid := p_student_id;
  v_role text;
begin
  if v_student_id is null then
    select s.id into v_student_id from tutela.students as s where s.user_id = v_uid;
    if v_student_id is null then
      perform tutela_private.deny('only a student has codes of their own');
    end if;
  end if;
  v_role := tutela_private.role_for_student(v_student_id);
  if v_role is null or v_role = 'guardian' then
    perform tutela_private.deny('only the student, or staff of their organisation, list link codes');
  end if;
  return query
  select c.id, c.student_id,
    case
      when c.withdrawn_at is not null then 'withdrawn'
      when c.uses >= c.max_uses then 'used'
      when c.expires_at <= pg_catalog.now() then 'expired'
      else 'active'
    end,
    c.expires_at, c.max_uses, c.uses, c.created_by, c.created_at, c.withdrawn_at
  from tutela_private.guardian_link_codes as c
  where c.student_id = v_student_id
  order by c.created_at desc;
end;
$$;

comment on function tutela.list_guardian_link_codes(uuid) is
'A student''s link codes (never the codes themselves): status, expiry, uses. The student or staff.';
revoke all on function tutela.list_guardian_link_codes(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.list_guardian_link_codes(uuid) to authenticated, service_role;

create or replace function tutela.withdraw_guardian_link_code(p_code_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_code tutela_private.guardian_link_codes;
  v_role text;
  v_org uuid;
begin
  perform tutela_hidden.require_uid();
  select * into v_code from tutela_private.guardian_link_codes as c where c.id = p_code_id for update;
  if not found then
    perform tutela_private.not_found('link code',
      'only the student, or staff of their organisation, withdraw link codes');
  end if;
  v_role := tutela_private.role_for_student(v_code.student_id);
  if v_role is null or v_role = 'guardian' then
    perform tutela_private.deny('only the student, or staff of their organisation, withdraw link codes');
  end if;
  if v_code.withdrawn_at is not null then
    return;  -- already withdrawn: nothing to do
  end if;
  update tutela_private.guardian_link_codes as c set withdrawn_at = pg_catalog.now()
  where c.id = p_code_id;
  select s.organization_id into v_org from tutela.students as s where s.id = v_code.student_id;
  perform tutela_private.audit('code_withdrawn', v_role, v_org, v_code.student_id, p_code_id => p_code_id);
end;
$$;

comment on function tutela.withdraw_guardian_link_code(uuid) is
'Withdraws a link code at once. The student or staff of their organisation.';
revoke all on function tutela.withdraw_guardian_link_code(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.withdraw_guardian_link_code(uuid) to authenticated, service_role;

-- The link-code throttles (docs/guardianship.md, "Link codes"): failed redemptions per account
-- and across all accounts, and attempts on one student's codes (a leaked code, many accounts).
-- Refuses with TU429; `details` is JSON: {"limit": "account" | "student" | "global",
-- "retry_after": seconds until an attempt is allowed again}.
create or replace function tutela_private.link_code_limits()
returns table (
  name text, max_attempts integer, window_length interval, failures_only boolean
)
language sql
immutable
set search_path = ''
as $$
  values
  ('account', 5, interval '15 minutes', true),
  ('student', 10, interval '1 hour', true),
  ('global', 1000, interval '15 minutes', true)
$$;

revoke all on function tutela_private.link_code_limits()
from public, anon, authenticated, service_role;

-- Raise TU429 when the attempts that p_limit counts (by p_user_id, on p_student_id's codes, or
-- all) have reached its maximum; retry_after is when the oldest of them leaves the window.
create or replace function tutela_private.throttle_link_codes(
  p_limit text, p_user_id uuid default null, p_student_id uuid default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_limit record;
  v_oldest timestamptz;
  v_wait integer;
begin
  select * into v_limit from tutela_private.link_code_limits() as l where l.name = p_limit;
  -- the max_attempts-th newest attempt inside the window, if there are that many
  select a.attempted_at into v_oldest from tutela_private.link_code_attempts as a
  where a.attempted_at > pg_catalog.now() - v_limit.window_length
    and (not v_limit.failures_only or not a.succeeded)
    and (p_limit <> 'account' or a.user_id = p_user_id)
    and (p_limit <> 'student' or a.student_id = p_student_id)
  order by a.attempted_at desc
  offset v_limit.max_attempts - 1 limit 1;
  if v_oldest is null then
    return;
  end if;
  v_wait := greatest(1, ceil(extract(epoch from
    v_oldest + v_limit.window_length - pg_catalog.now()))::integer);
  raise exception 'too many attempts'
    using errcode = 'TU429',
    detail = jsonb_build_object('limit', p_limit, 'retry_after', v_wait)::text,
    hint = pg_catalog.format('Try again in %s minute(s).', ceil(v_wait / 60.0)::integer);
end;
$$;

revoke all on function tutela_private.throttle_link_codes(text, uuid, uuid)
from public, anon, authenticated, service_role;

-- Redeem a code. A wrong, expired, withdrawn or used-up code is REFUSED WITHOUT RAISING so
-- that the failed attempt stays recorded (an exception would roll it back): the function
-- returns {"code": "TU404", "message": ..., "details": null, "hint": ...} and sets the HTTP
-- status to 400, the status every TU code gets. So is a code whose maker may no longer make
-- codes for the student (staff who left the organisation). Every other refusal raises
-- (docs/errors.md). A code never brings back a link revoked after it was made
-- (tutela_private.undo_revocation).
create or replace function tutela.redeem_guardian_link_code(
  p_code text, p_relation text default 'guardian'
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- any signed-in user
  v_normal text;
  v_code tutela_private.guardian_link_codes;
  v_student tutela.students;
  v_org tutela.organizations;
  v_link tutela.guardian_links;
  v_maker text;
begin
  perform tutela_private.check_relation(p_relation);
  -- one redemption at a time per user, so the throttle counts every attempt
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('tutela.redeem:' || v_uid::text, 0)
  );
  perform tutela_private.throttle_link_codes('account', p_user_id => v_uid);
  perform tutela_private.throttle_link_codes('global');

  v_normal := tutela_private.normalize_link_code(p_code);
  if v_normal is not null then
    select * into v_code from tutela_private.guardian_link_codes as c
    where c.code_hash = tutela_private.hash_secret(v_normal)
    for update;
  end if;
  if v_code.id is not null then
    perform tutela_private.throttle_link_codes('student', p_student_id => v_code.student_id);
    select * into v_student from tutela.students as s where s.id = v_code.student_id;
    v_maker := tutela_private.code_maker_role(v_code, v_student);
  end if;
  if v_code.id is null or v_code.withdrawn_at is not null or v_code.uses >= v_code.max_uses
    or v_code.expires_at <= pg_catalog.now() or v_maker is null then
    insert into tutela_private.link_code_attempts (user_id, succeeded, student_id)
    values (v_uid, false, v_code.student_id);
    perform pg_catalog.set_config('response.status', '400', true);
    return jsonb_build_object(
      'code', 'TU404',
      'message', 'invalid or expired code',
      'details', null,
      'hint', 'Check the code, or ask for a new one.'
    );
  end if;

  v_student := tutela_private.lock_student(v_code.student_id);
  select * into v_org from tutela.organizations as o where o.id = v_student.organization_id;
  if not v_org.students_may_create_link_codes and v_maker = 'student' then
    -- the school turned student codes off: the ones students made earlier stop working too
    perform tutela_private.deny('the school no longer accepts codes made by students; ask a teacher');
  end if;
  v_link := tutela_private.attach_guardian(
    v_student, v_uid, p_relation, null, 'code',
    case when v_org.link_requires_student_approval then 'pending' else 'active' end,
    'guardian', v_maker, v_code.created_at, v_code.id
  );
  update tutela_private.guardian_link_codes as c set uses = c.uses + 1 where c.id = v_code.id;
  insert into tutela_private.link_code_attempts (user_id, succeeded, student_id)
  values (v_uid, true, v_student.id);
  return to_jsonb(v_link);
end;
$$;

comment on function tutela.redeem_guardian_link_code(text, text) is
'Links the caller as guardian of the code''s student (active, or pending approval). A bad code '
'returns a TU404 error object with HTTP 400 instead of raising, so the attempt is recorded.';
revoke all on function tutela.redeem_guardian_link_code(text, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.redeem_guardian_link_code(text, text)
to authenticated, service_role;

-- =============================================================================================
-- Link lifecycle: approve, decline, revoke, restore, permissions, primary
-- =============================================================================================

-- The link with its student, locked. An unknown link: p_deny, the caller's refusal of a link
-- it may not act on (TU404 for the service role).
drop function if exists tutela_private.lock_link(uuid);
create or replace function tutela_private.lock_link(p_link_id uuid, p_deny text)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_link tutela.guardian_links;
begin
  select * into v_link from tutela.guardian_links as l where l.id = p_link_id;
  if not found then
    perform tutela_private.not_found('guardian link', p_deny);
  end if;
  perform tutela_private.lock_student(v_link.student_id);  -- student first, then the link
  select * into v_link from tutela.guardian_links as l where l.id = p_link_id for update;
  return v_link;
end;
$$;
revoke all on function tutela_private.lock_link(uuid, text)
from public, anon, authenticated, service_role;

create or replace function tutela_private.link_org(p_link tutela.guardian_links)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select s.organization_id from tutela.students as s where s.id = p_link.student_id
$$;
revoke all on function tutela_private.link_org(tutela.guardian_links)
from public, anon, authenticated, service_role;

create or replace function tutela.approve_guardian_link(p_link_id uuid)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.guardian_links;
  v_link tutela.guardian_links;
begin
  perform tutela_hidden.require_uid();
  v_old := tutela_private.lock_link(p_link_id, 'only the student approves a guardian link');
  if v_old.student_id not in (select tutela_hidden.own_student_ids()) then
    perform tutela_private.deny('only the student approves a guardian link');
  end if;
  if v_old.status <> 'pending' then
    perform tutela_private.conflict('this link is not waiting for approval', 'not_pending');
  end if;
  update tutela.guardian_links as l
  set status = 'active', activated_at = pg_catalog.now(), student_veto = false,
    updated_at = pg_catalog.now()
  where l.id = p_link_id
  returning * into v_link;
  perform tutela_private.audit('link_approved', 'student', tutela_private.link_org(v_link), v_link.student_id,
    v_link.id, p_subject_user_id => v_link.guardian_id, p_old => to_jsonb(v_old),
    p_new => to_jsonb(v_link));
  return v_link;
end;
$$;

comment on function tutela.approve_guardian_link(uuid) is
'Activates a pending guardian link. The student only.';
revoke all on function tutela.approve_guardian_link(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.approve_guardian_link(uuid) to authenticated, service_role;

create or replace function tutela.decline_guardian_link(p_link_id uuid)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.guardian_links;
  v_link tutela.guardian_links;
  v_uid uuid := tutela_hidden.require_uid();
begin
  v_old := tutela_private.lock_link(p_link_id, 'only the student declines a guardian link');
  if v_old.student_id not in (select tutela_hidden.own_student_ids()) then
    perform tutela_private.deny('only the student declines a guardian link');
  end if;
  if v_old.status <> 'pending' then
    perform tutela_private.conflict('this link is not waiting for approval', 'not_pending');
  end if;
  update tutela.guardian_links as l
  set status = 'revoked', revoked_at = pg_catalog.clock_timestamp(), revoked_by = v_uid,
    revoke_reason = 'declined by the student', revoked_as = 'student', student_veto = true,
    updated_at = pg_catalog.now()
  where l.id = p_link_id
  returning * into v_link;
  perform tutela_private.audit('link_declined', 'student', tutela_private.link_org(v_link), v_link.student_id,
    v_link.id, p_subject_user_id => v_link.guardian_id, p_old => to_jsonb(v_old),
    p_new => to_jsonb(v_link));
  return v_link;
end;
$$;

comment on function tutela.decline_guardian_link(uuid) is
'Declines a pending guardian link (it becomes revoked). The student only.';
revoke all on function tutela.decline_guardian_link(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.decline_guardian_link(uuid) to authenticated, service_role;

create or replace function tutela.revoke_guardian_link(p_link_id uuid, p_reason text default null)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_old tutela.guardian_links;
  v_role text;
begin
  v_old := tutela_private.lock_link(p_link_id,
    'only the student, the guardian or organisation staff revoke a link');
  -- who may: the student, the guardian themself, or staff/admins of the student's organisation
  v_role := tutela_private.role_for_student(v_old.student_id);
  if v_role in ('admin', 'staff', 'student') then
    null;
  elsif v_old.guardian_id = v_uid then
    v_role := 'guardian';
  elsif tutela_private.primary_guardian_controls(v_old) then
    v_role := 'primary_guardian';  -- removing a co-guardian of a child under the consent age
  else
    perform tutela_private.deny('only the student, the guardian or organisation staff revoke a link');
  end if;
  if p_reason is not null and char_length(p_reason) > 500 then
    perform tutela_private.invalid('the reason is limited to 500 characters');
  end if;
  if v_old.status = 'revoked' then
    perform tutela_private.conflict('this link is already revoked', 'already_revoked');
  end if;
  -- invites this guardian sent for the student go with the link
  return tutela_private.revoke_link(v_old, v_role, v_uid, nullif(btrim(p_reason), ''));
end;
$$;

comment on function tutela.revoke_guardian_link(uuid, text) is
'Revokes a guardian link at once. Allowed for the student, the guardian, or organisation staff.';
revoke all on function tutela.revoke_guardian_link(uuid, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.revoke_guardian_link(uuid, text) to authenticated, service_role;

create or replace function tutela.restore_guardian_link(p_link_id uuid)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.guardian_links;
  v_link tutela.guardian_links;
  v_role text;
  v_status text;
begin
  perform tutela_hidden.require_uid();
  v_old := tutela_private.lock_link(p_link_id, 'only organisation staff restore a link');
  v_role := tutela_private.role_for_student(v_old.student_id);
  if v_role is null or v_role not in ('admin', 'staff') then
    perform tutela_private.deny('only organisation staff restore a link');
  end if;
  if v_old.status <> 'revoked' then
    perform tutela_private.conflict('only a revoked link can be restored', 'not_revoked');
  end if;
  if v_old.revoked_as = 'guardian' then
    -- they chose to leave: they come back with a code or an invite they accept themselves
    perform tutela_private.conflict('the guardian ended this link themself', 'revoked_by_guardian',
      'Send them an invite or a code instead.');
  end if;
  -- a link the student ended comes back pending, for the student to approve
  v_status := tutela_private.undo_revocation(v_old, v_role, pg_catalog.clock_timestamp(), 'active');
  if tutela_private.guardian_slots_left(v_old.student_id) <= 0 then
    perform tutela_private.conflict('this student already has the maximum number of guardians',
      'guardian_limit_reached', 'A link must be revoked before another can be restored.');
  end if;
  update tutela.guardian_links as l
  set status = v_status,
    activated_at = case when v_status = 'active' then pg_catalog.now() end,
    revoked_at = null, revoked_by = null, revoke_reason = null, revoked_as = null,
    updated_at = pg_catalog.now()
  where l.id = p_link_id
  returning * into v_link;
  perform tutela_private.audit('link_restored', v_role, tutela_private.link_org(v_link), v_link.student_id,
    v_link.id, p_subject_user_id => v_link.guardian_id, p_old => to_jsonb(v_old),
    p_new => to_jsonb(v_link));
  return v_link;
end;
$$;

comment on function tutela.restore_guardian_link(uuid) is
'Restores a revoked guardian link: active, or pending the student''s approval when the student '
'revoked it. Staff and admins; the guardian cap applies.';
revoke all on function tutela.restore_guardian_link(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.restore_guardian_link(uuid) to authenticated, service_role;

create or replace function tutela.set_guardian_link_permissions(p_link_id uuid, p_permissions jsonb)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.guardian_links;
  v_link tutela.guardian_links;
  v_role text;
begin
  perform tutela_hidden.require_uid();
  v_old := tutela_private.lock_link(p_link_id,
    'only the student, organisation staff or the primary guardian (for a '
    || 'child under the consent age) change link permissions');
  -- who may: the student (with a login) or staff/admins; never the guardian
  v_role := tutela_private.role_for_student(v_old.student_id);
  if v_role in ('admin', 'staff', 'student') then
    null;
  elsif tutela_private.primary_guardian_controls(v_old) then
    v_role := 'primary_guardian';  -- a co-guardian's rights, for a child under the consent age
  else
    perform tutela_private.deny('only the student, organisation staff or the primary guardian (for a '
      || 'child under the consent age) change link permissions');
  end if;
  perform tutela_private.require_aal2_for_student(v_old.student_id);
  if p_permissions is null or p_permissions = '{}'::jsonb then
    perform tutela_private.invalid('give at least one permission to change');
  end if;
  update tutela.guardian_links as l
  set permissions = tutela_private.merge_link_permissions(v_old.permissions, p_permissions),
    updated_at = pg_catalog.now()
  where l.id = p_link_id
  returning * into v_link;
  perform tutela_private.audit('permissions_changed', v_role, tutela_private.link_org(v_link),
    v_link.student_id, v_link.id, p_subject_user_id => v_link.guardian_id,
    p_old => jsonb_build_object('permissions', v_old.permissions),
    p_new => jsonb_build_object('permissions', v_link.permissions));
  return v_link;
end;
$$;

comment on function tutela.set_guardian_link_permissions(uuid, jsonb) is
'Changes some permissions of a link ({"journal": true}). The student or staff; never the guardian.';
revoke all on function tutela.set_guardian_link_permissions(uuid, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela.set_guardian_link_permissions(uuid, jsonb)
to authenticated, service_role;

create or replace function tutela.set_primary_guardian(p_link_id uuid)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.guardian_links;
  v_role text;
begin
  perform tutela_hidden.require_uid();
  v_old := tutela_private.lock_link(p_link_id,
    'only the student or organisation staff choose the primary guardian');
  v_role := tutela_private.role_for_student(v_old.student_id);
  if v_role is null or v_role not in ('admin', 'staff', 'student') then
    perform tutela_private.deny('only the student or organisation staff choose the primary guardian');
  end if;
  if v_old.status <> 'active' then
    perform tutela_private.conflict('only an active link can be primary', 'not_active');
  end if;
  if v_old.is_primary then
    return v_old;
  end if;
  return tutela_private.make_primary(v_old, v_role);
end;
$$;

comment on function tutela.set_primary_guardian(uuid) is
'Makes an active link the student''s primary guardian (unsetting the previous). Student or staff.';
revoke all on function tutela.set_primary_guardian(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.set_primary_guardian(uuid) to authenticated, service_role;

-- =============================================================================================
-- Guardian invites
-- =============================================================================================

create or replace function tutela.invite_guardian(
  p_student_id uuid,
  p_email text,
  p_name text default null,
  p_relation text default 'guardian',
  p_permissions jsonb default null
)
returns table (invite_id uuid, token text, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_role text;
  v_student tutela.students;
  v_org tutela.organizations;
  v_email text := lower(btrim(p_email));
begin
  -- who may, by the organisation's guardian_invite_policy: admins; staff (and admins); or also
  -- an active primary guardian
  v_role := tutela_private.role_for_student(p_student_id);
  select o.* into v_org from tutela.organizations as o
  join tutela.students as s on s.organization_id = o.id
  where s.id = p_student_id;
  if v_role = 'guardian' and v_org.guardian_invite_policy = 'staff_and_primary_guardians'
    and exists (
      select 1 from tutela.guardian_links as l
      where l.student_id = p_student_id and l.guardian_id = v_uid and l.status = 'active'
        and l.is_primary
    ) then
    v_role := 'primary_guardian';
  elsif v_role = 'admin' or (v_role = 'staff' and v_org.guardian_invite_policy <> 'admins') then
    null;
  else
    perform tutela_private.deny(case v_org.guardian_invite_policy
      when 'admins' then 'only organisation admins invite guardians here'
      when 'staff' then 'only organisation staff invite guardians here'
      else 'only organisation staff or the primary guardian invite guardians'
    end);
  end if;
  if v_role = 'primary_guardian' and p_permissions is not null then
    -- guardians never set link permissions: a co-parent starts with the defaults
    perform tutela_private.deny('a guardian cannot choose a co-parent''s permissions');
  end if;
  perform tutela_private.require_aal2_for_student(p_student_id);
  if not tutela_private.valid_email(v_email) then
    perform tutela_private.invalid('that is not an email address');
  end if;
  if p_name is not null and char_length(p_name) > 200 then
    perform tutela_private.invalid('the name is limited to 200 characters');
  end if;
  perform tutela_private.check_relation(p_relation);
  v_student := tutela_private.lock_student(p_student_id);
  if exists (
    select 1 from tutela.guardian_links as l
    join auth.users as u on u.id = l.guardian_id
    where l.student_id = p_student_id and l.status in ('active', 'pending')
      and lower(u.email) = v_email
  ) then
    perform tutela_private.conflict('that person is already linked to this student', 'already_linked');
  end if;
  if tutela_private.guardian_slots_left(p_student_id) <= 0 then
    perform tutela_private.conflict('this student already has the maximum number of guardians',
      'guardian_limit_reached');
  end if;
  return query select c.p_invite_id, c.p_token, c.p_expires_at
  from tutela_private.create_guardian_invite(
    v_student, v_email, nullif(btrim(p_name), ''), p_relation,
    tutela_private.merge_link_permissions(tutela_hidden.default_link_permissions(), p_permissions),
    v_uid, v_role
  ) as c;
end;
$$;

comment on function tutela.invite_guardian(uuid, text, text, text, jsonb) is
'Invites a guardian by email (queues the email). Staff/admins, or an active primary guardian.';
revoke all on function tutela.invite_guardian(uuid, text, text, text, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela.invite_guardian(uuid, text, text, text, jsonb)
to authenticated, service_role;

-- Whether the sender of a guardian invite may still invite, as what: 'admin' or 'staff' (a member
-- the organisation's guardian_invite_policy lets invite), 'roster' (the school's own system),
-- 'primary_guardian' (the active primary guardian, where the policy allows them and family
-- access is on), or null: the invite no longer links anyone. Asked when the invite is accepted
-- and when its email is about to be sent (tutela_private.outbox_block_reason).
create or replace function tutela_private.guardian_inviter_role(p_invite tutela.guardian_invites)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_org tutela.organizations;
  v_role text;
begin
  select o.* into v_org from tutela.organizations as o
  join tutela.students as s on s.organization_id = o.id
  where s.id = p_invite.student_id;
  select m.role into v_role from tutela.memberships as m
  where m.organization_id = v_org.id and m.user_id = p_invite.invited_by
    and (m.role = 'admin' or v_org.guardian_invite_policy <> 'admins');
  if v_role is not null then
    return v_role;
  end if;
  if p_invite.managed_by_roster and p_invite.invited_by is null then
    return 'roster';
  end if;
  if v_org.guardian_invite_policy = 'staff_and_primary_guardians'
    and v_org.family_access_enabled
    and exists (
      select 1 from tutela.guardian_links as l
      where l.student_id = p_invite.student_id and l.guardian_id = p_invite.invited_by
        and l.status = 'active' and l.is_primary
    ) then
    return 'primary_guardian';
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.guardian_inviter_role(tutela.guardian_invites)
from public, anon, authenticated, service_role;

create or replace function tutela.accept_guardian_invite(p_token text)
returns tutela.guardian_links
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the signed-in user the invite was sent to
  v_invite tutela.guardian_invites;
  v_email text;
  v_student tutela.students;
  v_link tutela.guardian_links;
  v_inviter text;
begin
  select * into v_invite from tutela.guardian_invites as i
  where i.token_hash = tutela_private.hash_secret(coalesce(left(p_token, 200), ''))
  for update;
  if not found or v_invite.status <> 'pending' or v_invite.expires_at <= pg_catalog.now() then
    raise exception 'invalid or expired invite'
      using errcode = 'TU404', hint = 'Ask for a new invite.';
  end if;
  select lower(u.email) into v_email from auth.users as u where u.id = v_uid;
  if v_email is distinct from lower(v_invite.email) then
    perform tutela_private.deny('this invite was sent to another email address');
  end if;
  v_student := tutela_private.lock_student(v_invite.student_id);
  -- the inviter must still be allowed to invite (tutela_private.guardian_inviter_role)
  v_inviter := tutela_private.guardian_inviter_role(v_invite);
  if v_inviter is null then
    raise exception 'invalid or expired invite'
      using errcode = 'TU404', hint = 'The person who invited you can no longer do so.';
  end if;
  -- a roster's invite: the link carries its key (unless another guardian of the student has
  -- it by now) and mark, and is primary when the file said so and there is none. A link
  -- revoked after the invite was sent stays revoked; one the student ended comes back only
  -- with the student's approval (tutela_private.undo_revocation).
  v_link := tutela_private.attach_guardian(
    v_student, v_uid, v_invite.relation, v_invite.permissions, 'invite', 'active', 'guardian',
    v_inviter, v_invite.created_at,
    p_invite_id => v_invite.id,
    p_sis_id => case when not exists (
      select 1 from tutela.guardian_links as o
      where o.student_id = v_student.id and o.sis_id = v_invite.sis_id
        and o.guardian_id <> v_uid
    ) then v_invite.sis_id end,
    p_managed => v_invite.managed_by_roster
  );
  if v_invite.make_primary and v_link.status = 'active' and not exists (
    select 1 from tutela.guardian_links as p
    where p.student_id = v_student.id and p.is_primary and p.status = 'active'
  ) then
    v_link := tutela_private.make_primary(v_link, 'guardian');
  end if;
  update tutela.guardian_invites as i
  set status = 'accepted', accepted_by = v_uid, accepted_at = pg_catalog.now(),
    updated_at = pg_catalog.now()
  where i.id = v_invite.id;
  perform tutela_private.audit('invite_accepted', 'guardian', v_student.organization_id, v_student.id,
    v_link.id, p_invite_id => v_invite.id, p_subject_user_id => v_uid);
  return v_link;
end;
$$;

comment on function tutela.accept_guardian_invite(text) is
'Accepts a guardian invite: the signed-in user whose email matches. The guardian cap applies.';
revoke all on function tutela.accept_guardian_invite(text)
from public, anon, authenticated, service_role;
grant execute on function tutela.accept_guardian_invite(text) to authenticated, service_role;

create or replace function tutela.withdraw_guardian_invite(p_invite_id uuid)
returns tutela.guardian_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_invite tutela.guardian_invites;
  v_role text;
begin
  select * into v_invite from tutela.guardian_invites as i where i.id = p_invite_id for update;
  if not found then
    perform tutela_private.not_found('invite',
      'only the inviter or organisation staff withdraw an invite');
  end if;
  -- who may: the person who sent it, or staff/admins of the student's organisation
  v_role := tutela_private.role_for_student(v_invite.student_id);
  if v_role in ('admin', 'staff') then
    null;
  elsif v_invite.invited_by = v_uid and v_role = 'guardian' then
    v_role := 'guardian';
  else
    perform tutela_private.deny('only the inviter or organisation staff withdraw an invite');
  end if;
  if v_invite.status <> 'pending' then
    perform tutela_private.conflict('only a pending invite can be withdrawn', 'not_pending');
  end if;
  return tutela_private.withdraw_invite(p_invite_id, v_role);
end;
$$;

comment on function tutela.withdraw_guardian_invite(uuid) is
'Withdraws a pending guardian invite. The inviter, or staff/admins of the organisation.';
revoke all on function tutela.withdraw_guardian_invite(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.withdraw_guardian_invite(uuid) to authenticated, service_role;

-- =============================================================================================
-- Student invites
-- =============================================================================================

create or replace function tutela.invite_student(
  p_organization_id uuid, p_display_name text, p_email text
)
returns table (student_id uuid, token text, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_role text;
  v_org tutela.organizations;
  v_student tutela.students;
  v_token text := tutela_private.new_token();
  v_invite tutela.student_invites;
  v_email text := lower(btrim(p_email));
begin
  select * into v_org from tutela.organizations as o where o.id = p_organization_id;
  if not found then
    perform tutela_private.not_found('organisation',
      'only staff and admins of the organisation invite students');
  end if;
  v_role := tutela_private.role_in_organization(p_organization_id);
  if v_role is null then
    perform tutela_private.deny('only staff and admins of the organisation invite students');
  end if;
  perform tutela_private.require_aal2(p_organization_id);
  if not tutela_private.valid_email(v_email) then
    perform tutela_private.invalid('that is not an email address');
  end if;
  v_student := tutela.create_student(p_organization_id, p_display_name, v_email);
  insert into tutela.student_invites (student_id, email, token_hash, expires_at, invited_by)
  values (v_student.id, v_email, tutela_private.hash_secret(v_token),
    pg_catalog.now() + v_org.student_invite_ttl, v_uid)
  returning * into v_invite;
  insert into tutela_private.notification_outbox (kind, recipient_email, student_id, payload)
  values (
    'student_invite', v_email, v_student.id,
    jsonb_build_object(
      'invite_id', v_invite.id, 'token', v_token, 'student_name', v_student.display_name,
      'organization_name', v_org.name, 'expires_at', v_invite.expires_at
    )
  );
  perform tutela_private.audit('student_invite_created', v_role, p_organization_id, v_student.id,
    p_invite_id => v_invite.id,
    p_new => jsonb_build_object('email', v_email, 'expires_at', v_invite.expires_at));
  return query select v_student.id, v_token, v_invite.expires_at;
end;
$$;

comment on function tutela.invite_student(uuid, text, text) is
'Creates a student record and invites them by email to claim a login. Staff and admins.';
revoke all on function tutela.invite_student(uuid, text, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.invite_student(uuid, text, text) to authenticated, service_role;

-- Whether a student invite's sender is still staff or an admin of the student's organisation.
-- Asked at acceptance and before its email is sent.
create or replace function tutela_private.student_inviter_ok(p_invite tutela.student_invites)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from tutela.memberships as m
    join tutela.students as s on s.organization_id = m.organization_id
    where s.id = p_invite.student_id and m.user_id = p_invite.invited_by
  )
$$;

revoke all on function tutela_private.student_inviter_ok(tutela.student_invites)
from public, anon, authenticated, service_role;

create or replace function tutela.accept_student_invite(p_token text)
returns tutela.students
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the signed-in user the invite was sent to
  v_invite tutela.student_invites;
  v_email text;
  v_student tutela.students;
begin
  select * into v_invite from tutela.student_invites as i
  where i.token_hash = tutela_private.hash_secret(coalesce(left(p_token, 200), ''))
  for update;
  if not found or v_invite.status <> 'pending' or v_invite.expires_at <= pg_catalog.now() then
    raise exception 'invalid or expired invite'
      using errcode = 'TU404', hint = 'Ask for a new invite.';
  end if;
  select lower(u.email) into v_email from auth.users as u where u.id = v_uid;
  if v_email is distinct from lower(v_invite.email) then
    perform tutela_private.deny('this invite was sent to another email address');
  end if;
  if not tutela_private.student_inviter_ok(v_invite) then
    raise exception 'invalid or expired invite'
      using errcode = 'TU404', hint = 'The person who invited you can no longer do so.';
  end if;
  if exists (select 1 from tutela.students as s where s.user_id = v_uid) then
    perform tutela_private.conflict('this account already belongs to a student', 'already_student');
  end if;
  v_student := tutela_private.lock_student(v_invite.student_id);
  if v_student.user_id is not null then
    perform tutela_private.conflict('this student record already has a login', 'already_claimed');
  end if;
  if exists (
    select 1 from tutela.guardian_links as l
    where l.student_id = v_student.id and l.guardian_id = v_uid and l.status <> 'revoked'
  ) then
    perform tutela_private.conflict('a guardian of this student cannot claim it', 'self_link');
  end if;
  begin
    update tutela.students as s
    set user_id = v_uid, invite_accepted_at = pg_catalog.now(), updated_at = pg_catalog.now()
    where s.id = v_student.id
    returning * into v_student;
  exception
    when unique_violation then  -- the same login claimed another record at the same moment
      perform tutela_private.conflict('this account already belongs to a student', 'already_student');
  end;
  update tutela.student_invites as i
  set status = 'accepted', accepted_by = v_uid, accepted_at = pg_catalog.now(),
    updated_at = pg_catalog.now()
  where i.id = v_invite.id;
  perform tutela_private.audit('student_invite_accepted', 'student', v_student.organization_id,
    v_student.id, p_invite_id => v_invite.id, p_subject_user_id => v_uid);
  return v_student;
end;
$$;

comment on function tutela.accept_student_invite(text) is
'Claims a student record with the signed-in login whose email matches the invite.';
revoke all on function tutela.accept_student_invite(text)
from public, anon, authenticated, service_role;
grant execute on function tutela.accept_student_invite(text) to authenticated, service_role;

-- =============================================================================================
-- Lists
-- =============================================================================================

-- Activity columns (last active, streak, 7-day reviews and accuracy) are filled only for an
-- active link with the progress permission; otherwise null.
create or replace function tutela.guardian_list_children()
returns table (
  student_id uuid,
  display_name text,
  organization_id uuid,
  organization_name text,
  link_id uuid,
  relation text,
  is_primary boolean,
  status text,
  permissions jsonb,
  linked_at timestamptz,
  last_active_at timestamptz,
  current_streak integer,
  reviews_7d integer,
  accuracy_7d numeric
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the caller, as guardian
begin
  return query
  select s.id, s.display_name, o.id, o.name, l.id, l.relation, l.is_primary, l.status,
    l.permissions, coalesce(l.activated_at, l.created_at),
    case when k.visible then coalesce(st.last_active_at, p.last_seen_at) end,
    case when k.visible then coalesce(tutela_private.live_streak(st), 0) end,
    case when k.visible then coalesce(w.reviews, 0) end,
    case when k.visible then w.accuracy end
  from tutela.guardian_links as l
  join tutela.students as s on s.id = l.student_id
  join tutela.organizations as o on o.id = s.organization_id
  cross join lateral (
    -- activity is shown only on an active link with the progress permission
    select l.status = 'active' and coalesce((l.permissions ->> 'progress')::boolean, false)
      as visible
  ) as k
  left join tutela.profiles as p on p.user_id = s.user_id
  left join tutela.student_stats as st on st.student_id = s.id
  left join lateral (
    select sum(d.reviews)::integer as reviews,
      round(100.0 * sum(d.correct) / nullif(sum(d.reviews), 0), 1) as accuracy
    from tutela.daily_study_stats as d
    where d.student_id = s.id and d.day > (pg_catalog.now() at time zone 'UTC')::date - 7
  ) as w on k.visible
  where l.guardian_id = v_uid and l.status in ('active', 'pending')
    and o.family_access_enabled
  order by s.display_name, s.id;
end;
$$;

comment on function tutela.guardian_list_children() is
'The caller''s children (active and pending links) with relation, permissions and activity.';
revoke all on function tutela.guardian_list_children()
from public, anon, authenticated, service_role;
grant execute on function tutela.guardian_list_children() to authenticated, service_role;

create or replace function tutela.student_list_guardians(p_student_id uuid default null)
returns table (
  link_id uuid,
  guardian_id uuid,
  name text,
  email text,
  relation text,
  is_primary boolean,
  status text,
  permissions jsonb,
  created_via text,
  linked_at timestamptz,
  revoked_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_student_id uuid := p_student_id;
  v_role text;
begin
  if v_student_id is null then
    select s.id into v_student_id from tutela.students as s where s.user_id = v_uid;
    if v_student_id is null then
      perform tutela_private.deny('only a student has guardians of their own');
    end if;
  end if;
  v_role := tutela_private.role_for_student(v_student_id);
  if v_role is null or v_role not in ('admin', 'staff', 'student') then
    perform tutela_private.deny('only the student or organisation staff list a student''s guardians');
  end if;
  return query
  select l.id, l.guardian_id, coalesce(nullif(p.display_name, ''), u.email::text),
    u.email::text, l.relation, l.is_primary, l.status, l.permissions, l.created_via,
    coalesce(l.activated_at, l.created_at), l.revoked_at
  from tutela.guardian_links as l
  join auth.users as u on u.id = l.guardian_id
  left join tutela.profiles as p on p.user_id = l.guardian_id
  where l.student_id = v_student_id
  order by l.is_primary desc, l.status, l.created_at;
end;
$$;

comment on function tutela.student_list_guardians(uuid) is
'A student''s guardian links (all statuses). The student (null: self) or organisation staff.';
revoke all on function tutela.student_list_guardians(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.student_list_guardians(uuid) to authenticated, service_role;

create or replace function tutela.list_guardians_for_notification(
  p_student_id uuid, p_permission text
)
returns table (
  guardian_id uuid, email text, display_name text, relation text, is_primary boolean
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- who may: the service key (its claims), or a session acting as service_role (set role);
  -- EXECUTE is granted to service_role only
  if not tutela_private.is_service_role() then
    perform tutela_private.deny('only the service role lists guardians for notifications');
  end if;
  if p_permission is null or not p_permission = any(tutela_hidden.link_permission_keys()) then
    perform tutela_private.invalid(pg_catalog.format('unknown permission %L', p_permission));
  end if;
  return query
  select l.guardian_id, u.email::text, coalesce(nullif(p.display_name, ''), u.email::text),
    l.relation, l.is_primary
  from tutela.guardian_links as l
  join auth.users as u on u.id = l.guardian_id
  left join tutela.profiles as p on p.user_id = l.guardian_id
  where l.student_id = p_student_id and l.status = 'active'
    and coalesce((l.permissions ->> p_permission)::boolean, false)
  order by l.is_primary desc, l.created_at;
end;
$$;

comment on function tutela.list_guardians_for_notification(uuid, text) is
'Active guardians of a student whose link grants a permission (for fan-out). Service role only.';
revoke all on function tutela.list_guardians_for_notification(uuid, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.list_guardians_for_notification(uuid, text) to service_role;

-- Invites past their expiry become 'expired' (run by a scheduled job; also safe to call any time).
create or replace function tutela_private.expire_invites()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_guardian integer;
  v_student integer;
  v_member integer;
begin
  update tutela.guardian_invites as i set status = 'expired', updated_at = pg_catalog.now()
  where i.status = 'pending' and i.expires_at <= pg_catalog.now();
  get diagnostics v_guardian = row_count;
  update tutela.student_invites as i set status = 'expired', updated_at = pg_catalog.now()
  where i.status = 'pending' and i.expires_at <= pg_catalog.now();
  get diagnostics v_student = row_count;
  update tutela.membership_invites as i
  set status = 'expired', decided_at = i.expires_at, updated_at = pg_catalog.now()
  where i.status = 'pending' and i.expires_at <= pg_catalog.now();
  get diagnostics v_member = row_count;
  return v_guardian + v_student + v_member;
end;
$$;

revoke all on function tutela_private.expire_invites()
from public, anon, authenticated, service_role;

-- =============================================================================================
-- An app's own tables (docs/adopting.md): the helpers its rendered policies call
-- =============================================================================================

-- The auth user ids of the children whose rows the caller may read, as a guardian, for a
-- permission: the rule of readable_student_ids for guardians (an active link granting the
-- permission, family access on, journal consent), as the children's logins, for an app's table
-- keyed by the student's auth user id (`flashcards.user_id`). A child without a login has no
-- rows there. `tutela_app_access` policies use it as `col = any (array(select ...))`.
create or replace function tutela_hidden.guardian_child_user_ids(p_permission text)
returns setof uuid
language plpgsql  -- plpgsql keeps its plan (see readable_student_ids)
stable
security definer
set search_path = ''
as $$
begin
  return query
  select s.user_id from tutela.students as s
  where s.user_id is not null
    and p_permission is not null  -- an app's table is always gated by a permission
    and s.id in (select g.id from tutela_hidden.guardian_student_ids(p_permission) as g (id));
end;
$$;
revoke all on function tutela_hidden.guardian_child_user_ids(text)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.guardian_child_user_ids(text) to authenticated;

-- The auth user ids of the students of the organisations where the caller is staff or admin:
-- what an app's `staff = true` table lets them read.
create or replace function tutela_hidden.staff_student_user_ids()
returns setof uuid
language plpgsql  -- plpgsql keeps its plan (see readable_student_ids)
stable
security definer
set search_path = ''
as $$
begin
  return query
  select s.user_id from tutela.students as s
  where s.user_id is not null
    and s.id in (select t.id from tutela_hidden.staff_student_ids() as t (id));
end;
$$;
revoke all on function tutela_hidden.staff_student_user_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.staff_student_user_ids() to authenticated;
