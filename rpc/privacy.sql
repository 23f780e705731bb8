-- Privacy and family controls: who decides consent, the consent matrix and its audit, the
-- aal2 gate for sensitive actions, family controls, data export and erasure (docs/privacy.md).

-- =============================================================================================
-- Strong authentication for sensitive actions
-- =============================================================================================

-- When the organisation requires it, a sensitive action needs an aal2 session (Supabase Auth
-- MFA): TU412 otherwise. The service role is exempt (it acts for the organisation).
create or replace function private.require_aal2(p_organization_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if private.is_service_role() then
    return;
  end if;
  if exists (
    select 1 from public.organizations as o
    where o.id = p_organization_id and o.require_mfa_for_sensitive
  ) and coalesce((select auth.jwt()) ->> 'aal', 'aal1') <> 'aal2' then
    raise exception 'this action needs two-factor authentication'
      using errcode = 'TU412',
      hint = 'Verify with your second factor (MFA), then try again.';
  end if;
end;
$$;

revoke all on function private.require_aal2(uuid) from public;

create or replace function private.require_aal2_for_student(p_student_id uuid)
returns void
language sql
stable
security definer
set search_path = ''
as $$
  select private.require_aal2(s.organization_id) from public.students as s
  where s.id = p_student_id
$$;

revoke all on function private.require_aal2_for_student(uuid) from public;

-- =============================================================================================
-- Who decides consent
-- =============================================================================================

-- Whether the student is under the organisation's digital-consent age (an unknown birth date
-- counts as under it: the safer side).
create or replace function private.under_consent_age(p_student_id uuid)
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
  from public.students as s
  join public.organizations as o on o.id = s.organization_id
  where s.id = p_student_id
$$;

revoke all on function private.under_consent_age(uuid) from public;

-- The users who decide a student's consent: under the consent age, the active primary guardian
-- (or every active guardian when none is primary); at or above it, the student (their login).
create or replace function private.consent_deciders(p_student_id uuid)
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select l.guardian_id from public.guardian_links as l
  where private.under_consent_age(p_student_id)
    and l.student_id = p_student_id and l.status = 'active'
    and (l.is_primary or not exists (
      select 1 from public.guardian_links as p
      where p.student_id = p_student_id and p.status = 'active' and p.is_primary
    ))
  union
  select s.user_id from public.students as s
  where s.id = p_student_id and s.user_id is not null
    and not private.under_consent_age(p_student_id)
$$;

revoke all on function private.consent_deciders(uuid) from public;


-- =============================================================================================
-- The consent matrix
-- =============================================================================================

create or replace function public.set_consent(
  p_student_id uuid,
  p_data_type text,
  p_recipient_type text,
  p_granted boolean,
  p_expires_at timestamptz default null,
  p_reason text default null
)
returns public.consent_records
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_old public.consent_records;
  v_row public.consent_records;
begin
  if p_student_id is null
    or not exists (select 1 from public.students as s where s.id = p_student_id) then
    perform private.not_found('student');
  end if;
  -- who may: the student's consent decider (docs/privacy.md)
  if v_uid not in (select private.consent_deciders(p_student_id)) then
    perform private.deny('only the person who decides this student''s consent');
  end if;
  perform private.require_aal2_for_student(p_student_id);
  if p_data_type is null or p_data_type not in (
    'progress', 'grades', 'attendance', 'sessions', 'lessons', 'card_content', 'journal',
    'messaging', 'profile'
  ) then
    perform private.invalid(pg_catalog.format('unknown data type %L', p_data_type));
  end if;
  if p_recipient_type is null
    or p_recipient_type not in ('teachers', 'ai_tutor', 'other_guardians', 'third_parties') then
    perform private.invalid(pg_catalog.format('unknown recipient type %L', p_recipient_type));
  end if;
  if p_granted is null then
    perform private.invalid('granted must be true or false');
  end if;
  if p_expires_at is not null and p_expires_at <= pg_catalog.now() then
    perform private.invalid('the expiry must be in the future');
  end if;
  if p_reason is not null and char_length(p_reason) > 500 then
    perform private.invalid('the reason is limited to 500 characters');
  end if;
  select * into v_old from public.consent_records as c
  where c.student_id = p_student_id and c.data_type = p_data_type
    and c.recipient_type = p_recipient_type
  for update;
  insert into public.consent_records as c (
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
  insert into public.consent_audit_log (
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
    private.request_ip(), private.request_user_agent()
  );
  return v_row;
end;
$$;

comment on function public.set_consent(uuid, text, text, boolean, timestamptz, text) is
'Grants or revokes consent for a data type and recipient type. The consent decider only.';
revoke all on function public.set_consent(uuid, text, text, boolean, timestamptz, text)
from public, anon;
grant execute on function public.set_consent(uuid, text, text, boolean, timestamptz, text)
to authenticated;

create or replace function public.get_consent_matrix(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
begin
  if p_student_id is null
    or not exists (select 1 from public.students as s where s.id = p_student_id) then
    perform private.not_found('student');
  end if;
  -- who may: the student, active guardians, staff and admins of the organisation
  if p_student_id not in (select private.readable_student_ids()) then
    perform private.deny('this student''s consent');
  end if;
  return jsonb_build_object(
    'student_id', p_student_id,
    'under_consent_age', private.under_consent_age(p_student_id),
    'deciders', coalesce((select jsonb_agg(d) from private.consent_deciders(p_student_id) as d),
      '[]'::jsonb),
    'you_decide', v_uid in (select private.consent_deciders(p_student_id)),
    'matrix', (
      select jsonb_object_agg(dt, (
        select jsonb_object_agg(rt, jsonb_build_object(
          'granted', coalesce(c.granted and (c.expires_at is null
            or c.expires_at > pg_catalog.now()), false),
          'granted_at', c.granted_at, 'revoked_at', c.revoked_at,
          'expires_at', c.expires_at, 'reason', c.reason
        ))
        from unnest(array['teachers', 'ai_tutor', 'other_guardians', 'third_parties']) as rt
        left join public.consent_records as c
          on c.student_id = p_student_id and c.data_type = dt and c.recipient_type = rt
      ))
      from unnest(array['progress', 'grades', 'attendance', 'sessions', 'lessons',
        'card_content', 'journal', 'messaging', 'profile']) as dt
    )
  );
end;
$$;

comment on function public.get_consent_matrix(uuid) is
'Data types x recipient types with the consent in force, and who decides. The student, '
'active guardians, staff.';
revoke all on function public.get_consent_matrix(uuid) from public, anon;
grant execute on function public.get_consent_matrix(uuid) to authenticated;

-- Job: consents past their expiry are revoked and audited as 'expired'.
create or replace function private.expire_consents()
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
    update public.consent_records as c
    set granted = false, revoked_at = c.expires_at, updated_at = pg_catalog.now()
    where c.granted and c.expires_at is not null and c.expires_at <= pg_catalog.now()
    returning c.*
  ),
  audited as (
    insert into public.consent_audit_log (
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

revoke all on function private.expire_consents() from public;

insert into private.jobs (name, schedule, every, command)
values ('expire_consents', '15 * * * *', interval '1 hour', 'select private.expire_consents()')
on conflict (name) do update
  set schedule = excluded.schedule, every = excluded.every, command = excluded.command;

-- =============================================================================================
-- Family controls
-- =============================================================================================

-- The caller's children with every guardian of each (active and pending) and their rights.
create or replace function public.family_overview()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();  -- the caller, as guardian
begin
  return coalesce((
    select jsonb_agg(jsonb_build_object(
      'student_id', s.id, 'display_name', s.display_name,
      'under_consent_age', private.under_consent_age(s.id),
      'you_are_primary', mine.is_primary,
      'you_decide_consent', v_uid in (select private.consent_deciders(s.id)),
      'guardians', (
        select jsonb_agg(jsonb_build_object(
          'link_id', l.id, 'guardian_id', l.guardian_id,
          'name', coalesce(nullif(p.display_name, ''), 'Guardian'),
          'relation', l.relation, 'is_primary', l.is_primary, 'status', l.status,
          'permissions', l.permissions, 'is_you', l.guardian_id = v_uid
        ) order by l.is_primary desc, l.created_at)
        from public.guardian_links as l
        left join public.profiles as p on p.user_id = l.guardian_id
        where l.student_id = s.id and l.status in ('active', 'pending')
      )
    ) order by s.display_name, s.id)
    from public.guardian_links as mine
    join public.students as s on s.id = mine.student_id
    where mine.guardian_id = v_uid and mine.status = 'active'
      and private.family_access_on(s.id)
  ), '[]'::jsonb);
end;
$$;

comment on function public.family_overview() is
'The caller''s children, each with every guardian and their rights (a guardian sees the family).';
revoke all on function public.family_overview() from public, anon;
grant execute on function public.family_overview() to authenticated;

-- Whether the caller is the active primary guardian of the link's student, the student is under
-- the consent age, and the link is someone else's: the primary guardian's family powers.
create or replace function private.primary_guardian_controls(p_link public.guardian_links)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_link.guardian_id <> (select auth.uid())
    and private.family_access_on(p_link.student_id)
    and private.under_consent_age(p_link.student_id)
    and exists (
      select 1 from public.guardian_links as l
      where l.student_id = p_link.student_id and l.guardian_id = (select auth.uid())
        and l.status = 'active' and l.is_primary
    )
$$;

revoke all on function private.primary_guardian_controls(public.guardian_links) from public;

-- =============================================================================================
-- Data rights: export and erasure
-- =============================================================================================

-- Who may exercise a student's data rights: the student, their primary guardian while the
-- student is under the consent age, and admins of the organisation.
create or replace function private.require_data_rights(p_student_id uuid)
returns public.students
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := private.require_uid();
  v_student public.students;
begin
  select * into v_student from public.students as s where s.id = p_student_id;
  if not found then
    perform private.not_found('student');
  end if;
  if v_student.user_id is distinct from v_uid
    and private.role_in_organization(v_student.organization_id) is distinct from 'admin'
    and not (
      private.under_consent_age(p_student_id)
      and private.family_access_on(p_student_id)
      and exists (
        select 1 from public.guardian_links as l
        where l.student_id = p_student_id and l.guardian_id = v_uid and l.status = 'active'
          and l.is_primary
      )
    ) then
    perform private.deny('only the student, their primary guardian or an admin');
  end if;
  perform private.require_aal2(v_student.organization_id);
  return v_student;
end;
$$;

revoke all on function private.require_data_rights(uuid) from public;

-- Every row about a student, from every table of public that holds a student_id (found in the
-- catalog, so a new table is included without a change here). With p_for (an export), what the
-- requester may see: tables gated by a link permission only when the requester has it (the
-- student and admins have all), rows that belong to other people (a guardian's own mood notes,
-- alerts, thresholds, preferences) only when they are the requester's, conversations only
-- those the requester is a member of, and never a client's address, user agent or a secret.
-- Without p_for (an erasure's count), every row.
create or replace function private.student_data(p_student_id uuid, p_for_export boolean)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_table text;
  v_owner text;
  v_permission text;
  v_rows jsonb;
  v_out jsonb := '{}'::jsonb;
  v_perms jsonb;
  v_withheld text[] := '{}';
  v_uid uuid := (select auth.uid());
begin
  if p_for_export then
    v_perms := private.caller_permissions(p_student_id);
  end if;
  select jsonb_build_object('students', jsonb_agg(to_jsonb(s))) into v_out
  from public.students as s where s.id = p_student_id;
  for v_table in
    select c.table_name from information_schema.columns as c
    join information_schema.tables as t
      on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'student_id'
      and t.table_type = 'BASE TABLE'
    order by c.table_name
  loop
    v_permission := case v_table
      when 'journal_entries' then 'journal'
      when 'submissions' then 'grades'
      when 'live_class_attendance' then 'attendance'
      when 'lessons' then 'lessons'
      when 'session_students' then 'sessions'
      when 'session_scores' then 'sessions'
      when 'flashcards' then 'card_content'
      else 'progress'
    end;
    v_owner := case v_table
      when 'guardian_mood_entries' then 'guardian_id'
      when 'alerts' then 'recipient_id'
      when 'alert_thresholds' then 'guardian_id'
      when 'notification_preferences' then 'user_id'
    end;
    if p_for_export and v_owner is null
      and not coalesce((v_perms ->> v_permission)::boolean, false) then
      v_withheld := array_append(v_withheld, v_table);
      v_out := v_out || jsonb_build_object(v_table, '[]'::jsonb);
      continue;
    end if;
    execute pg_catalog.format(
      'select coalesce(jsonb_agg(to_jsonb(t) - %L - %L - %L order by to_jsonb(t)::text),'
      || ' %L::jsonb) from public.%I as t where t.student_id = $1'
      || case when p_for_export and v_owner is not null
        then pg_catalog.format(' and t.%I = $2', v_owner) else '' end
      || case when p_for_export and v_table = 'conversations'
        then ' and t.id in (select private.my_conversation_ids())' else '' end,
      'token_hash', 'request_ip', 'user_agent', '[]', v_table
    ) into v_rows using p_student_id, v_uid;
    v_out := v_out || jsonb_build_object(v_table, v_rows);
  end loop;
  v_out := v_out || jsonb_build_object('messages_in_conversations_about_the_student', (
    select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at, m.id), '[]'::jsonb)
    from public.messages as m
    join public.conversations as c on c.id = m.conversation_id
    where c.student_id = p_student_id
      and (not p_for_export or c.id in (select private.my_conversation_ids()))
  ));
  if p_for_export then
    v_out := v_out || jsonb_build_object('withheld', to_jsonb(v_withheld));
  end if;
  return v_out;
end;
$$;

revoke all on function private.student_data(uuid, boolean) from public;
drop function if exists private.student_data(uuid);

create or replace function public.export_student_data(p_student_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_student public.students := private.require_data_rights(p_student_id);
  v_data jsonb;
  v_request uuid;
begin
  v_data := private.student_data(p_student_id, true);
  insert into public.data_requests (
    student_id, organization_id, kind, requested_by, status, completed_at, result
  )
  values (
    p_student_id, v_student.organization_id, 'export', (select auth.uid()), 'completed',
    pg_catalog.now(),
    jsonb_build_object('tables', (select count(*) from jsonb_object_keys(v_data - 'withheld')),
      'rows', (select sum(jsonb_array_length(v.value)) from jsonb_each(v_data - 'withheld') as v),
      'withheld', v_data -> 'withheld')
  )
  returning id into v_request;
  return jsonb_build_object(
    'request_id', v_request, 'student_id', p_student_id, 'exported_at', pg_catalog.now(),
    'data', v_data
  );
end;
$$;

comment on function public.export_student_data(uuid) is
'Every row about a student, as one JSON document (an access request); audited. The student, '
'their primary guardian (under the consent age) or an admin.';
revoke all on function public.export_student_data(uuid) from public, anon;
grant execute on function public.export_student_data(uuid) to authenticated;

create or replace function public.request_data_erasure(p_student_id uuid)
returns public.data_requests
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_student public.students := private.require_data_rights(p_student_id);
  v_row public.data_requests;
begin
  select * into v_row from public.data_requests as r
  where r.student_id = p_student_id and r.kind = 'erasure' and r.status = 'pending';
  if found then
    return v_row;  -- one pending request is enough
  end if;
  insert into public.data_requests (student_id, organization_id, kind, requested_by)
  values (p_student_id, v_student.organization_id, 'erasure', (select auth.uid()))
  returning * into v_row;
  return v_row;
end;
$$;

comment on function public.request_data_erasure(uuid) is
'Records a request to erase a student''s data (carried out by the service role). The student, '
'their primary guardian (under the consent age) or an admin.';
revoke all on function public.request_data_erasure(uuid) from public, anon;
grant execute on function public.request_data_erasure(uuid) to authenticated;

-- Carry out an erasure request, in one transaction: delete the student and everything that
-- hangs on them (foreign keys cascade), the conversations about them, their login's profile;
-- pseudonymise the audit trails (the same random id replaces the student everywhere, names and
-- values in the audit are dropped). Returns the counts per table. Service role.
create or replace function public.erase_student_data(p_request_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_request public.data_requests;
  v_student public.students;
  v_pseudonym uuid := gen_random_uuid();
  v_counts jsonb;
  v_n integer;
begin
  if not private.is_service_role(p_owner_too => true) then
    perform private.deny('only the service role carries out an erasure');
  end if;
  select * into v_request from public.data_requests as r
  where r.id = p_request_id and r.kind = 'erasure'
  for update;
  if not found then
    perform private.not_found('erasure request');
  end if;
  if v_request.status <> 'pending' then
    perform private.conflict('this erasure request is not pending', 'not_pending');
  end if;
  select * into v_student from public.students as s where s.id = v_request.student_id;
  if not found then
    perform private.not_found('student');
  end if;
  -- count what goes
  select jsonb_object_agg(k, jsonb_array_length(v)) into v_counts
  from jsonb_each(private.student_data(v_student.id, false)) as e (k, v);

  delete from public.conversations as c where c.student_id = v_student.id;
  if v_student.user_id is not null then
    delete from public.profiles as p where p.user_id = v_student.user_id;
  end if;
  -- the audit trails stay, pseudonymised (triggers forbid changes: allowed here, once)
  alter table public.link_events disable trigger link_events_append_only;
  if v_student.user_id is not null then
    update public.link_events as e set actor_id = v_pseudonym
    where e.actor_id = v_student.user_id;
    update public.link_events as e set subject_user_id = v_pseudonym
    where e.subject_user_id = v_student.user_id;
  end if;
  update public.link_events as e
  set student_id = v_pseudonym, old_values = null, new_values = null, request_ip = null,
    user_agent = null
  where e.student_id = v_student.id;
  alter table public.link_events enable trigger link_events_append_only;
  alter table public.consent_audit_log disable trigger consent_audit_log_append_only;
  if v_student.user_id is not null then
    update public.consent_audit_log as a set performed_by = v_pseudonym
    where a.performed_by = v_student.user_id;
  end if;
  update public.consent_audit_log as a
  set student_id = v_pseudonym, old_value = null, new_value = null, request_ip = null,
    user_agent = null
  where a.student_id = v_student.id;
  alter table public.consent_audit_log enable trigger consent_audit_log_append_only;
  update public.data_requests as r set student_id = v_pseudonym
  where r.student_id = v_student.id and r.id <> p_request_id;
  delete from public.students as s where s.id = v_student.id;
  get diagnostics v_n = row_count;
  update public.data_requests as r
  set student_id = v_pseudonym, status = 'completed', completed_at = pg_catalog.now(),
    result = jsonb_build_object('deleted', v_counts, 'pseudonym', v_pseudonym)
  where r.id = p_request_id;
  return jsonb_build_object('request_id', p_request_id, 'pseudonym', v_pseudonym,
    'deleted', v_counts);
end;
$$;

comment on function public.erase_student_data(uuid) is
'Carries out an erasure request in one transaction; audit trails stay, pseudonymised. '
'Service role.';
revoke all on function public.erase_student_data(uuid) from public, anon, authenticated;
grant execute on function public.erase_student_data(uuid) to service_role;
