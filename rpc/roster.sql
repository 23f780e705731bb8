-- Roster sync: students, staff and guardian links imported from a school's student information
-- system (SIS). One entry point, tutela.import_roster (service role only), takes the rows of a
-- CSV file as JSON; `tutela import` is its command-line face. docs/roster-sync.md.
--
-- Each row is applied in its own subtransaction: a bad row is reported (line, reason, SQLSTATE)
-- and skipped, never half-applied. Keys are stable: students by sis_id, staff by email, links by
-- (student, guardian email), so importing the same file twice changes nothing.

-- A row's value for a column: trimmed text, null when absent or empty.
create or replace function tutela_private.roster_value(p_row jsonb, p_column text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select nullif(btrim(p_row ->> p_column), '')
$$;

revoke all on function tutela_private.roster_value(jsonb, text)
from public, anon, authenticated, service_role;

-- A row's line in its file: its "line" when that is a whole number (as a CSV reader sends it),
-- else the given default (its position + 1, after the header line).
create or replace function tutela_private.roster_line(p_row jsonb, p_default integer)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when jsonb_typeof(p_row -> 'line') = 'number' and (p_row ->> 'line') ~ '^[0-9]{1,9}$'
      then (p_row ->> 'line')::integer
    else p_default
  end
$$;

revoke all on function tutela_private.roster_line(jsonb, integer)
from public, anon, authenticated, service_role;

-- One more of an action in a report's counts.
create or replace function tutela_private.roster_tally(p_counts jsonb, p_action text)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
  select jsonb_set(p_counts, array[p_action], to_jsonb((p_counts ->> p_action)::int + 1))
$$;

revoke all on function tutela_private.roster_tally(jsonb, text)
from public, anon, authenticated, service_role;

-- Raise TU422 for columns a kind does not know (a typo must not be silently ignored).
create or replace function tutela_private.roster_check_columns(p_row jsonb, p_known text[])
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_unknown text;
begin
  if p_row is null or jsonb_typeof(p_row) <> 'object' then
    perform tutela_private.invalid('each row must be a JSON object of column names to values');
  end if;
  select string_agg(k, ', ' order by k) into v_unknown
  from jsonb_object_keys(p_row) as k where k <> all(p_known || array['line']);
  if v_unknown is not null then
    perform tutela_private.invalid(pg_catalog.format('unknown column(s): %s', v_unknown),
      'Known columns: ' || array_to_string(p_known, ', ') || '.');
  end if;
  if exists (
    select 1 from jsonb_each(p_row) as e
    where e.key <> 'line' and jsonb_typeof(e.value) not in ('string', 'null')
  ) then
    perform tutela_private.invalid('column values must be text');
  end if;
end;
$$;

revoke all on function tutela_private.roster_check_columns(jsonb, text[])
from public, anon, authenticated, service_role;

-- yes/no columns: true, false or null (blank: leave as is).
create or replace function tutela_private.roster_boolean(p_value text, p_column text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_value is null then
    return null;
  elsif lower(p_value) in ('true', 't', 'yes', 'y', '1') then
    return true;
  elsif lower(p_value) in ('false', 'f', 'no', 'n', '0') then
    return false;
  end if;
  perform tutela_private.invalid(pg_catalog.format('%s must be true or false, not %L', p_column,
    left(p_value, 50)));
  return null;
end;
$$;

revoke all on function tutela_private.roster_boolean(text, text)
from public, anon, authenticated, service_role;

-- A permissions column: the granted permissions separated by ';' (or spaces), "default", or
-- "none". Null: leave as is (a new link gets the defaults).
create or replace function tutela_private.roster_permissions(p_value text)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_names text[];
  v_bad text;
begin
  if p_value is null then
    return null;
  elsif lower(p_value) = 'default' then
    return tutela_hidden.default_link_permissions();
  end if;
  v_names := array(
    select distinct lower(n) from regexp_split_to_table(p_value, '[;|\s]+') as n where n <> ''
  );
  if v_names = array['none'] then
    v_names := '{}';
  end if;
  select string_agg(n, ', ') into v_bad
  from unnest(v_names) as n where n <> all(tutela_hidden.link_permission_keys());
  if v_bad is not null then
    perform tutela_private.invalid(pg_catalog.format('unknown permission(s): %s', left(v_bad, 200)),
      'Permissions: ' || array_to_string(tutela_hidden.link_permission_keys(), ', ')
      || ', or "default" or "none".');
  end if;
  return (
    select jsonb_object_agg(k, k = any(v_names)) from unnest(tutela_hidden.link_permission_keys()) as k
  );
end;
$$;

revoke all on function tutela_private.roster_permissions(text)
from public, anon, authenticated, service_role;

-- The student a roster row names: by SIS id, or by email when the key holds an '@'.
create or replace function tutela_private.roster_find_student(p_organization_id uuid, p_key text)
returns tutela.students
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students;
begin
  if p_key is null then
    perform tutela_private.invalid('the student column is required (SIS id or email)');
  end if;
  select * into v_student from tutela.students as s
  where s.organization_id = p_organization_id and s.sis_id = p_key;
  if not found and position('@' in p_key) > 0 then
    select * into v_student from tutela.students as s
    where s.organization_id = p_organization_id and lower(s.email) = lower(p_key)
    order by s.created_at limit 1;
  end if;
  if v_student.id is null then
    raise exception 'unknown student %', left(p_key, 100)
      using errcode = 'TU404', hint = 'Import the student first (tutela import students).';
  end if;
  return v_student;
end;
$$;

revoke all on function tutela_private.roster_find_student(uuid, text)
from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- One row of each kind. Each returns its action: create, update, revoke, invite or unchanged.
-- ---------------------------------------------------------------------------------------------

-- students.csv: sis_id, display_name, email, birth_date
create or replace function tutela_private.roster_student_row(p_organization_id uuid, p_row jsonb)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sis text := tutela_private.roster_value(p_row, 'sis_id');
  v_name text := tutela_private.roster_value(p_row, 'display_name');
  v_email text := lower(tutela_private.roster_value(p_row, 'email'));
  v_birth_text text := tutela_private.roster_value(p_row, 'birth_date');
  v_birth date;
  v_old tutela.students;
  v_new tutela.students;
begin
  perform tutela_private.roster_check_columns(p_row,
    array['sis_id', 'display_name', 'email', 'birth_date']);
  if v_sis is null or char_length(v_sis) > 100 then
    perform tutela_private.invalid('sis_id is required (up to 100 characters)');
  end if;
  if v_name is null or char_length(v_name) > 200 then
    perform tutela_private.invalid('display_name is required (up to 200 characters)');
  end if;
  if v_email is not null and not tutela_private.valid_email(v_email) then
    perform tutela_private.invalid(pg_catalog.format('malformed email %L', left(v_email, 100)));
  end if;
  if v_birth_text is not null then
    if v_birth_text !~ '^\d{4}-\d{2}-\d{2}$' then
      perform tutela_private.invalid('birth_date must be a date as YYYY-MM-DD');
    end if;
    begin
      v_birth := v_birth_text::date;
    exception
      when others then
        perform tutela_private.invalid('birth_date must be a date as YYYY-MM-DD');
    end;
    if v_birth >= current_date or v_birth < date '1900-01-02' then
      perform tutela_private.invalid('birth_date must be in the past');
    end if;
  end if;
  select * into v_old from tutela.students as s
  where s.organization_id = p_organization_id and s.sis_id = v_sis
  for update;
  if not found and v_email is not null then
    -- a student added by hand earlier is claimed by their email
    select * into v_old from tutela.students as s
    where s.organization_id = p_organization_id and s.sis_id is null
      and lower(s.email) = v_email
    order by s.created_at limit 1
    for update;
  end if;
  if v_old.id is null then
    insert into tutela.students (organization_id, display_name, email, birth_date, sis_id)
    values (p_organization_id, v_name, v_email, v_birth, v_sis)
    returning * into v_new;
    perform tutela_private.audit('student_created', 'roster', p_organization_id, v_new.id,
      p_new => to_jsonb(v_new));
    return 'create';
  end if;
  if v_old.sis_id is not distinct from v_sis and v_old.display_name = v_name
    and v_old.email is not distinct from v_email
    and v_old.birth_date is not distinct from v_birth then
    return 'unchanged';
  end if;
  update tutela.students as s
  set sis_id = v_sis, display_name = v_name, email = v_email, birth_date = v_birth,
    updated_at = pg_catalog.now()
  where s.id = v_old.id
  returning * into v_new;
  perform tutela_private.audit('student_updated', 'roster', p_organization_id, v_new.id,
    p_old => to_jsonb(v_old), p_new => to_jsonb(v_new));
  return 'update';
end;
$$;

revoke all on function tutela_private.roster_student_row(uuid, jsonb)
from public, anon, authenticated, service_role;

-- staff.csv: email, role (staff or admin), title, sis_id, status (active or deleted)
create or replace function tutela_private.roster_staff_row(
  p_organization_id uuid, p_row jsonb, p_users jsonb
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_email text := lower(tutela_private.roster_value(p_row, 'email'));
  v_role text := coalesce(lower(tutela_private.roster_value(p_row, 'role')), 'staff');
  v_title text := tutela_private.roster_value(p_row, 'title');
  v_sis text := tutela_private.roster_value(p_row, 'sis_id');
  v_status text := coalesce(lower(tutela_private.roster_value(p_row, 'status')), 'active');
  v_user uuid;
  v_org tutela.organizations;
  v_old tutela.memberships;
  v_new tutela.memberships;
  v_invite tutela.membership_invites;
begin
  perform tutela_private.roster_check_columns(p_row, array['email', 'role', 'title', 'sis_id', 'status']);
  if v_email is null or not tutela_private.valid_email(v_email) then
    perform tutela_private.invalid(pg_catalog.format('malformed email %L', left(v_email, 100)));
  end if;
  if v_role not in ('staff', 'admin') then
    perform tutela_private.invalid(pg_catalog.format('unknown role %L', left(v_role, 50)),
      'Roles: staff, admin.');
  end if;
  if v_status not in ('active', 'deleted') then
    perform tutela_private.invalid(pg_catalog.format('unknown status %L', left(v_status, 50)),
      'Statuses: active, deleted.');
  end if;
  if v_title is not null and char_length(v_title) > 100 then
    perform tutela_private.invalid('title is limited to 100 characters');
  end if;
  if v_sis is not null and char_length(v_sis) > 100 then
    perform tutela_private.invalid('sis_id is limited to 100 characters');
  end if;
  v_user := (p_users ->> v_email)::uuid;
  select * into v_org from tutela.organizations as o where o.id = p_organization_id;
  if v_user is not null then
    select * into v_old from tutela.memberships as m
    where m.organization_id = p_organization_id and m.user_id = v_user
    for update;
  end if;
  select * into v_invite from tutela.membership_invites as i
  where i.organization_id = p_organization_id and lower(i.email) = v_email
    and i.status = 'pending'
  for update;
  if v_status = 'deleted' then
    if v_invite.id is not null then
      update tutela.membership_invites as i
      set status = 'withdrawn', decided_at = pg_catalog.now(), updated_at = pg_catalog.now()
      where i.id = v_invite.id;
      perform tutela_private.audit('member_invite_withdrawn', 'roster', p_organization_id,
        p_invite_id => v_invite.id, p_new => jsonb_build_object('reason', 'roster sync: deleted'));
    end if;
    if v_old.id is null then
      return case when v_invite.id is null then 'unchanged' else 'revoke' end;
    end if;
    if v_old.role = 'admin' then
      perform tutela_private.keep_an_admin(p_organization_id, v_user);
    end if;
    delete from tutela.memberships as m where m.id = v_old.id;
    perform tutela_private.audit('member_removed', 'roster', p_organization_id,
      p_subject_user_id => v_user, p_old => to_jsonb(v_old));
    return 'revoke';
  end if;
  if v_sis is not null and exists (
    select 1 from tutela.memberships as m
    where m.organization_id = p_organization_id and m.sis_id = v_sis
      and m.user_id is distinct from v_user
  ) then
    perform tutela_private.conflict(pg_catalog.format('sis_id %L belongs to another member', v_sis),
      'sis_id_taken');
  end if;
  if v_old.id is null and not (v_org.roster_trusted and v_user is not null) then
    -- a person joins by accepting (an organisation that trusts its roster adds existing
    -- accounts at once): an invite, or the one already waiting, brought up to date
    if v_invite.id is not null then
      -- its email ended dead (an outage, a lost token): brought up to date and re-issued,
      -- never reported unchanged
      if v_invite.expires_at > pg_catalog.now()
        and tutela_private.invite_mail_dead('member_invite', v_invite.id) then
        update tutela.membership_invites as i
        set role = v_role, title = v_title, sis_id = coalesce(v_sis, i.sis_id),
          managed_by_roster = true, updated_at = pg_catalog.now()
        where i.id = v_invite.id;
        perform tutela_private.reissue_invite('member_invite', v_invite.id, 'roster');
        return 'invite';
      end if;
      if v_invite.role = v_role and v_invite.title is not distinct from v_title
        and v_invite.sis_id is not distinct from coalesce(v_sis, v_invite.sis_id)
        and v_invite.managed_by_roster and v_invite.expires_at > pg_catalog.now() then
        return 'unchanged';
      end if;
      if v_invite.expires_at > pg_catalog.now() then
        update tutela.membership_invites as i
        set role = v_role, title = v_title, sis_id = coalesce(v_sis, i.sis_id),
          managed_by_roster = true, updated_at = pg_catalog.now()
        where i.id = v_invite.id;
        return 'update';
      end if;
    end if;
    perform tutela_private.create_member_invite(v_org, v_email, v_role, v_title, null, 'roster',
      p_sis_id => v_sis, p_managed => true);
    return 'invite';
  end if;
  if v_old.id is null then
    insert into tutela.memberships (organization_id, user_id, role, title, sis_id,
      managed_by_roster)
    values (p_organization_id, v_user, v_role, v_title, v_sis, true)
    returning * into v_new;
    perform tutela_private.audit('member_added', 'roster', p_organization_id,
      p_subject_user_id => v_user, p_new => to_jsonb(v_new));
    -- the account holder is told (the organisation trusts its roster)
    insert into tutela_private.notification_outbox (kind, recipient_user_id, payload)
    values ('member_added', v_user, jsonb_build_object(
      'organization_id', v_org.id, 'organization_name', v_org.name, 'role', v_role,
      'title', v_title));
    return 'create';
  end if;
  if v_old.role = v_role and v_old.title is not distinct from v_title
    and v_old.sis_id is not distinct from coalesce(v_sis, v_old.sis_id)
    and v_old.managed_by_roster then
    return 'unchanged';
  end if;
  if v_old.role = 'admin' and v_role <> 'admin' then
    perform tutela_private.keep_an_admin(p_organization_id, v_user);
  end if;
  update tutela.memberships as m
  set role = v_role, title = v_title, sis_id = coalesce(v_sis, m.sis_id),
    managed_by_roster = true
  where m.id = v_old.id
  returning * into v_new;
  perform tutela_private.audit('member_updated', 'roster', p_organization_id,
    p_subject_user_id => v_user, p_old => to_jsonb(v_old), p_new => to_jsonb(v_new));
  return 'update';
end;
$$;

revoke all on function tutela_private.roster_staff_row(uuid, jsonb, jsonb)
from public, anon, authenticated, service_role;

-- guardian-links.csv: student (SIS id or email), guardian_email, relation, primary, status
-- (active or deleted), permissions, guardian_name, sis_id (the link's own key, optional).
-- p_key receives the link's canonical key (student id:email) for a full sync.
-- A roster row on an existing link may take permissions away, never give back what the student
-- or staff switched off: key-wise AND of the link's permissions and the row's.
create or replace function tutela_private.narrow_link_permissions(p_current jsonb, p_roster jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when p_roster is null then p_current else (
    select jsonb_object_agg(k,
      coalesce((p_current ->> k)::boolean, false) and coalesce((p_roster ->> k)::boolean, false))
    from unnest(tutela_hidden.link_permission_keys()) as k
  ) end
$$;

revoke all on function tutela_private.narrow_link_permissions(jsonb, jsonb)
from public, anon, authenticated, service_role;

create or replace function tutela_private.roster_link_row(
  p_organization_id uuid, p_row jsonb, p_users jsonb, out p_action text, out p_key text
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_email text := lower(tutela_private.roster_value(p_row, 'guardian_email'));
  v_relation text := coalesce(lower(tutela_private.roster_value(p_row, 'relation')), 'guardian');
  v_primary boolean := tutela_private.roster_boolean(tutela_private.roster_value(p_row, 'primary'), 'primary');
  v_status text := coalesce(lower(tutela_private.roster_value(p_row, 'status')), 'active');
  v_permissions jsonb := tutela_private.roster_permissions(tutela_private.roster_value(p_row, 'permissions'));
  v_name text := tutela_private.roster_value(p_row, 'guardian_name');
  v_sis text := tutela_private.roster_value(p_row, 'sis_id');
  v_student tutela.students;
  v_org tutela.organizations;
  v_user uuid;
  v_link tutela.guardian_links;
  v_invite tutela.guardian_invites;
  v_id uuid;
begin
  perform tutela_private.roster_check_columns(p_row, array['student', 'guardian_email', 'relation',
    'primary', 'status', 'permissions', 'guardian_name', 'sis_id']);
  if v_email is null or not tutela_private.valid_email(v_email) then
    perform tutela_private.invalid(pg_catalog.format('malformed guardian email %L', left(v_email, 100)));
  end if;
  if v_relation not in ('mother', 'father', 'guardian', 'other') then
    perform tutela_private.invalid(pg_catalog.format('unknown relation %L', left(v_relation, 50)),
      'Relations: mother, father, guardian, other.');
  end if;
  if v_status not in ('active', 'deleted') then
    perform tutela_private.invalid(pg_catalog.format('unknown status %L', left(v_status, 50)),
      'Statuses: active, deleted.');
  end if;
  if v_name is not null and char_length(v_name) > 200 then
    perform tutela_private.invalid('guardian_name is limited to 200 characters');
  end if;
  if v_sis is not null and char_length(v_sis) > 100 then
    perform tutela_private.invalid('sis_id is limited to 100 characters');
  end if;
  v_student := tutela_private.roster_find_student(p_organization_id,
    tutela_private.roster_value(p_row, 'student'));
  p_key := v_student.id::text || ':' || v_email;
  v_student := tutela_private.lock_student(v_student.id);
  select * into v_org from tutela.organizations as o where o.id = p_organization_id;
  v_user := (p_users ->> v_email)::uuid;
  if v_user is not null then
    select * into v_link from tutela.guardian_links as l
    where l.student_id = v_student.id and l.guardian_id = v_user
    for update;
  end if;
  if v_sis is not null and exists (
    select 1 from tutela.guardian_links as l
    where l.student_id = v_student.id and l.sis_id = v_sis
      and l.guardian_id is distinct from v_user
  ) then
    perform tutela_private.conflict(
      pg_catalog.format('sis_id %L belongs to another guardian of this student', v_sis),
      'sis_id_taken');
  end if;

  if v_status = 'deleted' then
    p_action := 'unchanged';
    if v_link.status in ('active', 'pending') then
      perform tutela_private.revoke_link(v_link, 'roster', null, 'roster sync: deleted');
      p_action := 'revoke';
    end if;
    for v_id in
      select i.id from tutela.guardian_invites as i
      where i.student_id = v_student.id and lower(i.email) = v_email and i.status = 'pending'
    loop
      perform tutela_private.withdraw_invite(v_id, 'roster', 'roster sync: deleted');
      p_action := 'revoke';
    end loop;
    return;
  end if;

  if v_user is not null and v_link.status in ('active', 'pending') then
    -- a pending link waits for the student's approval: the roster never activates it
    if v_link.relation = v_relation
      and v_link.permissions = tutela_private.narrow_link_permissions(v_link.permissions, v_permissions)
      and v_link.is_primary = coalesce(v_primary, v_link.is_primary)
      and v_link.sis_id is not distinct from coalesce(v_sis, v_link.sis_id)
      and v_link.managed_by_roster then
      p_action := 'unchanged';
      return;
    end if;
    update tutela.guardian_links as l
    set relation = v_relation,
      -- only narrowed: what the student or staff switched off stays off
      permissions = tutela_private.narrow_link_permissions(l.permissions, v_permissions),
      is_primary = case when v_primary is false then false else l.is_primary end,
      sis_id = coalesce(v_sis, l.sis_id), managed_by_roster = true,
      updated_at = pg_catalog.now()
    where l.id = v_link.id
    returning * into v_link;
    perform tutela_private.audit('link_updated', 'roster', p_organization_id, v_student.id,
      v_link.id, p_subject_user_id => v_user, p_new => to_jsonb(v_link));
    p_action := 'update';
    if v_primary and not v_link.is_primary and v_link.status = 'active' then
      perform tutela_private.make_primary(v_link, 'roster');
    end if;
    return;
  end if;
  if v_user is not null then
    -- a link the family ended (the student, or the guardian themself) comes back through
    -- staff or a new code, not through a nightly file; one staff ended, only through staff
    if v_link.status = 'revoked'
      and (v_link.revoked_by = v_user
        or (v_student.user_id is not null and v_link.revoked_by = v_student.user_id)) then
      perform tutela_private.conflict(
        'the family ended this link; staff can restore it (restore_guardian_link)',
        'revoked_by_family');
    end if;
    perform tutela_private.undo_revocation(v_link, 'roster', pg_catalog.clock_timestamp(), 'active');
    if v_org.roster_trusted then
      -- the organisation trusts its roster: a new link, or a revoked one back (same row, same
      -- id), at once; the account holder is told
      v_link := tutela_private.attach_guardian(v_student, v_user, v_relation, v_permissions, 'roster',
        'active', 'roster', 'roster', pg_catalog.clock_timestamp(), p_sis_id => v_sis,
        p_managed => true);
      -- an invite still waiting for this address is settled by the link
      update tutela.guardian_invites as i set status = 'withdrawn', updated_at = pg_catalog.now()
      where i.student_id = v_student.id and lower(i.email) = v_email and i.status = 'pending';
      insert into tutela_private.notification_outbox (kind, recipient_user_id, student_id, payload)
      values ('guardian_linked', v_user, v_student.id, jsonb_build_object(
        'student_name', v_student.display_name, 'organization_name', v_org.name,
        'relation', v_relation, 'link_id', v_link.id));
      if v_primary and not v_link.is_primary then
        perform tutela_private.make_primary(v_link, 'roster');
      end if;
      p_action := 'create';
      return;
    end if;
    -- by default an existing account is invited like anyone else and must accept (a typo in
    -- the school's export must not hand a child's data to whoever owns that address)
  end if;

  -- no account yet, or one the roster does not link at once: an invite (the guardian-invite
  -- flow); the link appears on acceptance
  select * into v_invite from tutela.guardian_invites as i
  where i.student_id = v_student.id and lower(i.email) = v_email and i.status = 'pending'
    and i.expires_at > pg_catalog.now()
  order by i.created_at desc limit 1
  for update;
  if v_invite.id is not null then
    -- its email ended dead (an outage, a lost token): brought up to date and re-issued, never
    -- reported unchanged
    if tutela_private.invite_mail_dead('guardian_invite', v_invite.id) then
      update tutela.guardian_invites as i
      set relation = v_relation, permissions = coalesce(v_permissions, i.permissions),
        make_primary = coalesce(v_primary, i.make_primary), name = coalesce(v_name, i.name),
        sis_id = coalesce(v_sis, i.sis_id), managed_by_roster = true,
        updated_at = pg_catalog.now()
      where i.id = v_invite.id;
      perform tutela_private.reissue_invite('guardian_invite', v_invite.id, 'roster');
      p_action := 'invite';
      return;
    end if;
    if v_invite.relation = v_relation
      and v_invite.permissions = coalesce(v_permissions, v_invite.permissions)
      and v_invite.make_primary = coalesce(v_primary, v_invite.make_primary)
      and v_invite.name is not distinct from coalesce(v_name, v_invite.name)
      and v_invite.sis_id is not distinct from coalesce(v_sis, v_invite.sis_id)
      and v_invite.managed_by_roster then
      p_action := 'unchanged';
      return;
    end if;
    update tutela.guardian_invites as i
    set relation = v_relation, permissions = coalesce(v_permissions, i.permissions),
      make_primary = coalesce(v_primary, i.make_primary), name = coalesce(v_name, i.name),
      sis_id = coalesce(v_sis, i.sis_id), managed_by_roster = true,
      updated_at = pg_catalog.now()
    where i.id = v_invite.id;
    p_action := 'update';
    return;
  end if;
  if tutela_private.guardian_slots_left(v_student.id) <= 0 then
    perform tutela_private.conflict('this student already has the maximum number of guardians',
      'guardian_limit_reached', 'Revoke a link first, or raise max_guardians_per_student.');
  end if;
  perform tutela_private.create_guardian_invite(v_student, v_email, v_name, v_relation,
    coalesce(v_permissions, tutela_hidden.default_link_permissions()), null, 'roster',
    p_sis_id => v_sis, p_managed => true, p_make_primary => coalesce(v_primary, false));
  p_action := 'invite';
end;
$$;

revoke all on function tutela_private.roster_link_row(uuid, jsonb, jsonb)
from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The entry point
-- ---------------------------------------------------------------------------------------------

-- Applies roster rows (or, with dry_run, works out what they would do and rolls it back).
-- p_kind: students | staff | guardian-links. p_rows: JSON array of objects, column -> text,
-- each optionally with "line" (its line in the file, for the report).
-- p_options: dry_run, strict (abort on the first bad row), full (also revoke what the roster
-- manages and the file no longer lists; staff and guardian-links), keep (canonical keys seen
-- in earlier batches of the same full sync).
-- Returns {kind, dry_run, full, counts {create, update, revoke, invite, unchanged, error},
-- changes [{line, action, key}], errors [{line, code, reason}], keys [canonical keys]}.
create or replace function tutela.import_roster(
  p_organization_id uuid,
  p_kind text,
  p_rows jsonb,
  p_options jsonb default '{}'::jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_options jsonb := coalesce(p_options, '{}'::jsonb);
  v_dry boolean;
  v_strict boolean;
  v_full boolean;
  v_keep text[];
  v_counts jsonb := jsonb_build_object('create', 0, 'update', 0, 'revoke', 0, 'invite', 0,
    'unchanged', 0, 'error', 0);
  v_changes jsonb[] := '{}';  -- arrays grow in place; jsonb || would copy per row
  v_errors jsonb[] := '{}';
  v_keys text[] := '{}';
  v_users jsonb;
  v_repeats jsonb;
  v_row jsonb;
  v_index integer := 0;
  v_line integer;
  v_key text;
  v_action text;
  v_state text;
  v_message text;
  v_detail text;
  v_target record;
  v_link tutela.guardian_links;
begin
  if not tutela_private.is_service_role(true) then
    perform tutela_private.deny('roster import is for the service role (tutela import, an edge function)');
  end if;
  if p_kind is null or p_kind not in ('students', 'staff', 'guardian-links') then
    perform tutela_private.invalid('unknown roster kind', 'Kinds: students, staff, guardian-links.');
  end if;
  if not exists (select 1 from tutela.organizations as o where o.id = p_organization_id) then
    perform tutela_private.not_found('organisation');
  end if;
  if p_rows is null or jsonb_typeof(p_rows) <> 'array' then
    perform tutela_private.invalid('rows must be a JSON array of objects');
  end if;
  if jsonb_typeof(v_options) <> 'object' or exists (
    select 1 from jsonb_each(v_options) as e
    where e.key not in ('dry_run', 'strict', 'full', 'keep')
      or (e.key <> 'keep' and jsonb_typeof(e.value) <> 'boolean')
      or (e.key = 'keep' and jsonb_typeof(e.value) <> 'array')
  ) then
    perform tutela_private.invalid('options: dry_run, strict and full are true or false; keep is a list',
      'Example: {"dry_run": true, "full": false}.');
  end if;
  v_dry := coalesce((v_options ->> 'dry_run')::boolean, false);
  v_strict := coalesce((v_options ->> 'strict')::boolean, false);
  v_full := coalesce((v_options ->> 'full')::boolean, false);
  v_keep := coalesce(array(select jsonb_array_elements_text(v_options -> 'keep')), '{}');
  if v_full and p_kind = 'students' then
    perform tutela_private.invalid('a full sync applies to staff and guardian-links',
      'Students are never removed by an import; they stay with their data.');
  end if;
  -- one transaction-scoped lock per organisation: two syncs never interleave
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('tutela.roster:' || p_organization_id::text, 0));
  -- the accounts the file names, looked up once
  select coalesce(jsonb_object_agg(lower(u.email), u.id), '{}'::jsonb) into v_users
  from auth.users as u
  where lower(u.email) in (
    select lower(btrim(r.value ->> c)) from jsonb_array_elements(p_rows) as r
    cross join unnest(array['email', 'guardian_email']) as c
    where jsonb_typeof(r.value) = 'object' and r.value ->> c is not null
  );

  -- rows that repeat an earlier row's key, or name a second primary guardian for a student:
  -- row number -> [reason, the earlier line], worked out once for the whole call
  with numbered as (
    select r.n, r.value,
      tutela_private.roster_line(r.value, r.n::integer + 1) as line,
      case when jsonb_typeof(r.value) = 'object' then
        case p_kind
          when 'students' then tutela_private.roster_value(r.value, 'sis_id')
          when 'staff' then lower(tutela_private.roster_value(r.value, 'email'))
          else lower(tutela_private.roster_value(r.value, 'student')) || '|'
            || lower(tutela_private.roster_value(r.value, 'guardian_email'))
        end
      end as key
    from jsonb_array_elements(p_rows) with ordinality as r (value, n)
  ),
  repeats as (
    select n, 'duplicate' as why,
      first_value(line) over (partition by key order by n) as first_line,
      row_number() over (partition by key order by n) as k
    from numbered where key is not null
    union all
    select n, 'primary',
      first_value(line) over (partition by lower(tutela_private.roster_value(value, 'student'))
        order by n),
      row_number() over (partition by lower(tutela_private.roster_value(value, 'student')) order by n)
    from numbered
    where p_kind = 'guardian-links' and key is not null
      and lower(coalesce(tutela_private.roster_value(value, 'primary'), ''))
      in ('true', 't', 'yes', 'y', '1')
      and coalesce(lower(tutela_private.roster_value(value, 'status')), 'active') = 'active'
  )
  select coalesce(jsonb_object_agg(n::text, jsonb_build_array(why, first_line)), '{}'::jsonb)
  into v_repeats
  from (select distinct on (n) n, why, first_line from repeats where k > 1 order by n, why) as d;

  begin
    for v_row in select r.value from jsonb_array_elements(p_rows) as r loop
      v_index := v_index + 1;
      v_line := tutela_private.roster_line(v_row, v_index + 1);
      v_key := null;
      begin
        -- a repeated key is an error, not a second change; so is a second primary guardian
        if v_repeats ? v_index::text then
          if v_repeats -> v_index::text ->> 0 = 'duplicate' then
            perform tutela_private.conflict(pg_catalog.format('duplicate of line %s',
              v_repeats -> v_index::text ->> 1), 'duplicate_row');
          end if;
          perform tutela_private.conflict(pg_catalog.format(
            'line %s already names this student''s primary guardian',
            v_repeats -> v_index::text ->> 1), 'two_primaries');
        end if;
        if p_kind = 'students' then
          v_action := tutela_private.roster_student_row(p_organization_id, v_row);
          v_key := tutela_private.roster_value(v_row, 'sis_id');
        elsif p_kind = 'staff' then
          v_action := tutela_private.roster_staff_row(p_organization_id, v_row, v_users);
          v_key := lower(tutela_private.roster_value(v_row, 'email'));
        else
          select r.p_action, r.p_key into v_action, v_key
          from tutela_private.roster_link_row(p_organization_id, v_row, v_users) as r;
        end if;
        if v_key is not null then
          v_keys := v_keys || v_key;
        end if;
        v_counts := tutela_private.roster_tally(v_counts, v_action);
        if v_action <> 'unchanged' then
          v_changes := v_changes || jsonb_build_object('line', v_line, 'action', v_action,
            'key', v_key);
        end if;
      exception
        when sqlstate 'TU403' or sqlstate 'TU404' or sqlstate 'TU409' or sqlstate 'TU422'
          or integrity_constraint_violation then
          get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
            v_detail = pg_exception_detail;
          if v_strict then
            raise exception 'line %: %', v_line, v_message
              using errcode = 'TU422', detail = v_state || coalesce(': ' || v_detail, ''),
              hint = 'Without --strict, bad rows are reported and skipped.';
          end if;
          v_counts := tutela_private.roster_tally(v_counts, 'error');
          v_errors := v_errors || jsonb_build_object('line', v_line, 'code', v_state,
            'reason', v_message, 'detail', v_detail);
      end;
    end loop;

    -- a full sync: what the roster manages and the file no longer lists is revoked
    if v_full and p_kind = 'staff' then
      for v_target in
        select m.* from tutela.memberships as m
        join auth.users as u on u.id = m.user_id
        where m.organization_id = p_organization_id and m.managed_by_roster
          and lower(u.email) not in (select unnest(v_keys || v_keep))
        order by m.created_at
      loop
        begin
          if v_target.role = 'admin' then
            perform tutela_private.keep_an_admin(p_organization_id, v_target.user_id);
          end if;
          delete from tutela.memberships as m where m.id = v_target.id;
          perform tutela_private.audit('member_removed', 'roster', p_organization_id,
            p_subject_user_id => v_target.user_id,
            p_new => jsonb_build_object('reason', 'roster sync: not in the file'));
          v_counts := tutela_private.roster_tally(v_counts, 'revoke');
          v_changes := v_changes || jsonb_build_object('line', null, 'action', 'revoke',
            'key', (select lower(u.email) from auth.users as u where u.id = v_target.user_id));
        exception
          when sqlstate 'TU409' then
            get stacked diagnostics v_message = message_text;
            if v_strict then
              raise;
            end if;
            v_counts := tutela_private.roster_tally(v_counts, 'error');
            v_errors := v_errors || jsonb_build_object('line', null, 'code', 'TU409',
              'reason', v_message, 'detail', 'last_admin');
        end;
      end loop;
      -- and the roster's invitations the file no longer lists
      for v_target in
        select i.id, lower(i.email) as key from tutela.membership_invites as i
        where i.organization_id = p_organization_id and i.managed_by_roster
          and i.status = 'pending' and lower(i.email) not in (select unnest(v_keys || v_keep))
        order by i.created_at
      loop
        update tutela.membership_invites as i
        set status = 'withdrawn', decided_at = pg_catalog.now(), updated_at = pg_catalog.now()
        where i.id = v_target.id;
        perform tutela_private.audit('member_invite_withdrawn', 'roster', p_organization_id,
          p_invite_id => v_target.id,
          p_new => jsonb_build_object('reason', 'roster sync: not in the file'));
        v_counts := tutela_private.roster_tally(v_counts, 'revoke');
        v_changes := v_changes || jsonb_build_object('line', null, 'action', 'revoke',
          'key', v_target.key);
      end loop;
    elsif v_full and p_kind = 'guardian-links' then
      for v_target in
        select l.id, l.student_id, l.student_id::text || ':' || lower(u.email) as key
        from tutela.guardian_links as l
        join tutela.students as s on s.id = l.student_id
        join auth.users as u on u.id = l.guardian_id
        where s.organization_id = p_organization_id and l.managed_by_roster
          and l.status in ('active', 'pending')
          and l.student_id::text || ':' || lower(u.email)
          not in (select unnest(v_keys || v_keep))
        order by l.student_id, l.id
      loop
        perform tutela_private.lock_student(v_target.student_id);
        select * into v_link from tutela.guardian_links as l where l.id = v_target.id for update;
        perform tutela_private.revoke_link(v_link, 'roster', null, 'roster sync: not in the file');
        v_counts := tutela_private.roster_tally(v_counts, 'revoke');
        v_changes := v_changes || jsonb_build_object('line', null, 'action', 'revoke',
          'key', v_target.key);
      end loop;
      for v_target in
        select i.id, i.student_id::text || ':' || lower(i.email) as key
        from tutela.guardian_invites as i
        join tutela.students as s on s.id = i.student_id
        where s.organization_id = p_organization_id and i.managed_by_roster
          and i.status = 'pending'
          and i.student_id::text || ':' || lower(i.email)
          not in (select unnest(v_keys || v_keep))
        order by i.student_id, i.id
      loop
        perform tutela_private.withdraw_invite(v_target.id, 'roster', 'roster sync: not in the file');
        v_counts := tutela_private.roster_tally(v_counts, 'revoke');
        v_changes := v_changes || jsonb_build_object('line', null, 'action', 'revoke',
          'key', v_target.key);
      end loop;
    end if;

    perform tutela_private.audit('roster_imported', 'roster', p_organization_id,
      p_new => jsonb_build_object('kind', p_kind, 'rows', jsonb_array_length(p_rows),
        'full', v_full, 'counts', v_counts));
    if v_dry then
      -- undo everything; the variables keep the plan
      raise exception 'dry run' using errcode = 'TUDRY';
    end if;
  exception
    when sqlstate 'TUDRY' then  -- not a class code (xx000 would match every TU error)
      null;
  end;

  return jsonb_build_object(
    'kind', p_kind, 'organization_id', p_organization_id, 'dry_run', v_dry, 'full', v_full,
    'counts', v_counts, 'changes', to_jsonb(v_changes), 'errors', to_jsonb(v_errors),
    'keys', to_jsonb(v_keys)
  );
end;
$$;

comment on function tutela.import_roster(uuid, text, jsonb, jsonb) is
'Roster sync from an SIS (students, staff, guardian-links) as JSON rows; service role only. '
'Bad rows are reported and skipped (strict: abort); dry_run plans without writing. '
'docs/roster-sync.md';
revoke all on function tutela.import_roster(uuid, text, jsonb, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela.import_roster(uuid, text, jsonb, jsonb) to service_role;
