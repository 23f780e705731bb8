-- Privacy and family controls: who decides consent, the consent matrix and its audit, the
-- aal2 gate for sensitive actions, family controls, data export and erasure (docs/privacy.md).

-- =============================================================================================
-- Strong authentication for sensitive actions
-- =============================================================================================

-- When the organisation requires it, a sensitive action needs an aal2 session (Supabase Auth
-- MFA): TU412 otherwise. The service role is exempt (it acts for the organisation).
create or replace function tutela_private.require_aal2(p_organization_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if tutela_private.is_service_role() then
    return;
  end if;
  if exists (
    select 1 from tutela.organizations as o
    where o.id = p_organization_id and o.require_mfa_for_sensitive
  ) and coalesce((select auth.jwt()) ->> 'aal', 'aal1') <> 'aal2' then
    raise exception 'this action needs two-factor authentication'
      using errcode = 'TU412',
      hint = 'Verify with your second factor (MFA), then try again.';
  end if;
end;
$$;

revoke all on function tutela_private.require_aal2(uuid)
from public, anon, authenticated, service_role;

create or replace function tutela_private.require_aal2_for_student(p_student_id uuid)
returns void
language sql
stable
security definer
set search_path = ''
as $$
  select tutela_private.require_aal2(s.organization_id) from tutela.students as s
  where s.id = p_student_id
$$;

revoke all on function tutela_private.require_aal2_for_student(uuid)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Who decides consent
-- =============================================================================================

-- Whether the student is under the organisation's digital-consent age (an unknown birth date
-- counts as under it: the safer side).
create or replace function tutela_private.under_consent_age(p_student_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    s.birth_date is null
    or s.birth_date > ((pg_catalog.now() at time zone 'UTC')::date
      - pg_catalog.make_interval(years => o.digital_consent_age))::date,
    true
  )
  from tutela.students as s
  join tutela.organizations as o on o.id = s.organization_id
  where s.id = p_student_id
$$;

revoke all on function tutela_private.under_consent_age(uuid)
from public, anon, authenticated, service_role;

-- The users who decide a student's consent: under the consent age, the active primary guardian
-- (or every active guardian when none is primary); at or above it, the student (their login).
create or replace function tutela_private.consent_deciders(p_student_id uuid)
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select l.guardian_id from tutela.guardian_links as l
  where tutela_private.under_consent_age(p_student_id)
    and l.student_id = p_student_id and l.status = 'active'
    and (l.is_primary or not exists (
      select 1 from tutela.guardian_links as p
      where p.student_id = p_student_id and p.status = 'active' and p.is_primary
    ))
  union
  select s.user_id from tutela.students as s
  where s.id = p_student_id and s.user_id is not null
    and not tutela_private.under_consent_age(p_student_id)
$$;

revoke all on function tutela_private.consent_deciders(uuid)
from public, anon, authenticated, service_role;


-- =============================================================================================
-- The consent matrix
-- =============================================================================================

create or replace function tutela.set_consent(
  p_student_id uuid,
  p_data_type text,
  p_recipient_type text,
  p_granted boolean,
  p_expires_at timestamptz default null,
  p_reason text default null
)
returns tutela.consent_records
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_old tutela.consent_records;
  v_row tutela.consent_records;
begin
  if p_student_id is null
    or not exists (select 1 from tutela.students as s where s.id = p_student_id) then
    perform tutela_private.not_found('student', 'only the person who decides this student''s consent');
  end if;
  -- who may: the student's consent decider (docs/privacy.md)
  if v_uid not in (select tutela_private.consent_deciders(p_student_id)) then
    perform tutela_private.deny('only the person who decides this student''s consent');
  end if;
  perform tutela_private.require_aal2_for_student(p_student_id);
  if p_data_type is null or p_data_type not in (
    'progress', 'grades', 'attendance', 'sessions', 'lessons', 'card_content', 'journal',
    'messaging', 'profile'
  ) then
    perform tutela_private.invalid(pg_catalog.format('unknown data type %L', p_data_type));
  end if;
  if p_recipient_type is null
    or p_recipient_type not in ('teachers', 'ai_tutor', 'other_guardians', 'third_parties') then
    perform tutela_private.invalid(pg_catalog.format('unknown recipient type %L', p_recipient_type));
  end if;
  if p_granted is null then
    perform tutela_private.invalid('granted must be true or false');
  end if;
  if p_expires_at is not null and p_expires_at <= pg_catalog.now() then
    perform tutela_private.invalid('the expiry must be in the future');
  end if;
  if p_reason is not null and char_length(p_reason) > 500 then
    perform tutela_private.invalid('the reason is limited to 500 characters');
  end if;
  select * into v_old from tutela.consent_records as c
  where c.student_id = p_student_id and c.data_type = p_data_type
    and c.recipient_type = p_recipient_type
  for update;
  insert into tutela.consent_records as c (
    student_id, data_type, recipient_type, granted, granted_at, revoked_at, expires_at,
    reason, decided_by
  )
  values (
    p_student_id, p_data_type, p_recipient_type, p_granted,
    case when p_granted then pg_catalog.now() end,
    case when not p_granted then pg_catalog.now() end,
    p_expires_at, p_reason, v_uid
  )
  on conflict (student_id, data_type, recipient_type) do update
  set granted = excluded.granted,
    granted_at = case when excluded.granted and not c.granted then pg_catalog.now()
      else c.granted_at end,
    revoked_at = case when not excluded.granted and c.granted then pg_catalog.now()
      when excluded.granted then null else c.revoked_at end,
    expires_at = excluded.expires_at, reason = excluded.reason,
    decided_by = excluded.decided_by, updated_at = pg_catalog.now()
  returning * into v_row;
  insert into tutela.consent_audit_log (
    student_id, consent_id, data_type, recipient_type, action, performed_by, old_value,
    new_value, request_ip, user_agent
  )
  values (
    p_student_id, v_row.id, p_data_type, p_recipient_type,
    case
      when v_old.id is null and p_granted then 'granted'
      when v_old.id is null then 'revoked'
      when v_old.granted and not p_granted then 'revoked'
      when not v_old.granted and p_granted then 'granted'
      else 'updated'
    end,
    v_uid,
    case when v_old.id is not null then jsonb_build_object('granted', v_old.granted,
      'expires_at', v_old.expires_at, 'reason', v_old.reason) end,
    jsonb_build_object('granted', v_row.granted, 'expires_at', v_row.expires_at,
      'reason', v_row.reason),
    tutela_private.request_ip(), tutela_private.request_user_agent()
  );
  return v_row;
end;
$$;

comment on function tutela.set_consent(uuid, text, text, boolean, timestamptz, text) is
'Grants or revokes consent for a data type and recipient type. The consent decider only.';
revoke all on function tutela.set_consent(uuid, text, text, boolean, timestamptz, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.set_consent(uuid, text, text, boolean, timestamptz, text)
to authenticated, service_role;

create or replace function tutela.get_consent_matrix(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
begin
  if p_student_id is null
    or not exists (select 1 from tutela.students as s where s.id = p_student_id) then
    perform tutela_private.not_found('student', 'this student''s consent');
  end if;
  -- who may: the student, active guardians, staff and admins of the organisation
  if p_student_id not in (select tutela_hidden.readable_student_ids()) then
    perform tutela_private.deny('this student''s consent');
  end if;
  return jsonb_build_object(
    'student_id', p_student_id,
    'under_consent_age', tutela_private.under_consent_age(p_student_id),
    'deciders', coalesce((select jsonb_agg(d) from tutela_private.consent_deciders(p_student_id) as d),
      '[]'::jsonb),
    'you_decide', v_uid in (select tutela_private.consent_deciders(p_student_id)),
    'matrix', (
      select jsonb_object_agg(dt, (
        select jsonb_object_agg(rt, jsonb_build_object(
          'granted', coalesce(c.granted and (c.expires_at is null
            or c.expires_at > pg_catalog.now()), false),
          'granted_at', c.granted_at, 'revoked_at', c.revoked_at,
          'expires_at', c.expires_at, 'reason', c.reason
        ))
        from unnest(array['teachers', 'ai_tutor', 'other_guardians', 'third_parties']) as rt
        left join tutela.consent_records as c
          on c.student_id = p_student_id and c.data_type = dt and c.recipient_type = rt
      ))
      from unnest(array['progress', 'grades', 'attendance', 'sessions', 'lessons',
        'card_content', 'journal', 'messaging', 'profile']) as dt
    )
  );
end;
$$;

comment on function tutela.get_consent_matrix(uuid) is
'Data types x recipient types with the consent in force, and who decides. The student, '
'active guardians, staff.';
revoke all on function tutela.get_consent_matrix(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.get_consent_matrix(uuid) to authenticated, service_role;

-- Job: consents past their expiry are revoked and audited as 'expired'.
create or replace function tutela_private.expire_consents()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  with expired as (
    update tutela.consent_records as c
    set granted = false, revoked_at = c.expires_at, updated_at = pg_catalog.now()
    where c.granted and c.expires_at is not null and c.expires_at <= pg_catalog.now()
    returning c.*
  ),
  audited as (
    insert into tutela.consent_audit_log (
      student_id, consent_id, data_type, recipient_type, action, performed_by, old_value,
      new_value
    )
    select e.student_id, e.id, e.data_type, e.recipient_type, 'expired', null,
      jsonb_build_object('granted', true, 'expires_at', e.expires_at),
      jsonb_build_object('granted', false)
    from expired as e
    returning 1
  )
  select count(*) into v_count from audited;
  return v_count;
end;
$$;

revoke all on function tutela_private.expire_consents()
from public, anon, authenticated, service_role;

insert into tutela_private.jobs (name, schedule, every, command)
values (
  'expire_consents', '15 * * * *', interval '1 hour', 'select tutela_private.expire_consents()'
)
on conflict (name) do update
  set schedule = excluded.schedule, every = excluded.every, command = excluded.command;

-- =============================================================================================
-- Family controls
-- =============================================================================================

-- The caller's children with every guardian of each (active and pending) and their rights.
create or replace function tutela.family_overview()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the caller, as guardian
begin
  return coalesce((
    select jsonb_agg(jsonb_build_object(
      'student_id', s.id, 'display_name', s.display_name,
      'under_consent_age', tutela_private.under_consent_age(s.id),
      'you_are_primary', mine.is_primary,
      'you_decide_consent', v_uid in (select tutela_private.consent_deciders(s.id)),
      'guardians', (
        select jsonb_agg(jsonb_build_object(
          'link_id', l.id, 'guardian_id', l.guardian_id,
          'name', coalesce(nullif(p.display_name, ''), 'Guardian'),
          'relation', l.relation, 'is_primary', l.is_primary, 'status', l.status,
          'permissions', l.permissions, 'is_you', l.guardian_id = v_uid
        ) order by l.is_primary desc, l.created_at)
        from tutela.guardian_links as l
        left join tutela.profiles as p on p.user_id = l.guardian_id
        where l.student_id = s.id and l.status in ('active', 'pending')
      )
    ) order by s.display_name, s.id)
    from tutela.guardian_links as mine
    join tutela.students as s on s.id = mine.student_id
    where mine.guardian_id = v_uid and mine.status = 'active'
      and tutela_private.family_access_on(s.id)
  ), '[]'::jsonb);
end;
$$;

comment on function tutela.family_overview() is
'The caller''s children, each with every guardian and their rights (a guardian sees the family).';
revoke all on function tutela.family_overview() from public, anon, authenticated, service_role;
grant execute on function tutela.family_overview() to authenticated, service_role;

-- Whether the caller is the active primary guardian of the link's student, the student is under
-- the consent age, and the link is someone else's: the primary guardian's family powers.
create or replace function tutela_private.primary_guardian_controls(p_link tutela.guardian_links)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_link.guardian_id <> (select auth.uid())
    and tutela_private.family_access_on(p_link.student_id)
    and tutela_private.under_consent_age(p_link.student_id)
    and exists (
      select 1 from tutela.guardian_links as l
      where l.student_id = p_link.student_id and l.guardian_id = (select auth.uid())
        and l.status = 'active' and l.is_primary
    )
$$;

revoke all on function tutela_private.primary_guardian_controls(tutela.guardian_links)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Erased logins (issue 25, finding 7)
-- =============================================================================================

-- Whether a login belongs to a student whose data was erased: it may no longer act in Tutela
-- until Supabase Auth deletes it (tutela_private.erased_users, filled by erase_student_data).
create or replace function tutela_hidden.is_erased_user(p_user_id uuid)
returns boolean
language plpgsql  -- plpgsql keeps its plan (called on every request through require_uid)
stable
security definer
set search_path = ''
as $$
begin
  return p_user_id is not null
    and exists (select 1 from tutela_private.erased_users as e where e.user_id = p_user_id);
end;
$$;

revoke all on function tutela_hidden.is_erased_user(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.is_erased_user(uuid) to authenticated, service_role;

-- =============================================================================================
-- Data rights: who holds them (one rule for asking, exporting and carrying out)
-- =============================================================================================

-- The right on which a user may exercise a student's data rights, now: 'student' (their own
-- record), 'admin' (of the student's organisation), 'primary_guardian' (the active primary
-- guardian while the student is under the consent age and family access is on), or null.
-- One rule for request_data_erasure, export_student_data and erase_student_data (which
-- re-checks the requester in its own transaction): docs/privacy.md.
create or replace function tutela_private.data_rights_basis(p_student_id uuid, p_user_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students;
begin
  if p_user_id is null or tutela_hidden.is_erased_user(p_user_id)
    or not exists (select 1 from auth.users as u where u.id = p_user_id) then
    return null;
  end if;
  select * into v_student from tutela.students as s where s.id = p_student_id;
  if not found then
    return null;
  end if;
  if v_student.user_id = p_user_id then
    return 'student';
  end if;
  if exists (
    select 1 from tutela.memberships as m
    where m.organization_id = v_student.organization_id and m.user_id = p_user_id
      and m.role = 'admin'
  ) then
    return 'admin';
  end if;
  if tutela_private.under_consent_age(p_student_id) and tutela_private.family_access_on(p_student_id)
    and exists (
      select 1 from tutela.guardian_links as l
      where l.student_id = p_student_id and l.guardian_id = p_user_id and l.status = 'active'
        and l.is_primary
    ) then
    return 'primary_guardian';
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.data_rights_basis(uuid, uuid)
from public, anon, authenticated, service_role;

-- Who may exercise a student's data rights (the caller): the student, their primary guardian
-- while the student is under the consent age, and admins of the organisation.
create or replace function tutela_hidden.require_data_rights(p_student_id uuid)
returns tutela.students
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_student tutela.students;
begin
  select * into v_student from tutela.students as s where s.id = p_student_id;
  if not found then
    perform tutela_private.not_found('student', 'only the student, their primary guardian or an admin');
  end if;
  if tutela_private.data_rights_basis(p_student_id, v_uid) is null then
    perform tutela_private.deny('only the student, their primary guardian or an admin');
  end if;
  perform tutela_private.require_aal2(v_student.organization_id);
  return v_student;
end;
$$;

revoke all on function tutela_hidden.require_data_rights(uuid)
from public, anon, authenticated, service_role;
-- export_student_data runs as its caller (below) and checks them with this first
grant execute on function tutela_hidden.require_data_rights(uuid) to authenticated, service_role;

-- Why the requester of a pending erasure request no longer holds the right to ask, or null
-- when they still do: 'requester_lost_right: <what changed>'.
create or replace function tutela_private.data_rights_lost(p_request tutela.data_requests)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_link tutela.guardian_links;
begin
  if p_request.requested_by is null then
    return 'requester_lost_right: login_deleted';
  end if;
  if tutela_private.data_rights_basis(p_request.student_id, p_request.requested_by) is not null then
    return null;
  end if;
  if tutela_hidden.is_erased_user(p_request.requested_by) then
    return 'requester_lost_right: login_erased';
  end if;
  if p_request.requester_basis = 'student' then
    return 'requester_lost_right: no_longer_the_student';
  elsif p_request.requester_basis = 'admin' then
    return 'requester_lost_right: no_longer_admin';
  elsif p_request.requester_basis = 'primary_guardian' then
    select * into v_link from tutela.guardian_links as l
    where l.student_id = p_request.student_id and l.guardian_id = p_request.requested_by;
    if v_link.id is null or v_link.status <> 'active' then
      return 'requester_lost_right: link_' || coalesce(v_link.status, 'removed');
    elsif not v_link.is_primary then
      return 'requester_lost_right: no_longer_primary';
    elsif not tutela_private.family_access_on(p_request.student_id) then
      return 'requester_lost_right: family_access_off';
    elsif not tutela_private.under_consent_age(p_request.student_id) then
      return 'requester_lost_right: reached_consent_age';
    end if;
  end if;
  return 'requester_lost_right: no_basis';
end;
$$;

revoke all on function tutela_private.data_rights_lost(tutela.data_requests)
from public, anon, authenticated, service_role;

-- Cancels a pending erasure request, recording when and why. Returns the request.
create or replace function tutela_private.cancel_erasure_request(p_request_id uuid, p_reason text)
returns tutela.data_requests
language sql
volatile
security definer
set search_path = ''
as $$
  update tutela.data_requests as r
  set status = 'cancelled', cancelled_at = pg_catalog.now(),
    cancel_reason = pg_catalog.left(p_reason, 200)
  where r.id = p_request_id and r.kind = 'erasure' and r.status = 'pending'
  returning r.*
$$;

revoke all on function tutela_private.cancel_erasure_request(uuid, text)
from public, anon, authenticated, service_role;

-- Re-checks the pending erasure requests of some students (of one requester, when given) and
-- cancels those whose requester lost the right. Called by the triggers below, in the
-- statement that takes the right away. The request erase_student_data is carrying out (the
-- setting tutela.erasing) is left to it. Returns how many were cancelled.
create or replace function tutela_private.recheck_erasure_requests(
  p_student_ids uuid[], p_requested_by uuid default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_request tutela.data_requests;
  v_reason text;
  v_count integer := 0;
begin
  for v_request in
    select * from tutela.data_requests as r
    where r.student_id = any(p_student_ids) and r.kind = 'erasure' and r.status = 'pending'
      and (p_requested_by is null or r.requested_by = p_requested_by)
      and r.id::text is distinct from nullif(
        pg_catalog.current_setting('tutela.erasing', true), '')
    for update
  loop
    v_reason := tutela_private.data_rights_lost(v_request);
    if v_reason is not null then
      perform tutela_private.cancel_erasure_request(v_request.id, v_reason);
      v_count := v_count + 1;
    end if;
  end loop;
  return v_count;
end;
$$;

revoke all on function tutela_private.recheck_erasure_requests(uuid[], uuid)
from public, anon, authenticated, service_role;

-- Every loss of the right cancels the requester's pending erasure requests at once: a link
-- revoked, declined or no longer primary; family access switched off or the consent age
-- changed; a birth date or the student's login changed; an admin removed or demoted. (A child
-- who comes of age by the calendar alone is caught when the request is carried out.)
create or replace function tutela_private.guardian_links_cancel_erasure_requests()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform tutela_private.recheck_erasure_requests(array[new.student_id], new.guardian_id);
  if old.guardian_id is distinct from new.guardian_id then
    perform tutela_private.recheck_erasure_requests(array[old.student_id], old.guardian_id);
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.guardian_links_cancel_erasure_requests()
from public, anon, authenticated, service_role;

drop trigger if exists guardian_links_cancel_erasure_requests on tutela.guardian_links;
create trigger guardian_links_cancel_erasure_requests
after update on tutela.guardian_links
for each row
when (
  old.status is distinct from new.status or old.is_primary is distinct from new.is_primary
  or old.guardian_id is distinct from new.guardian_id
)
execute function tutela_private.guardian_links_cancel_erasure_requests();

create or replace function tutela_private.organizations_cancel_erasure_requests()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform tutela_private.recheck_erasure_requests(array(
    select r.student_id from tutela.data_requests as r
    where r.organization_id = new.id and r.kind = 'erasure' and r.status = 'pending'
  ));
  return null;
end;
$$;

revoke all on function tutela_private.organizations_cancel_erasure_requests()
from public, anon, authenticated, service_role;

drop trigger if exists organizations_cancel_erasure_requests on tutela.organizations;
create trigger organizations_cancel_erasure_requests
after update of family_access_enabled, digital_consent_age on tutela.organizations
for each row
when (
  old.family_access_enabled is distinct from new.family_access_enabled
  or old.digital_consent_age is distinct from new.digital_consent_age
)
execute function tutela_private.organizations_cancel_erasure_requests();

create or replace function tutela_private.students_cancel_erasure_requests()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform tutela_private.recheck_erasure_requests(array[new.id]);
  return null;
end;
$$;

revoke all on function tutela_private.students_cancel_erasure_requests()
from public, anon, authenticated, service_role;

drop trigger if exists students_cancel_erasure_requests on tutela.students;
create trigger students_cancel_erasure_requests
after update of birth_date, user_id, organization_id on tutela.students
for each row
when (
  old.birth_date is distinct from new.birth_date or old.user_id is distinct from new.user_id
  or old.organization_id is distinct from new.organization_id
)
execute function tutela_private.students_cancel_erasure_requests();

create or replace function tutela_private.memberships_cancel_erasure_requests()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform tutela_private.recheck_erasure_requests(array(
    select r.student_id from tutela.data_requests as r
    where r.organization_id = old.organization_id and r.requested_by = old.user_id
      and r.kind = 'erasure' and r.status = 'pending'
  ), old.user_id);
  return null;
end;
$$;

revoke all on function tutela_private.memberships_cancel_erasure_requests()
from public, anon, authenticated, service_role;

drop trigger if exists memberships_cancel_erasure_requests on tutela.memberships;
create trigger memberships_cancel_erasure_requests
after update of role, user_id, organization_id or delete on tutela.memberships
for each row
execute function tutela_private.memberships_cancel_erasure_requests();

-- =============================================================================================
-- What refers to a student, found in the catalog (export and erasure)
-- =============================================================================================

-- Every column of a table in public or private that refers to a student: 'student' (a column
-- named student_id, a foreign key to tutela.students(id), and students.id itself) or 'login'
-- (a foreign key to auth.users(id): rows of the student's login). Read from the catalog, so a
-- new table is found without a change here.
create or replace function tutela_hidden.student_reference_columns()
returns table (table_schema text, table_name text, column_name text, refers_to text)
language sql
stable
security definer
set search_path = ''
as $$
  select n.nspname::text, c.relname::text, a.attname::text, 'student'
  from pg_catalog.pg_class as c
  join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
  join pg_catalog.pg_attribute as a on a.attrelid = c.oid
  where n.nspname in ('tutela', 'tutela_private') and c.relkind in ('r', 'p')
    and a.attnum > 0 and not a.attisdropped
    and a.atttypid = 'uuid'::pg_catalog.regtype
    and (
      a.attname = 'student_id'
      or exists (
        select 1 from pg_catalog.pg_constraint as k
        cross join lateral unnest(k.conkey, k.confkey) as p (col, ref)
        where k.contype = 'f' and k.conrelid = c.oid
          and k.confrelid = 'tutela.students'::pg_catalog.regclass and p.col = a.attnum
          and p.ref = (select r.attnum from pg_catalog.pg_attribute as r
            where r.attrelid = 'tutela.students'::pg_catalog.regclass and r.attname = 'id')
      )
    )
  union
  -- the student record itself
  select 'tutela', 'students', 'id', 'student'
  union
  select n.nspname::text, c.relname::text, a.attname::text, 'login'
  from pg_catalog.pg_constraint as k
  join pg_catalog.pg_class as c on c.oid = k.conrelid
  join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
  join pg_catalog.pg_attribute as a on a.attrelid = c.oid and a.attnum = k.conkey[1]
  where k.contype = 'f' and k.confrelid = 'auth.users'::pg_catalog.regclass
    and pg_catalog.cardinality(k.conkey) = 1 and n.nspname in ('tutela', 'tutela_private')
$$;

revoke all on function tutela_hidden.student_reference_columns()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.student_reference_columns() to authenticated, service_role;

-- How the export treats each table that refers to a student, beyond the default (a table of
-- public is read as the requester, under its own policies and column grants, exactly as the
-- API would show it). Every private table that refers to a student must be listed here: the
-- export withholds one that is not ('unclassified'), and tests/sql/privacy/010 fails on it.
--   own:<column>         only the rows where <column> is the requester (their own)
--   permission:<perm>    the rows when the requester may read the student for <perm>
--   student_or_staff     the student and staff of the organisation (as the API functions do)
--   per_section          reports: each section under its own permission
--   excluded             never exported; the reason says why
create or replace function tutela_hidden.export_rules()
returns table (table_schema text, table_name text, rule text, reason text)
language sql
immutable
security definer
set search_path = ''
as $$
  values
    ('tutela', 'reports', 'per_section',
      'the table hides a whole report when one section is not the requester''s; the export '
      || 'gives each report with the sections the requester may read, under each one''s '
      || 'permission'),
    ('tutela_private', 'course_averages', 'permission:grades',
      'averages of graded work: the grades permission, as submissions'),
    ('tutela_private', 'achievement_queue', 'permission:progress',
      'when the student''s badges are next checked: the progress permission, as badges'),
    ('tutela_private', 'weekly_digests', 'own:guardian_id',
      'a digest is written for one guardian: theirs only, while they hold progress, without '
      || 'the grades or attendance whose permission they no longer hold'),
    ('tutela_private', 'notification_outbox', 'own:recipient_user_id',
      'a message is addressed to one person: theirs only, without an invite token, and its '
      || 'contents only while they may still read them (payload_withheld says why not)'),
    ('tutela_private', 'link_code_attempts', 'own:user_id',
      'the login''s own attempts at redeeming link codes: the login''s only'),
    ('tutela_private', 'guardian_link_codes', 'student_or_staff',
      'the student and staff list a student''s link codes (list_guardian_link_codes); '
      || 'never the code''s hash'),
    ('tutela_private', 'erased_users', 'excluded',
      'the mark that a login was erased; it never exists while the student can export'),
    ('tutela_private', 'student_guardian_locks', 'excluded',
      'a lock counter for changes to the student''s guardians: no data about the student')
$$;

revoke all on function tutela_hidden.export_rules() from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.export_rules() to authenticated, service_role;

-- The sections of an export that do not come from a public table read as the requester
-- (private tables and reports, export_rules above). The caller's data rights are checked
-- first (definer: it reads what the requester cannot read directly, by the rules).
create or replace function tutela_hidden.export_gated_sections(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_student tutela.students;
  v_table record;
  v_cond text;
  v_cols text;
  v_rows jsonb;
  v_out jsonb := '{}'::jsonb;
  v_readable text[];
begin
  v_student := tutela_hidden.require_data_rights(p_student_id);
  -- the permissions the requester holds for this student, as the API checks them
  select coalesce(array_agg(p.perm), '{}') into v_readable
  from unnest(tutela_hidden.link_permission_keys()) as p (perm)
  where p_student_id in (select tutela_hidden.readable_student_ids(p.perm));

  for v_table in
    select c.table_schema, c.table_name, r.rule,
      array_agg(c.column_name) filter (where c.refers_to = 'student') as student_cols,
      array_agg(c.column_name) filter (where c.refers_to = 'login') as login_cols
    from tutela_hidden.student_reference_columns() as c
    left join tutela_hidden.export_rules() as r
      on r.table_schema = c.table_schema and r.table_name = c.table_name
    where c.table_schema = 'tutela_private' or r.rule is not null
    group by c.table_schema, c.table_name, r.rule
    order by c.table_schema, c.table_name
  loop
    if v_table.rule is null or v_table.rule = 'excluded' then
      continue;
    end if;
    -- the rows that refer to the student or their login
    select pg_catalog.string_agg(pg_catalog.format('t.%I = $1', s), ' or ')
    into v_cond from unnest(v_table.student_cols) as s;
    if v_student.user_id is not null then
      v_cond := concat_ws(' or ', v_cond, (
        select pg_catalog.string_agg(pg_catalog.format('t.%I = $2', l), ' or ')
        from unnest(v_table.login_cols) as l));
    end if;
    v_cond := '(' || coalesce(nullif(v_cond, ''), 'false') || ')';
    if v_table.rule like 'own:%' then
      v_cond := v_cond || pg_catalog.format(' and t.%I = $3', split_part(v_table.rule, ':', 2));
    elsif v_table.rule like 'permission:%' then
      if not split_part(v_table.rule, ':', 2) = any(v_readable) then
        v_cond := 'false';
      end if;
    elsif v_table.rule = 'student_or_staff' then
      if not (v_student.user_id is not distinct from v_uid
        or tutela_private.role_in_organization(v_student.organization_id) is not null) then
        v_cond := 'false';
      end if;
    end if;
    if v_table.rule = 'per_section' then
      -- reports: each section the requester may read; the others are dropped and named
      select coalesce(jsonb_agg(
        (to_jsonb(r) - 'data' - 'summary' - 'sections') || jsonb_build_object(
          'sections', to_jsonb(array(
            select s from unnest(r.sections) as s where s = any(v_readable))),
          'withheld_sections', to_jsonb(array(
            select s from unnest(r.sections) as s where not s = any(v_readable))),
          'data', r.data - array(
            select s from unnest(r.sections) as s where not s = any(v_readable)),
          'summary', r.summary - array(
            select s from unnest(r.sections) as s where not s = any(v_readable))
        ) order by r.created_at, r.id), '[]'::jsonb)
      into v_rows
      from tutela.reports as r where r.student_id = p_student_id;
    else
      -- no hashes (bytea), client addresses or user agents, and no invite token
      select pg_catalog.string_agg(case
          when a.attname = 'payload' and a.atttypid = 'jsonb'::pg_catalog.regtype
            then 't.payload - ''token'' as payload'
          else pg_catalog.format('t.%I', a.attname) end, ', ' order by a.attnum)
      into v_cols
      from pg_catalog.pg_attribute as a
      where a.attrelid = pg_catalog.format('%I.%I', v_table.table_schema,
          v_table.table_name)::pg_catalog.regclass
        and a.attnum > 0 and not a.attisdropped
        and a.atttypid <> 'bytea'::pg_catalog.regtype
        and a.attname not in ('request_ip', 'user_agent');
      execute pg_catalog.format(
        'select coalesce(jsonb_agg(to_jsonb(x) order by to_jsonb(x)::text), ''[]''::jsonb)'
        || ' from (select %s from %I.%I as t where %s) as x',
        v_cols, v_table.table_schema, v_table.table_name, v_cond
      ) into v_rows using p_student_id, v_student.user_id, v_uid;
    end if;
    -- stored payloads pass the gate their data has now, as if they were made or sent now
    if v_table.table_schema = 'tutela_private' and v_table.table_name = 'weekly_digests' then
      -- a digest needs progress; its grades and attendance need their own permissions
      select coalesce(jsonb_agg(d.value || jsonb_build_object('summary',
          (d.value -> 'summary') - array(
            select k from unnest(array['grades', 'attendance']) as k where not k = any(v_readable)
          )) order by d.value::text), '[]'::jsonb)
      into v_rows
      from jsonb_array_elements(v_rows) as d
      where 'progress' = any(v_readable);
    elsif v_table.table_schema = 'tutela_private' and v_table.table_name = 'notification_outbox' then
      -- a message's contents only while its recipient may still read them
      -- (tutela_private.outbox_block_reason); otherwise the row without its payload, and why
      select coalesce(jsonb_agg(case
          when b.reason is null then d.value || jsonb_build_object('payload', b.payload)
          else d.value || jsonb_build_object('payload', null, 'payload_withheld', b.reason)
        end order by d.value::text), '[]'::jsonb)
      into v_rows
      from jsonb_array_elements(v_rows) as d
      cross join lateral (
        select
          case when o.recipient_user_id is not distinct from v_student.user_id then null
            else tutela_private.outbox_block_reason(o) end as reason,  -- the student's own mail
          tutela_private.outbox_payload_now(o) - 'token' as payload
        from tutela_private.notification_outbox as o where o.id = (d.value ->> 'id')::uuid
      ) as b;
    end if;
    v_out := v_out || jsonb_build_object(
      case when v_table.table_schema = 'tutela' then v_table.table_name
        else v_table.table_schema || '.' || v_table.table_name end,
      v_rows);
  end loop;
  return v_out;
end;
$$;

revoke all on function tutela_hidden.export_gated_sections(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.export_gated_sections(uuid) to authenticated, service_role;

-- Records a completed export (the requester cannot write data_requests themself).
create or replace function tutela_hidden.record_export(p_student_id uuid, p_summary jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_student tutela.students := tutela_hidden.require_data_rights(p_student_id);
  v_request uuid;
begin
  insert into tutela.data_requests (
    student_id, organization_id, kind, requested_by, status, completed_at, result,
    requester_basis
  )
  values (
    p_student_id, v_student.organization_id, 'export', (select auth.uid()), 'completed',
    pg_catalog.now(), p_summary,
    tutela_private.data_rights_basis(p_student_id, (select auth.uid()))
  )
  returning id into v_request;
  return v_request;
end;
$$;

revoke all on function tutela_hidden.record_export(uuid, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.record_export(uuid, jsonb) to authenticated, service_role;

-- Every row about a student, in every table of public and private that refers to the student
-- or their login (found in the catalog), as one JSON document. Runs as its caller: each table
-- of public is read through the caller's own policies and column grants, so every section
-- passes the gate the caller meets through the API; private tables and reports follow
-- tutela_hidden.export_rules (export_gated_sections). Messages of the conversations about the
-- student come as their own section, as the caller may read them.
create or replace function tutela.export_student_data(p_student_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_student tutela.students;
  v_table record;
  v_cond text;
  v_cols text;
  v_rows jsonb;
  v_data jsonb;
  v_withheld text[];
  v_excluded jsonb;
  v_request uuid;
begin
  -- who may: the student, their primary guardian (under the consent age), an admin
  v_student := tutela_hidden.require_data_rights(p_student_id);
  v_data := tutela_hidden.export_gated_sections(p_student_id);
  for v_table in
    select c.table_name,
      array_agg(c.column_name) filter (where c.refers_to = 'student') as student_cols,
      array_agg(c.column_name) filter (where c.refers_to = 'login') as login_cols
    from tutela_hidden.student_reference_columns() as c
    where c.table_schema = 'tutela' and not exists (
      select 1 from tutela_hidden.export_rules() as r
      where r.table_schema = c.table_schema and r.table_name = c.table_name
    )
    group by c.table_name
    order by c.table_name
  loop
    -- the columns the caller may read (column grants), none when no grant at all
    select pg_catalog.string_agg(pg_catalog.format('t.%I', a.attname), ', '
      order by a.attnum)
    into v_cols
    from pg_catalog.pg_attribute as a
    where a.attrelid = pg_catalog.format('tutela.%I', v_table.table_name)::pg_catalog.regclass
      and a.attnum > 0 and not a.attisdropped
      and pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT');
    if v_cols is null then
      v_data := v_data || jsonb_build_object(v_table.table_name, '[]'::jsonb);
      continue;
    end if;
    select pg_catalog.string_agg(pg_catalog.format('t.%I = $1', s), ' or ')
    into v_cond from unnest(v_table.student_cols) as s;
    if v_student.user_id is not null then
      v_cond := concat_ws(' or ', v_cond, (
        select pg_catalog.string_agg(pg_catalog.format('t.%I = $2', l), ' or ')
        from unnest(v_table.login_cols) as l));
    end if;
    execute pg_catalog.format(
      'select coalesce(jsonb_agg(to_jsonb(x) order by to_jsonb(x)::text), ''[]''::jsonb)'
      || ' from (select %s from tutela.%I as t where %s) as x',
      v_cols, v_table.table_name, coalesce(nullif(v_cond, ''), 'false')
    ) into v_rows using p_student_id, v_student.user_id;
    v_data := v_data || jsonb_build_object(v_table.table_name, v_rows);
  end loop;
  -- every message of the conversations about the student, as the caller may read them
  v_data := v_data || jsonb_build_object('messages_in_conversations_about_the_student', (
    select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at, m.id), '[]'::jsonb)
    from tutela.messages as m
    join tutela.conversations as c on c.id = m.conversation_id
    where c.student_id = p_student_id
  ));
  -- what the caller may not read, and what is never exported
  select coalesce(array_agg(p.perm order by p.perm), '{}') into v_withheld
  from unnest(tutela_hidden.link_permission_keys()) as p (perm)
  where p_student_id not in (select tutela_hidden.readable_student_ids(p.perm));
  select coalesce(jsonb_object_agg(t.name, t.reason), '{}'::jsonb) into v_excluded
  from (
    select r.table_schema || '.' || r.table_name as name, r.reason
    from tutela_hidden.export_rules() as r where r.rule = 'excluded'
    union all
    select distinct c.table_schema || '.' || c.table_name,
      'unclassified: not in tutela_hidden.export_rules(), withheld until it is'
    from tutela_hidden.student_reference_columns() as c
    where c.table_schema <> 'tutela' and not exists (
      select 1 from tutela_hidden.export_rules() as r
      where r.table_schema = c.table_schema and r.table_name = c.table_name
    )
  ) as t;
  v_request := tutela_hidden.record_export(p_student_id, jsonb_build_object(
    'tables', (select count(*) from jsonb_object_keys(v_data)),
    'rows', (select sum(jsonb_array_length(v.value)) from jsonb_each(v_data) as v),
    'withheld_permissions', to_jsonb(v_withheld)
  ));
  return jsonb_build_object(
    'request_id', v_request, 'student_id', p_student_id, 'exported_at', pg_catalog.now(),
    'data', v_data, 'withheld_permissions', to_jsonb(v_withheld), 'excluded', v_excluded
  );
end;
$$;

comment on function tutela.export_student_data(uuid) is
'Every row about a student, as one JSON document (an access request); audited. Each part is '
'read under the gate the caller meets through the API. The student, their primary guardian '
'(under the consent age) or an admin.';
revoke all on function tutela.export_student_data(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.export_student_data(uuid) to authenticated, service_role;

drop function if exists tutela_private.student_data(uuid, boolean);

create or replace function tutela.request_data_erasure(p_student_id uuid)
returns tutela.data_requests
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_student tutela.students := tutela_hidden.require_data_rights(p_student_id);
  v_row tutela.data_requests;
begin
  select * into v_row from tutela.data_requests as r
  where r.student_id = p_student_id and r.kind = 'erasure' and r.status = 'pending';
  if found then
    return v_row;  -- one pending request is enough
  end if;
  insert into tutela.data_requests (
    student_id, organization_id, kind, requested_by, requester_basis
  )
  values (
    p_student_id, v_student.organization_id, 'erasure', (select auth.uid()),
    tutela_private.data_rights_basis(p_student_id, (select auth.uid()))
  )
  returning * into v_row;
  return v_row;
end;
$$;

comment on function tutela.request_data_erasure(uuid) is
'Records a request to erase a student''s data (carried out by the service role). The student, '
'their primary guardian (under the consent age) or an admin.';
revoke all on function tutela.request_data_erasure(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.request_data_erasure(uuid) to authenticated, service_role;

-- What an erasure request is, for the operator who carries it out: who asked (name, email, the
-- right they asked on, whether they still hold it), when, and what would be erased (rows per
-- table). Service role; changes nothing.
create or replace function tutela.describe_erasure_request(p_request_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_request tutela.data_requests;
  v_student tutela.students;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the service role reads an erasure request this way');
  end if;
  select * into v_request from tutela.data_requests as r
  where r.id = p_request_id and r.kind = 'erasure';
  if not found then
    perform tutela_private.not_found('erasure request');
  end if;
  select * into v_student from tutela.students as s where s.id = v_request.student_id;
  return jsonb_build_object(
    'request_id', v_request.id,
    'status', v_request.status,
    'requested_at', v_request.created_at,
    'cancel_reason', v_request.cancel_reason,
    'student', case when v_student.id is not null then jsonb_build_object(
      'id', v_student.id, 'display_name', v_student.display_name, 'email', v_student.email,
      'organization', (select o.name from tutela.organizations as o
        where o.id = v_student.organization_id)) end,
    'requested_by', jsonb_build_object(
      'user_id', v_request.requested_by,
      'display_name', (select p.display_name from tutela.profiles as p
        where p.user_id = v_request.requested_by),
      'email', (select u.email from auth.users as u where u.id = v_request.requested_by),
      'basis', v_request.requester_basis,
      'holds_the_right_now', v_request.status = 'pending'
        and tutela_private.data_rights_lost(v_request) is null,
      'lost_because', case when v_request.status = 'pending'
        then tutela_private.data_rights_lost(v_request) end
    ),
    'would_erase', case when v_student.id is not null and v_request.status = 'pending'
      then tutela_private.student_row_counts(v_student.id) end
  );
end;
$$;

-- Rows that refer to a student or their login, per table (schema-qualified for private),
-- plus the messages of the conversations about them. Used for the erasure's counts.
create or replace function tutela_private.student_row_counts(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_login uuid := (select s.user_id from tutela.students as s where s.id = p_student_id);
  v_table record;
  v_n bigint;
  v_out jsonb := '{}'::jsonb;
begin
  for v_table in
    select c.table_schema, c.table_name,
      pg_catalog.string_agg(pg_catalog.format('t.%I = %L', c.column_name,
        case when c.refers_to = 'student' then p_student_id else v_login end), ' or ')
        filter (where c.refers_to = 'student' or v_login is not null) as cond
    from tutela_hidden.student_reference_columns() as c
    where (c.table_schema, c.table_name) <> ('tutela_private', 'erased_users')
    group by c.table_schema, c.table_name
    order by c.table_schema, c.table_name
  loop
    execute pg_catalog.format('select count(*) from %I.%I as t where %s',
      v_table.table_schema, v_table.table_name, coalesce(v_table.cond, 'false'))
    into v_n;
    v_out := v_out || jsonb_build_object(
      case when v_table.table_schema = 'tutela' then v_table.table_name
        else v_table.table_schema || '.' || v_table.table_name end, v_n);
  end loop;
  return v_out || jsonb_build_object('messages_in_conversations_about_the_student', (
    select count(*) from tutela.messages as m
    join tutela.conversations as c on c.id = m.conversation_id
    where c.student_id = p_student_id));
end;
$$;

revoke all on function tutela_private.student_row_counts(uuid)
from public, anon, authenticated, service_role;

comment on function tutela.describe_erasure_request(uuid) is
'Who asked for an erasure, when, on what right and whether they still hold it, and what it '
'would erase. Service role.';
revoke all on function tutela.describe_erasure_request(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.describe_erasure_request(uuid) to service_role;

-- Carry out an erasure request, in one transaction. First the requester's right is checked
-- again, under the rule they asked under (tutela_private.data_rights_basis): a requester who lost
-- it
-- (a link revoked, no longer primary, family access off, the child of age, an admin removed,
-- the login gone) cancels the request, with the reason, and nothing is erased; the answer is
-- {status: 'cancelled', reason} (HTTP 409 through PostgREST; not an exception, so that the
-- cancellation stays). Otherwise: delete the student and everything that hangs on them
-- (foreign keys cascade); the conversations about them, those they started and the support
-- conversations they are in, and their messages anywhere; apply now, to Tutela's tables, what
-- deleting their login will do (rows of the login deleted or set null, as the foreign keys
-- say) and mark the login erased; pseudonymise the audit trails (the same random id replaces
-- the student everywhere, values in the audit are dropped). Returns the counts per table.
-- Service role.
create or replace function tutela.erase_student_data(p_request_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_request tutela.data_requests;
  v_student tutela.students;
  v_login uuid;
  v_login_wide boolean;
  v_pseudonym uuid := gen_random_uuid();
  v_counts jsonb;
  v_reason text;
  v_fk record;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the service role carries out an erasure');
  end if;
  select * into v_request from tutela.data_requests as r
  where r.id = p_request_id and r.kind = 'erasure'
  for update;
  if not found then
    perform tutela_private.not_found('erasure request');
  end if;
  if v_request.status <> 'pending' then
    perform tutela_private.conflict('this erasure request is not pending', 'not_pending');
  end if;
  -- the student row, then the requester's link and membership: a revocation, a change of
  -- primary or a removal waits for this transaction, or this one sees it
  select * into v_student from tutela.students as s where s.id = v_request.student_id
  for update;
  if not found then
    perform tutela_private.not_found('student');
  end if;
  perform 1 from tutela.guardian_links as l
  where l.student_id = v_student.id and l.guardian_id = v_request.requested_by for share;
  perform 1 from tutela.memberships as m
  where m.organization_id = v_student.organization_id and m.user_id = v_request.requested_by
  for share;

  -- the requester must hold the right now, under the rule of request_data_erasure
  v_reason := tutela_private.data_rights_lost(v_request);
  if v_reason is not null then
    perform tutela_private.cancel_erasure_request(v_request.id, v_reason);
    perform pg_catalog.set_config('response.status', '409', true);
    return jsonb_build_object('request_id', p_request_id, 'status', 'cancelled',
      'reason', v_reason);
  end if;
  perform pg_catalog.set_config('tutela.erasing', p_request_id::text, true);
  v_login := v_student.user_id;
  v_counts := tutela_private.student_row_counts(v_student.id);

  -- Is the login only this student? A login that is also staff or an admin somewhere, a
  -- guardian, or another student record is a person beyond this record: then the erasure
  -- reaches what the login did in the student's organisation, never the rest of it, and the
  -- login stays usable (docs/privacy.md, "Erasure").
  v_login_wide := v_login is not null and not exists (
    select 1 from tutela.memberships as m where m.user_id = v_login
  ) and not exists (
    select 1 from tutela.guardian_links as l where l.guardian_id = v_login
  ) and not exists (
    select 1 from tutela.students as s where s.user_id = v_login and s.id <> v_student.id
  );

  -- conversations: about the student; started by them; support conversations they are in;
  -- their own messages anywhere else (only within the student's organisation when the login
  -- is more than this student)
  if v_login is not null then
    delete from tutela.conversations as c
    where (c.created_by = v_login
        or (c.kind = 'support' and c.id in (
          select cm.conversation_id from tutela.conversation_members as cm
          where cm.user_id = v_login)))
      and (v_login_wide or c.organization_id = v_student.organization_id);
    delete from tutela.messages as m
    where m.sender_id = v_login
      and (v_login_wide or m.conversation_id in (
        select c.id from tutela.conversations as c
        where c.organization_id = v_student.organization_id));
    delete from tutela.conversation_members as cm
    where cm.user_id = v_login
      and (v_login_wide or cm.conversation_id in (
        select c.id from tutela.conversations as c
        where c.organization_id = v_student.organization_id));
  end if;
  delete from tutela.conversations as c where c.student_id = v_student.id;
  -- mail to the login's own (confirmed) address that names no student: theirs alone. Not
  -- students.email, which staff type: a typo there must not erase someone else's mail.
  if v_login_wide then
    delete from tutela_private.notification_outbox as o
    where o.student_id is null
      and pg_catalog.lower(o.recipient_email) = (
        select pg_catalog.lower(u.email) from auth.users as u where u.id = v_login);
  end if;

  -- the audit trails stay, pseudonymised (triggers forbid changes: allowed here, once)
  alter table tutela.link_events disable trigger link_events_append_only;
  if v_login is not null then
    update tutela.link_events as e set actor_id = v_pseudonym where e.actor_id = v_login;
    update tutela.link_events as e set subject_user_id = v_pseudonym
    where e.subject_user_id = v_login;
  end if;
  update tutela.link_events as e
  set student_id = v_pseudonym, old_values = null, new_values = null, request_ip = null,
    user_agent = null
  where e.student_id = v_student.id;
  alter table tutela.link_events enable trigger link_events_append_only;
  alter table tutela.consent_audit_log disable trigger consent_audit_log_append_only;
  if v_login is not null then
    update tutela.consent_audit_log as a set performed_by = v_pseudonym
    where a.performed_by = v_login;
  end if;
  update tutela.consent_audit_log as a
  set student_id = v_pseudonym, old_value = null, new_value = null, request_ip = null,
    user_agent = null
  where a.student_id = v_student.id;
  alter table tutela.consent_audit_log enable trigger consent_audit_log_append_only;
  update tutela.data_requests as r set student_id = v_pseudonym
  where r.student_id = v_student.id and r.id <> p_request_id;
  delete from tutela.students as s where s.id = v_student.id;
  -- a personal space holds only this student: it goes too, whoever else the login is
  -- (docs/guardianship.md, "Apps without schools")
  delete from tutela.organizations as o
  where o.id = v_student.organization_id and o.personal_user_id is not null;

  -- the login: what Supabase Auth's deletion will do to Tutela's tables, now; then the mark
  -- (only for a login that is this student alone)
  if v_login_wide then
    for v_fk in
      select n.nspname as table_schema, c.relname as table_name, a.attname as column_name,
        k.confdeltype
      from pg_catalog.pg_constraint as k
      join pg_catalog.pg_class as c on c.oid = k.conrelid
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute as a on a.attrelid = c.oid and a.attnum = k.conkey[1]
      where k.contype = 'f' and k.confrelid = 'auth.users'::pg_catalog.regclass
        and pg_catalog.cardinality(k.conkey) = 1 and n.nspname in ('tutela', 'tutela_private')
        and (n.nspname, c.relname) <> ('tutela_private', 'erased_users')
      order by k.confdeltype, n.nspname, c.relname, a.attname
    loop
      if v_fk.confdeltype = 'c' then
        execute pg_catalog.format('delete from %I.%I where %I = $1',
          v_fk.table_schema, v_fk.table_name, v_fk.column_name) using v_login;
      elsif v_fk.confdeltype = 'n' then
        execute pg_catalog.format('update %I.%I set %I = null where %I = $1',
          v_fk.table_schema, v_fk.table_name, v_fk.column_name, v_fk.column_name)
        using v_login;
      end if;
      -- (no action / restrict: Auth's deletion would fail on such a row too; left as is)
    end loop;
    insert into tutela_private.erased_users (user_id, request_id) values (v_login, p_request_id)
    on conflict (user_id) do nothing;
  end if;

  update tutela.data_requests as r
  set student_id = v_pseudonym, status = 'completed', completed_at = pg_catalog.now(),
    requested_by = case when r.requested_by = v_login then null else r.requested_by end,
    result = jsonb_build_object('deleted', v_counts, 'pseudonym', v_pseudonym,
      'requester_basis', r.requester_basis)
  where r.id = p_request_id;
  perform pg_catalog.set_config('tutela.erasing', '', true);
  return jsonb_build_object('request_id', p_request_id, 'status', 'completed',
    'pseudonym', v_pseudonym, 'deleted', v_counts);
end;
$$;

comment on function tutela.erase_student_data(uuid) is
'Carries out an erasure request in one transaction, if its requester still holds the right '
'(otherwise it is cancelled, with the reason); audit trails stay, pseudonymised. Service role.';
revoke all on function tutela.erase_student_data(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.erase_student_data(uuid) to service_role;
