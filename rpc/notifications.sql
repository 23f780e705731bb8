-- Notifications: the outbox protocol the dispatcher uses, preferences, thresholds, fan-out
-- of student events to guardians, early warnings, the weekly digest, alerts RPCs and jobs.
-- docs/notifications.md lists every type, its trigger, its permission and default channels.

-- =============================================================================================
-- The outbox protocol (tutela dispatch; service role)
-- =============================================================================================

-- ---------------------------------------------------------------------------------------------
-- Re-checked at the moment of use: a message is handed to the dispatcher only while its
-- recipient may still read what it carries (issue 22). Otherwise it ends 'cancelled', with the
-- reason, and keeps no secret.
-- ---------------------------------------------------------------------------------------------

-- What a guardian lacks to read a student's data for a permission, now: null when nothing, else
-- 'no_link', 'link_revoked' (or 'link_pending'), 'family_access_off', 'permission_withdrawn',
-- 'consent_missing'. The same rule as tutela_hidden.guardian_student_ids (rpc/guardianship.sql),
-- for
-- a given guardian rather than the caller.
create or replace function tutela_private.guardian_access_gap(
  p_guardian_id uuid, p_student_id uuid, p_permission text
)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_link tutela.guardian_links;
begin
  select * into v_link from tutela.guardian_links as l
  where l.student_id = p_student_id and l.guardian_id = p_guardian_id;
  if not found then
    return 'no_link';
  end if;
  if v_link.status <> 'active' then
    return 'link_' || v_link.status;
  end if;
  if not tutela_private.family_access_on(p_student_id) then
    return 'family_access_off';
  end if;
  if p_permission is null
    or not coalesce((v_link.permissions ->> p_permission)::boolean, false) then
    return 'permission_withdrawn';
  end if;
  -- the journal: a guardian who is not primary also needs the student's consent
  if p_permission = 'journal' and not v_link.is_primary
    and not tutela_private.consent_granted(p_student_id, 'journal', 'other_guardians') then
    return 'consent_missing';
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.guardian_access_gap(uuid, uuid, text)
from public, anon, authenticated, service_role;

-- Why an outbox message may not be sent now (null: it may).
-- - A notification type (tutela_private.notification_types(), kind = the type): its recipient is a
--   guardian who may still read the child's data for the type's permission.
-- - guardian_invite / student_invite: the invite can still be accepted (pending, not expired;
--   for a guardian invite, its inviter may still invite, as accept_guardian_invite requires;
--   for a student invite, the record has no login yet).
-- - member_invite: pending, not expired, its sender still an admin
-- (tutela_private.member_inviter_ok).
-- - guardian_linked (a roster linked an existing account): the link is still active and family
--   access on; member_added: the membership still exists.
-- - Any other kind about a child: never sent ('unknown_kind'). Other kinds (not about a child)
--   carry nothing to re-check.
create or replace function tutela_private.outbox_block_reason(
  p_row tutela_private.notification_outbox
)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_permission text;
  v_invite_id uuid;
  v_guardian_invite tutela.guardian_invites;
  v_student_invite tutela.student_invites;
  v_member_invite tutela.membership_invites;
  v_link tutela.guardian_links;
begin
  select t.permission into v_permission from tutela_private.notification_types() as t
  where t.type = p_row.kind;
  if found then
    if p_row.recipient_user_id is null or p_row.student_id is null then
      return 'no_recipient';
    end if;
    return tutela_private.guardian_access_gap(p_row.recipient_user_id, p_row.student_id, v_permission);
  end if;
  if p_row.kind in ('guardian_invite', 'student_invite', 'member_invite') then
    if p_row.payload ->> 'invite_id'
      ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      v_invite_id := (p_row.payload ->> 'invite_id')::uuid;
    end if;
  end if;
  if p_row.kind = 'guardian_invite' then
    select * into v_guardian_invite from tutela.guardian_invites as i where i.id = v_invite_id;
    if not found then
      return 'invite_gone';
    end if;
    if v_guardian_invite.status <> 'pending' then
      return 'invite_' || v_guardian_invite.status;
    end if;
    if v_guardian_invite.expires_at <= pg_catalog.now() then
      return 'invite_expired';
    end if;
    -- the inviter's right to invite, as accept_guardian_invite checks it
    if tutela_private.guardian_inviter_role(v_guardian_invite) is null then
      return 'inviter_not_allowed';
    end if;
    return null;
  end if;
  if p_row.kind = 'student_invite' then
    select * into v_student_invite from tutela.student_invites as i where i.id = v_invite_id;
    if not found then
      return 'invite_gone';
    end if;
    if v_student_invite.status <> 'pending' then
      return 'invite_' || v_student_invite.status;
    end if;
    if v_student_invite.expires_at <= pg_catalog.now() then
      return 'invite_expired';
    end if;
    if exists (
      select 1 from tutela.students as s
      where s.id = v_student_invite.student_id and s.user_id is not null
    ) then
      return 'already_claimed';
    end if;
    if not tutela_private.student_inviter_ok(v_student_invite) then
      return 'inviter_not_allowed';
    end if;
    return null;
  end if;
  if p_row.kind = 'member_invite' then
    select * into v_member_invite from tutela.membership_invites as i where i.id = v_invite_id;
    if not found then
      return 'invite_gone';
    end if;
    if v_member_invite.status <> 'pending' then
      return 'invite_' || v_member_invite.status;
    end if;
    if v_member_invite.expires_at <= pg_catalog.now() then
      return 'invite_expired';
    end if;
    if not tutela_private.member_inviter_ok(v_member_invite) then
      return 'inviter_not_allowed';
    end if;
    return null;
  end if;
  if p_row.kind = 'guardian_linked' then
    -- "you were linked to <child>": only while that link is still active and open
    select * into v_link from tutela.guardian_links as l
    where l.student_id = p_row.student_id and l.guardian_id = p_row.recipient_user_id;
    if not found then
      return 'no_link';
    end if;
    if v_link.status <> 'active' then
      return 'link_' || v_link.status;
    end if;
    if not tutela_private.family_access_on(p_row.student_id) then
      return 'family_access_off';
    end if;
    return null;
  end if;
  if p_row.kind = 'member_added' then
    if not exists (
      select 1 from tutela.memberships as m
      where m.user_id = p_row.recipient_user_id
        and m.organization_id::text = p_row.payload ->> 'organization_id'
    ) then
      return 'membership_gone';
    end if;
    return null;
  end if;
  if p_row.student_id is not null then
    return 'unknown_kind';
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.outbox_block_reason(
  tutela_private.notification_outbox
) from public, anon, authenticated, service_role;

-- The payload as it may be sent now: a weekly digest (it needs progress) loses the sections
-- whose own permission its recipient no longer has (grades, attendance), as a digest made now
-- would be. Other messages are sent as queued.
create or replace function tutela_private.outbox_payload_now(
  p_row tutela_private.notification_outbox
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_payload jsonb := p_row.payload;
  v_section text;
begin
  if p_row.kind = 'weekly_digest' then
    foreach v_section in array array['grades', 'attendance'] loop
      if coalesce(v_payload -> v_section, 'null'::jsonb) <> 'null'::jsonb
        and tutela_private.guardian_access_gap(p_row.recipient_user_id, p_row.student_id, v_section)
          is not null then
        v_payload := v_payload || jsonb_build_object(v_section, null);
      end if;
    end loop;
  end if;
  return v_payload;
end;
$$;

revoke all on function tutela_private.outbox_payload_now(
  tutela_private.notification_outbox
) from public, anon, authenticated, service_role;

-- Cancel the queued (pending or sending) messages among p_ids that may not be sent now; returns
-- how many. The caller holds their locks or takes them here.
create or replace function tutela_private.cancel_unsendable(p_ids uuid[])
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  with checked as (
    select o.id, tutela_private.outbox_block_reason(o) as reason
    from tutela_private.notification_outbox as o
    where o.id = any(p_ids) and o.status in ('pending', 'sending')
    for update
  )
  update tutela_private.notification_outbox as o
  set status = 'cancelled', cancelled_at = pg_catalog.now(), cancel_reason = c.reason,
    claimed_at = null,
    -- a message that will never be sent keeps no secret
    payload = o.payload - 'token'
  from checked as c
  where o.id = c.id and c.reason is not null;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

revoke all on function tutela_private.cancel_unsendable(uuid[])
from public, anon, authenticated, service_role;

-- Revoking a link (or any status change away from active) and withdrawing a permission cancel
-- at once what is queued for that guardian about that student and may no longer go.
create or replace function tutela_private.cancel_outbox_on_link_change()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform tutela_private.cancel_unsendable(array(
    select o.id from tutela_private.notification_outbox as o
    where o.recipient_user_id = new.guardian_id and o.student_id = new.student_id
      and o.status in ('pending', 'sending')
  ));
  return null;
end;
$$;

revoke all on function tutela_private.cancel_outbox_on_link_change()
from public, anon, authenticated, service_role;

drop trigger if exists guardian_links_cancel_outbox on tutela.guardian_links;
create trigger guardian_links_cancel_outbox
after update of status, permissions on tutela.guardian_links
for each row
when (old.status is distinct from new.status or old.permissions is distinct from new.permissions)
execute function tutela_private.cancel_outbox_on_link_change();

-- Claim up to p_limit due messages: pending ones whose time has come, and messages whose
-- claimer died before marking them: claimed longer ago than the lease that claimer took (the
-- row's own lease_seconds, never the caller's), sent again with the same idempotency key.
-- Concurrent claimers never get the same row (SKIP LOCKED). Each due message is checked again
-- in this transaction (tutela_private.outbox_block_reason): one that may not be sent now is
-- cancelled
-- instead, and the claim takes the next due rows in its place. A message past its time limit
-- (deliver_until) ends dead here, and so does one whose sender died during its last attempt.
-- Each claimed row gets the next claim number ("claim"): recheck, complete, release and fail
-- take it, so that a claimer whose lease ran out can no longer touch the row.
drop function if exists tutela.claim_notifications(integer, integer);
create function tutela.claim_notifications(
  p_limit integer default 50, p_lease_seconds integer default 300
)
returns table (
  id uuid, channel text, template text, idempotency_key text, recipient_email text,
  recipient_user_id uuid, student_id uuid, payload jsonb, attempts integer,
  max_attempts integer, claim integer, lease_seconds integer, deliver_until timestamptz
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_left integer := p_limit;
  v_ids uuid[];
  v_claimed integer;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the dispatcher (service role) claims notifications');
  end if;
  if p_limit is null or p_limit not between 1 and 1000
    or p_lease_seconds is null or p_lease_seconds not between 10 and 86400 then
    perform tutela_private.invalid('limit 1 to 1000, lease 10 to 86400 seconds');
  end if;
  -- a message whose sender keeps dying (its own lease expired) and has used every attempt,
  -- or one past its time limit: dead
  update tutela_private.notification_outbox as o
  set status = 'dead', payload = o.payload - 'token', claimed_at = null,
    last_error = case
      when o.deliver_until <= pg_catalog.now() then left(
        'not delivered before its time limit' || coalesce(' (last error: ' || o.last_error
          || ')', ''), 2000)
      else coalesce(o.last_error, 'the sender stopped before marking it, every attempt')
    end
  where (o.status = 'sending' and o.attempts >= o.max_attempts
      and o.claimed_at < pg_catalog.now() - pg_catalog.make_interval(secs => o.lease_seconds))
    or (o.status = 'pending' and o.deliver_until <= pg_catalog.now())
    or (o.status = 'sending' and o.deliver_until <= pg_catalog.now()
      and o.claimed_at < pg_catalog.now() - pg_catalog.make_interval(secs => o.lease_seconds));
  loop
    select array_agg(d.id) into v_ids
    from (
      select o.id from tutela_private.notification_outbox as o
      where (o.status = 'pending' and o.next_attempt_at <= pg_catalog.now())
        or (o.status = 'sending'
          and o.claimed_at < pg_catalog.now() - pg_catalog.make_interval(secs => o.lease_seconds))
      order by o.next_attempt_at, o.created_at
      limit v_left
      for update skip locked
    ) as d;
    exit when v_ids is null;
    -- checked again now: what may no longer go is cancelled, never handed out
    perform tutela_private.cancel_unsendable(v_ids);
    return query
    with claimed as (
      update tutela_private.notification_outbox as o
      set status = 'sending', claimed_at = pg_catalog.now(), attempts = o.attempts + 1,
        claims = o.claims + 1, lease_seconds = p_lease_seconds,
        payload = tutela_private.outbox_payload_now(o)
      where o.id = any(v_ids) and o.status in ('pending', 'sending')
      returning o.*
    )
    select c.id, c.channel, c.template, c.idempotency_key,
      coalesce(c.recipient_email, u.email::text), c.recipient_user_id, c.student_id, c.payload,
      c.attempts, c.max_attempts, c.claims, c.lease_seconds, c.deliver_until
    from claimed as c
    left join auth.users as u on u.id = c.recipient_user_id
    order by c.next_attempt_at, c.created_at;
    get diagnostics v_claimed = row_count;
    v_left := v_left - v_claimed;
    -- the due rows ran out (fewer than asked for), or the batch is full
    exit when v_left <= 0 or pg_catalog.array_length(v_ids, 1) < v_left + v_claimed;
  end loop;
end;
$$;

comment on function tutela.claim_notifications(integer, integer) is
'Dispatcher: claims due outbox messages (FOR UPDATE SKIP LOCKED), each checked again; what may '
'no longer be sent is cancelled instead. The lease is the row''s own. Service role.';
revoke all on function tutela.claim_notifications(integer, integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.claim_notifications(integer, integer) to service_role;

-- Just before sending a claimed message: check it once more (the claim may be minutes old) and
-- renew its lease (claimed_at = now: the send that follows has the whole lease). The payload
-- to send now, or null: the message was cancelled now (it may no longer go) or is not this
-- claim's any more (p_attempt: the claim number claim_notifications gave). Service role.
create or replace function tutela.recheck_notification(p_id uuid, p_attempt integer default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row tutela_private.notification_outbox;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the dispatcher (service role) checks notifications');
  end if;
  select * into v_row from tutela_private.notification_outbox as o
  where o.id = p_id and o.status = 'sending' and (p_attempt is null or o.claims = p_attempt)
  for update;
  if not found then
    return null;
  end if;
  if tutela_private.cancel_unsendable(array[p_id]) > 0 then
    return null;
  end if;
  update tutela_private.notification_outbox as o
  set payload = tutela_private.outbox_payload_now(o), claimed_at = pg_catalog.now()
  where o.id = p_id
  returning o.payload into v_row.payload;
  return v_row.payload;
end;
$$;

comment on function tutela.recheck_notification(uuid, integer) is
'Dispatcher: checks a claimed message again just before sending and renews its lease; its '
'payload, or null when it was cancelled or is no longer this claim''s. Service role.';
revoke all on function tutela.recheck_notification(uuid, integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.recheck_notification(uuid, integer) to service_role;

-- Mark a claimed message sent. Idempotent: a message already sent stays as it is.
drop function if exists tutela.complete_notification(uuid);
drop function if exists tutela.fail_notification(uuid, text);

create or replace function tutela.complete_notification(p_id uuid, p_attempt integer default null)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_done integer;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the dispatcher (service role) completes notifications');
  end if;
  update tutela_private.notification_outbox as o
  set status = 'sent', sent_at = pg_catalog.now(), dispatched_at = pg_catalog.now(),
    last_error = null,
    -- the invite token is only needed until the email is out
    payload = o.payload - 'token'
  where o.id = p_id and o.status = 'sending'
    and (p_attempt is null or o.claims = p_attempt);  -- still our claim
  get diagnostics v_done = row_count;
  return v_done = 1;
end;
$$;

comment on function tutela.complete_notification(uuid, integer) is
'Dispatcher: marks a claimed message sent (and drops secrets from its payload). Service role.';
revoke all on function tutela.complete_notification(uuid, integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.complete_notification(uuid, integer) to service_role;

-- Record a failed attempt of the message itself: retry later with exponential backoff (1, 2,
-- 4 ... minutes, at most 6 hours), or give up ('dead', the error kept) once max_attempts is
-- reached or its time limit (deliver_until) has passed, or at once when the failure is
-- permanent (a 5xx refusal, no template, no provider). An outage is not the message's
-- failure: the dispatcher releases the message instead (release_notification).
create or replace function tutela.fail_notification(
  p_id uuid, p_error text, p_attempt integer default null, p_permanent boolean default false
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the dispatcher (service role) fails notifications');
  end if;
  update tutela_private.notification_outbox as o
  set status = case
      when o.attempts >= o.max_attempts or coalesce(p_permanent, false)
        or o.deliver_until <= pg_catalog.now() then 'dead'
      else 'pending'
    end,
    next_attempt_at = pg_catalog.now() + least(
      interval '1 minute' * (2 ^ least(greatest(o.attempts - 1, 0), 9)), interval '6 hours'),
    last_error = left(coalesce(p_error, 'unknown error'), 2000),
    claimed_at = null,
    -- a message that will never be sent keeps no secret
    payload = case
      when o.attempts >= o.max_attempts or coalesce(p_permanent, false)
        or o.deliver_until <= pg_catalog.now()
        then o.payload - 'token'
      else o.payload
    end
  where o.id = p_id and o.status = 'sending'
    and (p_attempt is null or o.claims = p_attempt)  -- still our claim
  returning o.status into v_status;
  return v_status;
end;
$$;

comment on function tutela.fail_notification(uuid, text, integer, boolean) is
'Dispatcher: records a failed attempt (retry with backoff, or dead). Service role.';
revoke all on function tutela.fail_notification(uuid, text, integer, boolean)
from public, anon, authenticated, service_role;
grant execute on function tutela.fail_notification(uuid, text, integer, boolean)
to service_role;

-- Give a claimed message back without counting an attempt: the dispatcher could not try it
-- (the SMTP server is unreachable or refuses the session, or the claim's lease is running
-- out before its turn). It is due again in p_retry_seconds (0: at once); p_reason, when given,
-- is kept in last_error (what an operator sees in tutela outbox list). Returns 'pending', or
-- null when the row is not this claim's any more. Service role.
create or replace function tutela.release_notification(
  p_id uuid, p_attempt integer, p_reason text default null, p_retry_seconds integer default 0
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the dispatcher (service role) releases notifications');
  end if;
  if p_attempt is null or p_retry_seconds is null or p_retry_seconds not between 0 and 86400 then
    perform tutela_private.invalid('a claim number, and a retry of 0 to 86400 seconds');
  end if;
  update tutela_private.notification_outbox as o
  set status = 'pending', claimed_at = null,
    attempts = greatest(o.attempts - 1, 0),
    deferrals = o.deferrals + case when p_reason is null then 0 else 1 end,
    next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_retry_seconds),
    last_error = coalesce(left(p_reason, 2000), o.last_error)
  where o.id = p_id and o.status = 'sending' and o.claims = p_attempt
  returning o.status into v_status;
  return v_status;
end;
$$;

comment on function tutela.release_notification(uuid, integer, text, integer) is
'Dispatcher: gives a claimed message back untried (an SMTP outage, a lease running out): no '
'attempt is counted. Service role.';
revoke all on function tutela.release_notification(uuid, integer, text, integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.release_notification(uuid, integer, text, integer)
to service_role;

-- Queue a message on an external channel (idempotent on the key).
create or replace function tutela_private.enqueue(
  p_channel text, p_template text, p_idempotency_key text, p_recipient_user_id uuid,
  p_recipient_email text, p_student_id uuid, p_payload jsonb
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into tutela_private.notification_outbox (
    kind, channel, template, idempotency_key, recipient_user_id, recipient_email, student_id,
    payload
  )
  values (
    p_template, p_channel, p_template, p_idempotency_key, p_recipient_user_id,
    p_recipient_email, p_student_id, coalesce(p_payload, '{}'::jsonb)
  )
  on conflict on constraint notification_outbox_idempotency_key do nothing
$$;

revoke all on function tutela_private.enqueue(
  text, text, text, uuid, text, uuid, jsonb
) from public, anon, authenticated, service_role;

-- Invites (written by rpc/guardianship.sql before the outbox had templates) get theirs here.
create or replace function tutela_private.outbox_defaults()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  new.template := coalesce(new.template, new.kind);
  new.idempotency_key := coalesce(new.idempotency_key, new.id::text);
  -- the time limit: an invite's email stays deliverable while the invite can be accepted
  -- (outbox_block_reason cancels it once it cannot); anything else, three days
  if new.kind not in ('guardian_invite', 'student_invite', 'member_invite') then
    new.deliver_until := coalesce(new.deliver_until,
      coalesce(new.created_at, pg_catalog.now()) + interval '3 days');
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.outbox_defaults()
from public, anon, authenticated, service_role;

drop trigger if exists notification_outbox_defaults on tutela_private.notification_outbox;
create trigger notification_outbox_defaults
before insert on tutela_private.notification_outbox
for each row execute function tutela_private.outbox_defaults();

-- =============================================================================================
-- Types, defaults and preferences
-- =============================================================================================

-- Every notification type: the link permission it needs, its default channels and severity.
create or replace function tutela_private.notification_types()
returns table (type text, permission text, channels text[], severity text, description text)
language sql
immutable
set search_path = ''
as $$
  values
  ('child_graded', 'grades', array['in_app'], 'info', 'A submission was graded'),
  ('child_low_grade', 'grades', array['in_app', 'email'], 'warning',
    'A course average fell below its passing threshold'),
  ('child_absent', 'attendance', array['in_app', 'email'], 'warning',
    'A registered live class was missed'),
  ('weekly_digest', 'progress', array['email'], 'info', 'The week''s summary of one child'),
  ('assignment_missing', 'progress', array['in_app', 'email'], 'warning',
    'An assignment is past due and not handed in'),
  ('course_grade_low', 'grades', array['in_app', 'email'], 'warning',
    'A course average crossed below the guardian''s threshold'),
  ('course_grade_high', 'grades', array['in_app'], 'info',
    'A course average crossed above the guardian''s threshold'),
  ('assignment_grade_low', 'grades', array['in_app', 'email'], 'warning',
    'An assignment grade crossed below the guardian''s threshold'),
  ('assignment_grade_high', 'grades', array['in_app'], 'info',
    'An assignment grade crossed above the guardian''s threshold'),
  ('engagement_drop', 'progress', array['in_app', 'email'], 'warning',
    'Last 7 days'' activity under half the previous 4 weeks'' weekly average'),
  ('performance_decline', 'grades', array['in_app', 'email'], 'warning',
    'The last 3 grades average 10+ points below the 5 before them'),
  ('milestone_reached', 'progress', array['in_app', 'push'], 'info',
    'An achievement or a certificate')
$$;

revoke all on function tutela_private.notification_types()
from public, anon, authenticated, service_role;

create or replace function tutela_private.severity_rank(p_severity text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_severity when 'info' then 1 when 'warning' then 2 when 'critical' then 3 end
$$;

revoke all on function tutela_private.severity_rank(text)
from public, anon, authenticated, service_role;

-- The preference in force for a user, child and type: a per-child row, else the user's general
-- row, else the type's defaults.
create or replace function tutela_private.effective_preference(
  p_user_id uuid, p_student_id uuid, p_type text
)
returns table (channels text[], min_severity text, enabled boolean, is_default boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(c.channels, g.channels, t.channels),
    coalesce(c.min_severity, g.min_severity, 'info'),
    coalesce(c.enabled, g.enabled, true),
    c.id is null and g.id is null
  from tutela_private.notification_types() as t
  left join tutela.notification_preferences as c
    on c.user_id = p_user_id and c.student_id = p_student_id and c.type = t.type
  left join tutela.notification_preferences as g
    on g.user_id = p_user_id and g.student_id is null and g.type = t.type
  where t.type = p_type
$$;

revoke all on function tutela_private.effective_preference(uuid, uuid, text)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Fan-out: one notification per active guardian whose link permits the type's data
-- =============================================================================================

-- Notify the guardians of a student (or only p_recipients among them): an in-app alert and
-- one outbox message per external channel, each by that guardian's own preferences.
-- Idempotent on p_dedupe (per recipient). Returns how many guardians were notified.
create or replace function tutela_private.notify(
  p_student_id uuid,
  p_type text,
  p_title text,
  p_message text,
  p_dedupe text,
  p_data jsonb default '{}'::jsonb,
  p_severity text default null,
  p_recommendation text default null,
  p_action_url text default null,
  p_recipients uuid[] default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_type record;
  v_count integer;
begin
  select * into v_type from tutela_private.notification_types() as t where t.type = p_type;
  if not found then
    raise exception 'unknown notification type %', p_type using errcode = 'TU422';
  end if;
  with targets as materialized (
    select l.guardian_id, p.channels, s.display_name as student_name
    from tutela.guardian_links as l
    join tutela.students as s on s.id = l.student_id
    cross join lateral tutela_private.effective_preference(l.guardian_id, l.student_id, p_type) as p
    where l.student_id = p_student_id and l.status = 'active'
      -- the same rule the outbox applies again when the message is sent
      and tutela_private.guardian_access_gap(l.guardian_id, l.student_id, v_type.permission) is null
      and (p_recipients is null or l.guardian_id = any(p_recipients))
      and p.enabled
      and tutela_private.severity_rank(coalesce(p_severity, v_type.severity))
        >= tutela_private.severity_rank(p.min_severity)
  ),
  in_app as (
    insert into tutela.alerts (
      recipient_id, student_id, type, severity, title, message, recommendation, action_url,
      data, dedupe_key
    )
    select t.guardian_id, p_student_id, p_type, coalesce(p_severity, v_type.severity),
      p_title, coalesce(p_message, ''), p_recommendation, p_action_url,
      -- an alert shows only what its type's permission covers (the policy checks that one):
      -- a digest's grades and attendance go by email, checked again when sent
      case
        when p_type = 'weekly_digest' then coalesce(p_data, '{}'::jsonb) - 'grades' - 'attendance'
        else coalesce(p_data, '{}'::jsonb)
      end,
      p_dedupe
    from targets as t
    where 'in_app' = any(t.channels)
    on conflict (recipient_id, dedupe_key) do nothing
    returning recipient_id
  ),
  external as (
    insert into tutela_private.notification_outbox (
      kind, channel, template, idempotency_key, recipient_user_id, student_id, payload
    )
    select p_type, ch,
      case when p_type in ('weekly_digest', 'milestone_reached') then p_type else 'alert' end,
      p_dedupe || ':' || t.guardian_id::text || ':' || ch, t.guardian_id, p_student_id,
      jsonb_build_object(
        'type', p_type, 'severity', coalesce(p_severity, v_type.severity), 'title', p_title,
        'message', coalesce(p_message, ''), 'recommendation', p_recommendation,
        'action_url', p_action_url, 'student_name', t.student_name
      ) || coalesce(p_data, '{}'::jsonb)
    from targets as t
    cross join lateral unnest(t.channels) as ch
    where ch <> 'in_app'
    on conflict on constraint notification_outbox_idempotency_key do nothing
    returning recipient_user_id
  )
  -- the guardians actually notified now (a repeated event inserts nothing and counts 0)
  select count(distinct r.guardian_id) into v_count
  from (
    select i.recipient_id as guardian_id from in_app as i
    union all
    select e.recipient_user_id from external as e
  ) as r;
  return v_count;
end;
$$;

revoke all on function tutela_private.notify(
  uuid, text, text, text, text, jsonb, text, text, text, uuid[]
)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Event triggers: grading, absences, certificates
-- =============================================================================================

create or replace function tutela_private.on_submissions_change()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event record;
  v_students uuid[] := '{}';
  v_courses uuid[] := '{}';
  v_query text;
begin
  -- newly graded submissions: graded on insert, or moved into graded/returned, or re-scored
  if tg_op = 'DELETE' then
    v_query := 'select null::uuid as id where false';
  elsif tg_op = 'INSERT' then
    v_query := $q$
      select n.id, n.student_id, a.course_id, a.title, 100 * n.score / a.max_score as percent,
        null::numeric as previous_percent
      from new_rows as n join tutela.assignments as a on a.id = n.assignment_id
      where n.status in ('graded', 'returned') and n.score is not null
      order by n.graded_at, n.id
    $q$;
  else
    v_query := $q$
      select n.id, n.student_id, a.course_id, a.title, 100 * n.score / a.max_score as percent,
        case when o.status in ('graded', 'returned') then 100 * o.score / a.max_score end
          as previous_percent
      from new_rows as n
      join old_rows as o on o.id = n.id
      join tutela.assignments as a on a.id = n.assignment_id
      where n.status in ('graded', 'returned') and n.score is not null
        and (o.status not in ('graded', 'returned') or o.score is distinct from n.score)
      order by n.graded_at, n.id
    $q$;
  end if;

  for v_event in execute v_query loop
    perform tutela_private.notify(v_event.student_id, 'child_graded',
      pg_catalog.format('Graded: %s', v_event.title),
      pg_catalog.format('Score %s%%.', round(v_event.percent, 1)),
      -- every grading event is new (the trigger fires once per change): a fresh key
      'child_graded:' || v_event.id::text || ':' || gen_random_uuid()::text,
      jsonb_build_object('submission_id', v_event.id, 'percent', round(v_event.percent, 1)));
    -- an assignment grade's previous value: this submission's earlier score, else the
    -- student's previous graded assignment
    perform tutela_private.threshold_alerts(v_event.student_id, 'assignment', v_event.course_id,
      v_event.title, v_event.percent,
      coalesce(v_event.previous_percent, (
        select 100 * s.score / a.max_score
        from tutela.submissions as s join tutela.assignments as a on a.id = s.assignment_id
        where s.student_id = v_event.student_id and s.id <> v_event.id
          and s.status in ('graded', 'returned') and s.score is not null
        order by s.graded_at desc nulls last, s.id desc
        limit 1
      )),
      'assignment:' || v_event.id::text || ':' || gen_random_uuid()::text);
    v_students := v_students || v_event.student_id;
    v_courses := v_courses || v_event.course_id;
  end loop;

  -- submissions that left graded/returned, or were deleted, move their course average too
  if tg_op = 'UPDATE' then
    for v_event in execute $q$
      select o.student_id, a.course_id
      from old_rows as o
      join new_rows as n on n.id = o.id
      join tutela.assignments as a on a.id = o.assignment_id
      where o.status in ('graded', 'returned') and n.status not in ('graded', 'returned')
    $q$ loop
      v_students := v_students || v_event.student_id;
      v_courses := v_courses || v_event.course_id;
    end loop;
  elsif tg_op = 'DELETE' then
    for v_event in execute $q$
      select o.student_id, a.course_id
      from old_rows as o join tutela.assignments as a on a.id = o.assignment_id
      where o.status in ('graded', 'returned')
    $q$ loop
      v_students := v_students || v_event.student_id;
      v_courses := v_courses || v_event.course_id;
    end loop;
  end if;

  -- course averages that moved: crossings of the guardians' thresholds and the passing line
  for v_event in
    select distinct x.student_id, x.course_id
    from unnest(v_students, v_courses) as x (student_id, course_id)
    order by x.student_id, x.course_id
  loop
    perform tutela_private.refresh_course_average(v_event.student_id, v_event.course_id);
  end loop;
  return null;
end;
$$;

revoke all on function tutela_private.on_submissions_change()
from public, anon, authenticated, service_role;

-- Recompute one course average and notify on crossings (thresholds and the passing line).
create or replace function tutela_private.refresh_course_average(
  p_student_id uuid, p_course_id uuid
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old numeric;
  v_new numeric;
  v_graded integer;
  v_passing numeric;
  v_course text;
begin
  select ca.average_percent into v_old from tutela_private.course_averages as ca
  where ca.student_id = p_student_id and ca.course_id = p_course_id
  for update;
  select avg(100 * s.score / a.max_score), count(*), avg(a.passing_percent)
  into v_new, v_graded, v_passing
  from tutela.submissions as s join tutela.assignments as a on a.id = s.assignment_id
  where s.student_id = p_student_id and a.course_id = p_course_id
    and s.status in ('graded', 'returned') and s.score is not null;
  if v_new is null then
    delete from tutela_private.course_averages as ca
    where ca.student_id = p_student_id and ca.course_id = p_course_id;
    return;
  end if;
  insert into tutela_private.course_averages as ca (student_id, course_id, average_percent, graded)
  values (p_student_id, p_course_id, round(v_new, 2), v_graded)
  on conflict (student_id, course_id) do update
  set average_percent = excluded.average_percent, graded = excluded.graded,
    updated_at = pg_catalog.now();
  select c.title into v_course from tutela.courses as c where c.id = p_course_id;
  -- the passing line: child_low_grade when the average falls below it
  if v_new < v_passing and (v_old is null or v_old >= v_passing) then
    perform tutela_private.notify(p_student_id, 'child_low_grade',
      pg_catalog.format('%s: average below passing', v_course),
      pg_catalog.format('The average is %s%%; passing is %s%%.', round(v_new, 1),
        round(v_passing, 1)),
      'child_low_grade:' || p_course_id::text || ':' || gen_random_uuid()::text,
      jsonb_build_object('course_id', p_course_id, 'average', round(v_new, 1),
        'passing', round(v_passing, 1)),
      p_recommendation => 'Talk with the teacher about extra practice.');
  end if;
  perform tutela_private.threshold_alerts(p_student_id, 'course', p_course_id, v_course, v_new, v_old,
    'course:' || p_course_id::text || ':' || gen_random_uuid()::text);
end;
$$;

revoke all on function tutela_private.refresh_course_average(uuid, uuid)
from public, anon, authenticated, service_role;

-- Grade thresholds of every guardian of a student: fire when a value crosses one (the previous
-- value, when there is one, was on the other side). p_scope is 'assignment' or 'course'.
create or replace function tutela_private.threshold_alerts(
  p_student_id uuid, p_scope text, p_course_id uuid, p_title text, p_value numeric,
  p_previous numeric, p_dedupe text
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_t record;
begin
  for v_t in
    select th.guardian_id, th.type, th.percent from tutela.alert_thresholds as th
    where th.student_id = p_student_id and th.type like p_scope || '_grade_%'
  loop
    if v_t.type like '%_low' and p_value < v_t.percent
      and (p_previous is null or p_previous >= v_t.percent) then
      perform tutela_private.notify(p_student_id, v_t.type,
        pg_catalog.format('%s: %s%% is below your %s%% threshold', p_title, round(p_value, 1),
          v_t.percent),
        '', v_t.type || ':' || p_dedupe,
        jsonb_build_object('course_id', p_course_id, 'value', round(p_value, 1),
          'threshold', v_t.percent),
        p_recipients => array[v_t.guardian_id]);
    elsif v_t.type like '%_high' and p_value >= v_t.percent
      and (p_previous is null or p_previous < v_t.percent) then
      perform tutela_private.notify(p_student_id, v_t.type,
        pg_catalog.format('%s: %s%% reached your %s%% threshold', p_title, round(p_value, 1),
          v_t.percent),
        '', v_t.type || ':' || p_dedupe,
        jsonb_build_object('course_id', p_course_id, 'value', round(p_value, 1),
          'threshold', v_t.percent),
        p_recipients => array[v_t.guardian_id]);
    end if;
  end loop;
end;
$$;

revoke all on function tutela_private.threshold_alerts(
  uuid, text, uuid, text, numeric, numeric, text
)
from public, anon, authenticated, service_role;

create or replace function tutela_private.on_attendance_change()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row record;
begin
  for v_row in
    select n.id, n.student_id, lc.title, lc.starts_at
    from new_rows as n join tutela.live_classes as lc on lc.id = n.live_class_id
    where n.status = 'missed'
  loop
    perform tutela_private.notify(v_row.student_id, 'child_absent',
      pg_catalog.format('Missed: %s', v_row.title),
      pg_catalog.format('The live class on %s was missed.',
        to_char(v_row.starts_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')),
      'child_absent:' || v_row.id::text,
      jsonb_build_object('live_class_attendance_id', v_row.id));
  end loop;
  return null;
end;
$$;

revoke all on function tutela_private.on_attendance_change()
from public, anon, authenticated, service_role;

create or replace function tutela_private.on_certificate_issued()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row record;
begin
  for v_row in select * from new_rows loop
    perform tutela_private.notify(v_row.student_id, 'milestone_reached',
      pg_catalog.format('Certificate: %s', v_row.title), 'A new certificate was issued.',
      'certificate:' || v_row.id::text,
      jsonb_build_object('certificate_id', v_row.id, 'kind', 'certificate'));
  end loop;
  return null;
end;
$$;

revoke all on function tutela_private.on_certificate_issued()
from public, anon, authenticated, service_role;

drop trigger if exists submissions_notify_insert on tutela.submissions;
create trigger submissions_notify_insert
after insert on tutela.submissions
referencing new table as new_rows
for each statement execute function tutela_private.on_submissions_change();

drop trigger if exists submissions_notify_update on tutela.submissions;
create trigger submissions_notify_update
after update on tutela.submissions
referencing old table as old_rows new table as new_rows
for each statement execute function tutela_private.on_submissions_change();

drop trigger if exists submissions_notify_delete on tutela.submissions;
create trigger submissions_notify_delete
after delete on tutela.submissions
referencing old table as old_rows
for each statement execute function tutela_private.on_submissions_change();

drop trigger if exists live_class_attendance_notify_insert on tutela.live_class_attendance;
create trigger live_class_attendance_notify_insert
after insert on tutela.live_class_attendance
referencing new table as new_rows
for each statement execute function tutela_private.on_attendance_change();

drop trigger if exists live_class_attendance_notify_update on tutela.live_class_attendance;
create trigger live_class_attendance_notify_update
after update on tutela.live_class_attendance
referencing new table as new_rows
for each statement execute function tutela_private.on_attendance_change();

drop trigger if exists certificates_notify on tutela.certificates;
create trigger certificates_notify
after insert on tutela.certificates
referencing new table as new_rows
for each statement execute function tutela_private.on_certificate_issued();

-- =============================================================================================
-- Early warnings, weekly digest, purge (scheduled jobs)
-- =============================================================================================

-- Engagement drop: the last 7 days' activity (reviews plus activity events) is under half of
-- the previous 4 weeks' weekly average (which must be above zero). Performance decline: the
-- last 3 grades average at least 10 points below the 5 grades before them. Assignment
-- missing: an assignment of an active enrollment is past due and not handed in. Returns the
-- number of guardians notified (each warning once: the dedupe keys name the week or the item).
create or replace function tutela_private.run_early_warnings()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_today date := (pg_catalog.now() at time zone 'UTC')::date;
  v_week text := to_char(v_today, 'IYYY-IW');
  v_row record;
  v_total integer := 0;
begin
  for v_row in
    with activity as (
      select d.student_id,
        sum(d.reviews + d.activities) filter (where d.day > v_today - 7) as last_week,
        sum(d.reviews + d.activities) filter (
          where d.day <= v_today - 7 and d.day > v_today - 35) / 4.0 as weekly_before
      from tutela.daily_study_stats as d
      where d.day > v_today - 35
        and d.student_id in (select l.student_id from tutela.guardian_links as l
          where l.status = 'active')
      group by d.student_id
    )
    select a.student_id, coalesce(a.last_week, 0) as last_week, a.weekly_before
    from activity as a
    where a.weekly_before > 0 and coalesce(a.last_week, 0) < 0.5 * a.weekly_before
  loop
    v_total := v_total + tutela_private.notify(v_row.student_id, 'engagement_drop',
      'Less activity this week',
      pg_catalog.format('%s activities in the last 7 days, against %s a week before.',
        v_row.last_week, round(v_row.weekly_before, 1)),
      'engagement_drop:' || v_row.student_id::text || ':' || v_week,
      jsonb_build_object('last_7_days', v_row.last_week,
        'weekly_average_before', round(v_row.weekly_before, 1)),
      p_recommendation => 'A short daily review session helps keep the habit.');
  end loop;

  for v_row in
    with ranked as (
      select s.student_id, s.id, 100 * s.score / a.max_score as percent,
        row_number() over (partition by s.student_id order by s.graded_at desc, s.id desc) as n
      from tutela.submissions as s join tutela.assignments as a on a.id = s.assignment_id
      where s.status in ('graded', 'returned') and s.score is not null
        and s.student_id in (select l.student_id from tutela.guardian_links as l
          where l.status = 'active')
    )
    select r.student_id,
      avg(r.percent) filter (where r.n <= 3) as recent,
      avg(r.percent) filter (where r.n between 4 and 8) as before,
      (array_agg(r.id order by r.n))[1] as latest
    from ranked as r
    where r.n <= 8
    group by r.student_id
    having count(*) = 8
      and avg(r.percent) filter (where r.n <= 3)
        <= avg(r.percent) filter (where r.n between 4 and 8) - 10
  loop
    v_total := v_total + tutela_private.notify(v_row.student_id, 'performance_decline',
      'Grades are slipping',
      pg_catalog.format('The last 3 grades average %s%%, the 5 before them %s%%.',
        round(v_row.recent, 1), round(v_row.before, 1)),
      'performance_decline:' || v_row.latest::text,
      jsonb_build_object('recent_average', round(v_row.recent, 1),
        'previous_average', round(v_row.before, 1)),
      p_recommendation => 'Check in with the teacher about the recent topics.');
  end loop;

  for v_row in
    select e.student_id, a.id as assignment_id, a.title, a.due_at
    from tutela.enrollments as e
    join tutela.assignments as a on a.course_id = e.course_id
    left join tutela.submissions as s
      on s.assignment_id = a.id and s.student_id = e.student_id
    where e.status = 'active' and a.due_at < pg_catalog.now()
      and a.due_at > pg_catalog.now() - interval '14 days'
      and coalesce(s.status, 'pending') in ('pending', 'in_progress')
      and e.student_id in (select l.student_id from tutela.guardian_links as l
        where l.status = 'active')
  loop
    v_total := v_total + tutela_private.notify(v_row.student_id, 'assignment_missing',
      pg_catalog.format('Missing: %s', v_row.title),
      pg_catalog.format('It was due %s.',
        to_char(v_row.due_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')),
      'assignment_missing:' || v_row.student_id::text || ':' || v_row.assignment_id::text,
      jsonb_build_object('assignment_id', v_row.assignment_id, 'due_at', v_row.due_at));
  end loop;
  return v_total;
end;
$$;

revoke all on function tutela_private.run_early_warnings()
from public, anon, authenticated, service_role;

-- One digest per guardian, child and week (Monday to Sunday, UTC), for the week before
-- p_week_start's week by default. Idempotent on (guardian, child, week). Returns how many
-- digests were made.
create or replace function tutela_private.run_weekly_digests(p_week_start date default null)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_start date := coalesce(p_week_start,
    date_trunc('week', (pg_catalog.now() at time zone 'UTC')::date - 7)::date);
  v_end date := v_start + 6;
  v_link record;
  v_summary jsonb;
  v_made integer := 0;
begin
  for v_link in
    select l.guardian_id, l.student_id, s.display_name
    from tutela.guardian_links as l join tutela.students as s on s.id = l.student_id
    join tutela.organizations as o on o.id = s.organization_id
    where l.status = 'active' and coalesce((l.permissions ->> 'progress')::boolean, false)
      and o.family_access_enabled
    order by l.guardian_id, l.student_id
  loop
    if exists (
      select 1 from tutela_private.weekly_digests as w
      where w.guardian_id = v_link.guardian_id and w.student_id = v_link.student_id
        and w.week_start = v_start
    ) then
      continue;
    end if;
    v_summary := jsonb_build_object(
      'student_name', v_link.display_name,
      'week_start', v_start, 'week_end', v_end,
      'days', (
        select jsonb_agg(jsonb_build_object('day', g.day::date,
          'reviews', coalesce(d.reviews, 0), 'minutes', coalesce(d.minutes, 0))
          order by g.day)
        from generate_series(v_start, v_end, interval '1 day') as g (day)
        left join tutela.daily_study_stats as d
          on d.student_id = v_link.student_id and d.day = g.day::date
      ),
      'totals', (
        select jsonb_build_object('reviews', coalesce(sum(d.reviews), 0),
          'correct', coalesce(sum(d.correct), 0), 'minutes', coalesce(sum(d.minutes), 0),
          'active_days', count(*) filter (where d.reviews > 0 or d.activities > 0))
        from tutela.daily_study_stats as d
        where d.student_id = v_link.student_id and d.day between v_start and v_end
      ),
      'grades', case when tutela_private.guardian_access_gap(v_link.guardian_id, v_link.student_id,
        'grades') is null then coalesce((
        select jsonb_agg(jsonb_build_object('title', a.title,
          'percent', round(100 * s.score / a.max_score, 1)) order by s.graded_at)
        from tutela.submissions as s join tutela.assignments as a on a.id = s.assignment_id
        where s.student_id = v_link.student_id and s.status in ('graded', 'returned')
          and s.graded_at >= v_start and s.graded_at < v_end + 1
      ), '[]'::jsonb) end,
      'attendance', case when tutela_private.guardian_access_gap(v_link.guardian_id,
        v_link.student_id, 'attendance') is null then (
        select jsonb_build_object(
          'attended', count(*) filter (where at.status = 'attended'),
          'missed', count(*) filter (where at.status = 'missed'))
        from tutela.live_class_attendance as at
        join tutela.live_classes as lc on lc.id = at.live_class_id
        where at.student_id = v_link.student_id
          and lc.starts_at >= v_start and lc.starts_at < v_end + 1
      ) end,
      'upcoming', tutela_private.open_assignments(v_link.student_id, pg_catalog.now(),
        pg_catalog.now() + interval '7 days', 5)
    );
    insert into tutela_private.weekly_digests (guardian_id, student_id, week_start, summary)
    values (v_link.guardian_id, v_link.student_id, v_start, v_summary)
    on conflict do nothing;
    perform tutela_private.notify(v_link.student_id, 'weekly_digest',
      pg_catalog.format('%s''s week, %s to %s', v_link.display_name, v_start, v_end), '',
      'weekly_digest:' || v_link.student_id::text || ':' || v_start::text,
      v_summary, p_recipients => array[v_link.guardian_id]);
    v_made := v_made + 1;
  end loop;
  return v_made;
end;
$$;

revoke all on function tutela_private.run_weekly_digests(date)
from public, anon, authenticated, service_role;

create or replace function tutela_private.purge_alerts()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from tutela.alerts as a where a.created_at < pg_catalog.now() - interval '6 months';
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

revoke all on function tutela_private.purge_alerts() from public, anon, authenticated, service_role;

-- =============================================================================================
-- Jobs: registered with pg_cron where it is installed (tutela jobs install), runnable without
-- it (tutela jobs run-due: tutela.run_due_jobs())
-- =============================================================================================

insert into tutela_private.jobs (name, schedule, every, command)
values
(
  'drain_achievements', '* * * * *', interval '1 minute',
  'select tutela.drain_achievement_queue(1000)'
),
('expire_invites', '5 * * * *', interval '1 hour', 'select tutela_private.expire_invites()'),
('early_warnings', '0 5 * * *', interval '1 day', 'select tutela_private.run_early_warnings()'),
('weekly_digest', '0 6 * * 1', interval '7 days', 'select tutela_private.run_weekly_digests()'),
('purge_alerts', '30 4 * * *', interval '1 day', 'select tutela_private.purge_alerts()')
on conflict (name) do update
  set schedule = excluded.schedule, every = excluded.every, command = excluded.command;

create or replace function tutela.run_due_jobs(p_force boolean default false)
returns table (name text, result text, error text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job tutela_private.jobs;
  v_result text;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the service role runs jobs');
  end if;
  for v_job in
    select * from tutela_private.jobs as j
    where p_force or j.last_run_at is null or j.last_run_at <= pg_catalog.now() - j.every
    order by j.name
    for update skip locked
  loop
    begin
      execute v_job.command into v_result;
      update tutela_private.jobs as j
      set last_run_at = pg_catalog.now(), last_result = v_result, last_error = null
      where j.name = v_job.name;
      name := v_job.name;
      result := v_result;
      error := null;
    exception
      when others then
        update tutela_private.jobs as j
        set last_run_at = pg_catalog.now(), last_error = sqlerrm
        where j.name = v_job.name;
        name := v_job.name;
        result := null;
        error := sqlerrm;
    end;
    return next;
  end loop;
end;
$$;

comment on function tutela.run_due_jobs(boolean) is
'Runs every scheduled job whose interval has passed (all with p_force). Service role.';
revoke all on function tutela.run_due_jobs(boolean) from public, anon, authenticated, service_role;
grant execute on function tutela.run_due_jobs(boolean) to service_role;

-- =============================================================================================
-- Preferences, thresholds and alerts: the API for guardians (and any user)
-- =============================================================================================

create or replace function tutela.set_notification_preference(
  p_type text,
  p_channels text[] default null,
  p_enabled boolean default true,
  p_min_severity text default 'info',
  p_student_id uuid default null
)
returns tutela.notification_preferences
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- each user edits only their own preferences
  v_row tutela.notification_preferences;
  v_defaults text[];
begin
  select t.channels into v_defaults from tutela_private.notification_types() as t
  where t.type = p_type;
  if not found then
    perform tutela_private.invalid(pg_catalog.format('unknown notification type %L', p_type));
  end if;
  if p_channels is not null and (
    not p_channels <@ array['email', 'sms', 'push', 'in_app'] or array_position(p_channels,
      null) is not null
  ) then
    perform tutela_private.invalid('channels are email, sms, push and in_app');
  end if;
  if p_min_severity is null or p_min_severity not in ('info', 'warning', 'critical') then
    perform tutela_private.invalid('min_severity is info, warning or critical');
  end if;
  if p_enabled is null then
    perform tutela_private.invalid('enabled must be true or false');
  end if;
  if p_student_id is not null and p_student_id not in (select tutela_hidden.guardian_student_ids())
    and p_student_id not in (select tutela_hidden.own_student_ids()) then
    perform tutela_private.deny('a per-child preference is for one of your children');
  end if;
  insert into tutela.notification_preferences as np (
    user_id, student_id, type, channels, min_severity, enabled
  )
  values (v_uid, p_student_id, p_type,
    case
      when p_channels is null then v_defaults
      else coalesce((select array_agg(distinct c order by c) from unnest(p_channels) as c), '{}')
    end,
    p_min_severity, p_enabled)
  on conflict (user_id, coalesce(student_id, '00000000-0000-0000-0000-000000000000'::uuid), type)
  do update set channels = excluded.channels, min_severity = excluded.min_severity,
    enabled = excluded.enabled, updated_at = pg_catalog.now()
  returning * into v_row;
  return v_row;
end;
$$;

comment on function tutela.set_notification_preference(text, text[], boolean, text, uuid) is
'Sets the caller''s preference for a type (optionally for one child).';
revoke all on function tutela.set_notification_preference(text, text[], boolean, text, uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.set_notification_preference(text, text[], boolean, text, uuid)
to authenticated, service_role;

create or replace function tutela.get_notification_preferences(p_student_id uuid default null)
returns table (
  type text, permission text, channels text[], min_severity text, enabled boolean,
  is_default boolean, description text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the caller's own preferences only
begin
  return query
  select t.type, t.permission, p.channels, p.min_severity, p.enabled, p.is_default,
    t.description
  from tutela_private.notification_types() as t
  cross join lateral tutela_private.effective_preference(v_uid, p_student_id, t.type) as p
  order by t.type;
end;
$$;

comment on function tutela.get_notification_preferences(uuid) is
'The caller''s preference in force for every type (defaults where none is set).';
revoke all on function tutela.get_notification_preferences(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.get_notification_preferences(uuid) to authenticated, service_role;

create or replace function tutela.set_alert_threshold(
  p_student_id uuid, p_type text, p_percent numeric
)
returns tutela.alert_thresholds
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_row tutela.alert_thresholds;
  v_other numeric;
begin
  -- who may: an active guardian of the student whose link grants `grades`
  if p_student_id is null
    or not exists (select 1 from tutela.students as s where s.id = p_student_id) then
    perform tutela_private.not_found('student',
      'thresholds are for guardians who see this child''s grades');
  end if;
  if p_student_id not in (select tutela_hidden.guardian_student_ids('grades')) then
    perform tutela_private.deny('thresholds are for guardians who see this child''s grades');
  end if;
  if p_type is null or p_type not in (
    'course_grade_low', 'course_grade_high', 'assignment_grade_low', 'assignment_grade_high'
  ) then
    perform tutela_private.invalid(pg_catalog.format('unknown threshold type %L', p_type));
  end if;
  if p_percent is null or p_percent not between 0 and 100 then
    perform tutela_private.invalid('the threshold is a percent from 0 to 100');
  end if;
  p_percent := round(p_percent, 2);  -- as stored: the checks below compare stored values
  select th.percent into v_other from tutela.alert_thresholds as th
  where th.guardian_id = v_uid and th.student_id = p_student_id
    and th.type = case
      when p_type like '%_low' then replace(p_type, '_low', '_high')
      else replace(p_type, '_high', '_low')
    end;
  if v_other is not null and (
    (p_type like '%_high' and p_percent <= v_other)
    or (p_type like '%_low' and p_percent >= v_other)
  ) then
    perform tutela_private.invalid('a high threshold must exceed the matching low one');
  end if;
  insert into tutela.alert_thresholds as th (guardian_id, student_id, type, percent)
  values (v_uid, p_student_id, p_type, p_percent)
  on conflict (guardian_id, student_id, type) do update
  set percent = excluded.percent, updated_at = pg_catalog.now()
  returning * into v_row;
  return v_row;
end;
$$;

comment on function tutela.set_alert_threshold(uuid, text, numeric) is
'Sets the caller''s grade threshold for a child (high must exceed low). Guardians with grades.';
revoke all on function tutela.set_alert_threshold(uuid, text, numeric)
from public, anon, authenticated, service_role;
grant execute on function tutela.set_alert_threshold(uuid, text, numeric)
to authenticated, service_role;

-- Alerts: each type needs its permission (tutela_private.notification_types()). The alerts_select
-- policy (policies/notifications.sql) shows an alert about a child only while its recipient
-- may read that child's data for the type's permission; list_alerts and count_unread_alerts
-- read through that policy (security invoker), mark_alert_read and dismiss_alert (which write)
-- ask tutela_private.alert_readable, the same rule for one alert.

-- The types whose alerts need p_permission: the policy asks once per statement (an InitPlan).
-- Stable, not immutable: the planner would otherwise run it while planning every statement.
create or replace function tutela_hidden.alert_types(p_permission text)
returns text[]
language plpgsql  -- keeps its plan for the session (see tutela_hidden.readable_student_ids)
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(t.type order by t.type), '{}')
    from tutela_private.notification_types() as t where t.permission = p_permission
  );
end;
$$;

revoke all on function tutela_hidden.alert_types(text)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.alert_types(text) to authenticated;

-- The permissions the alerts policy has a branch for: a type needing another one is never
-- shown (tests/sql/notifications/054 checks that every type's is here).
create or replace function tutela_private.alert_permissions()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['grades', 'attendance', 'progress']
$$;

revoke all on function tutela_private.alert_permissions()
from public, anon, authenticated, service_role;

-- Whether the caller may see one alert about p_student_id of type p_type (the policy's rule,
-- for the writing functions, which bypass it).
create or replace function tutela_private.alert_readable(p_student_id uuid, p_type text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_permission text;
begin
  if p_student_id is null then
    return true;
  end if;
  select t.permission into v_permission from tutela_private.notification_types() as t
  where t.type = p_type and t.permission = any(tutela_private.alert_permissions());
  if not found then
    return false;
  end if;
  return p_student_id in (select tutela_hidden.readable_student_ids(v_permission));
end;
$$;

revoke all on function tutela_private.alert_readable(uuid, text)
from public, anon, authenticated, service_role;

-- list_alerts and count_unread_alerts run as the caller, through the alerts policy: they
-- need the caller's id check (tutela_hidden.require_uid, granted in rpc/guardianship.sql)

drop function if exists tutela.list_alerts(integer, timestamptz, uuid, text[], boolean);

create or replace function tutela.list_alerts(
  p_limit integer default 20,
  p_before timestamptz default null,
  p_student_id uuid default null,
  p_types text[] default null,
  p_unread_only boolean default false,
  p_before_id uuid default null
)
returns setof tutela.alerts
language plpgsql
stable
security invoker  -- the alerts policy decides what is shown
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the caller's own alerts only
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'the page size is from 1 to 100' using errcode = 'TU422';
  end if;
  return query
  select a.* from tutela.alerts as a
  where a.recipient_id = v_uid and a.dismissed_at is null
    -- the page after (p_before, p_before_id): the last row of the previous page
    and (p_before is null or a.created_at < p_before
      or (a.created_at = p_before and p_before_id is not null and a.id < p_before_id))
    and (p_student_id is null or a.student_id = p_student_id)
    and (p_types is null or a.type = any(p_types))
    and (not coalesce(p_unread_only, false) or a.read_at is null)
  order by a.created_at desc, a.id desc
  limit p_limit;
end;
$$;

comment on function tutela.list_alerts(integer, timestamptz, uuid, text[], boolean, uuid) is
'The caller''s alerts they may read now, newest first, paged by (created_at, id) of the last '
'row seen.';
revoke all on function tutela.list_alerts(integer, timestamptz, uuid, text[], boolean, uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.list_alerts(integer, timestamptz, uuid, text[], boolean, uuid)
to authenticated, service_role;

create or replace function tutela.mark_alert_read(p_alert_id uuid)
returns tutela.alerts
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_row tutela.alerts;
begin
  update tutela.alerts as a set read_at = coalesce(a.read_at, pg_catalog.now())
  where a.id = p_alert_id and a.recipient_id = v_uid  -- only the recipient, while allowed
    and tutela_private.alert_readable(a.student_id, a.type)
  returning * into v_row;
  if not found then
    perform tutela_private.not_found('alert');
  end if;
  return v_row;
end;
$$;

comment on function tutela.mark_alert_read(uuid) is 'Marks one of the caller''s alerts read.';
revoke all on function tutela.mark_alert_read(uuid) from public, anon, authenticated, service_role;
grant execute on function tutela.mark_alert_read(uuid) to authenticated, service_role;

create or replace function tutela.dismiss_alert(p_alert_id uuid)
returns tutela.alerts
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_row tutela.alerts;
begin
  update tutela.alerts as a
  set dismissed_at = coalesce(a.dismissed_at, pg_catalog.now()),
    read_at = coalesce(a.read_at, pg_catalog.now())
  where a.id = p_alert_id and a.recipient_id = v_uid  -- only the recipient, while allowed
    and tutela_private.alert_readable(a.student_id, a.type)
  returning * into v_row;
  if not found then
    perform tutela_private.not_found('alert');
  end if;
  return v_row;
end;
$$;

comment on function tutela.dismiss_alert(uuid) is 'Dismisses one of the caller''s alerts.';
revoke all on function tutela.dismiss_alert(uuid) from public, anon, authenticated, service_role;
grant execute on function tutela.dismiss_alert(uuid) to authenticated, service_role;

create or replace function tutela.count_unread_alerts()
returns integer
language sql
stable
security invoker  -- the alerts policy decides what is counted
set search_path = ''
as $$
  select count(*)::integer from tutela.alerts as a
  where a.recipient_id = (select tutela_hidden.require_uid()) and a.read_at is null
    and a.dismissed_at is null
$$;

comment on function tutela.count_unread_alerts() is
'How many of the caller''s alerts (those they may read now) are unread.';
revoke all on function tutela.count_unread_alerts() from public, anon, authenticated, service_role;
grant execute on function tutela.count_unread_alerts() to authenticated, service_role;

-- =============================================================================================
-- Invites whose email never arrived: re-issued (issue 27)
-- =============================================================================================

-- Whether the email of an invite is dead: none of its messages is queued, in flight or sent,
-- and one ended dead (the token it carried is gone: nothing can send it any more).
create or replace function tutela_private.invite_mail_dead(p_kind text, p_invite_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from tutela_private.notification_outbox as o
    where o.kind = p_kind and o.payload ->> 'invite_id' = p_invite_id::text
      and o.status = 'dead'
  ) and not exists (
    select 1 from tutela_private.notification_outbox as o
    where o.kind = p_kind and o.payload ->> 'invite_id' = p_invite_id::text
      and o.status in ('pending', 'sending', 'sent')
  )
$$;

revoke all on function tutela_private.invite_mail_dead(text, uuid)
from public, anon, authenticated, service_role;

-- Re-issue a pending, unexpired invite: a new token (the old one stops working), what is still
-- queued for it cancelled ('reissued'), a new email queued with the new token, audited. Its
-- expiry stays. p_invited_by: who now stands behind the invite (a resending member), or null
-- to keep its sender. The caller checked who may. Returns the invite's expiry, or null when the
-- invite is not pending or has expired (nothing re-issued).
create or replace function tutela_private.reissue_invite(
  p_kind text, p_invite_id uuid, p_actor_role text, p_invited_by uuid default null
)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_token text := tutela_private.new_token();
  v_guardian tutela.guardian_invites;
  v_student_invite tutela.student_invites;
  v_member tutela.membership_invites;
  v_student tutela.students;
  v_org tutela.organizations;
  v_payload jsonb;
  v_email text;
  v_expires timestamptz;
begin
  if p_kind = 'guardian_invite' then
    update tutela.guardian_invites as i
    set token_hash = tutela_private.hash_secret(v_token), updated_at = pg_catalog.now(),
      invited_by = coalesce(p_invited_by, i.invited_by)
    where i.id = p_invite_id and i.status = 'pending' and i.expires_at > pg_catalog.now()
    returning * into v_guardian;
    if v_guardian.id is null then
      return null;
    end if;
    select * into v_student from tutela.students as s where s.id = v_guardian.student_id;
    select * into v_org from tutela.organizations as o where o.id = v_student.organization_id;
    v_email := v_guardian.email;
    v_expires := v_guardian.expires_at;
    v_payload := jsonb_build_object(
      'invite_id', v_guardian.id, 'token', v_token, 'student_name', v_student.display_name,
      'organization_name', v_org.name, 'invitee_name', v_guardian.name,
      'relation', v_guardian.relation, 'expires_at', v_guardian.expires_at,
      'invited_by', v_guardian.invited_by);
  elsif p_kind = 'student_invite' then
    update tutela.student_invites as i
    set token_hash = tutela_private.hash_secret(v_token), updated_at = pg_catalog.now()
    where i.id = p_invite_id and i.status = 'pending' and i.expires_at > pg_catalog.now()
    returning * into v_student_invite;
    if v_student_invite.id is null then
      return null;
    end if;
    select * into v_student from tutela.students as s where s.id = v_student_invite.student_id;
    select * into v_org from tutela.organizations as o where o.id = v_student.organization_id;
    v_email := v_student_invite.email;
    v_expires := v_student_invite.expires_at;
    v_payload := jsonb_build_object(
      'invite_id', v_student_invite.id, 'token', v_token,
      'student_name', v_student.display_name, 'organization_name', v_org.name,
      'expires_at', v_student_invite.expires_at);
  elsif p_kind = 'member_invite' then
    update tutela.membership_invites as i
    set token_hash = tutela_private.hash_secret(v_token), updated_at = pg_catalog.now(),
      invited_by = coalesce(p_invited_by, i.invited_by)
    where i.id = p_invite_id and i.status = 'pending' and i.expires_at > pg_catalog.now()
    returning * into v_member;
    if v_member.id is null then
      return null;
    end if;
    select * into v_org from tutela.organizations as o where o.id = v_member.organization_id;
    v_email := v_member.email;
    v_expires := v_member.expires_at;
    v_payload := jsonb_build_object(
      'invite_id', v_member.id, 'token', v_token, 'organization_name', v_org.name,
      'role', v_member.role, 'title', v_member.title, 'expires_at', v_member.expires_at,
      'invited_by', v_member.invited_by);
  else
    return null;
  end if;
  -- the old token no longer works: what still carries it is never sent
  update tutela_private.notification_outbox as o
  set status = 'cancelled', cancelled_at = pg_catalog.now(), cancel_reason = 'reissued',
    claimed_at = null, payload = o.payload - 'token'
  where o.kind = p_kind and o.payload ->> 'invite_id' = p_invite_id::text
    and o.status in ('pending', 'sending');
  insert into tutela_private.notification_outbox (kind, recipient_email, student_id, payload)
  values (p_kind, v_email, v_student.id, v_payload);
  perform tutela_private.audit('invite_reissued', p_actor_role, v_org.id, v_student.id,
    p_invite_id => p_invite_id,
    p_new => jsonb_build_object('kind', p_kind, 'email', v_email, 'expires_at', v_expires));
  return v_expires;
end;
$$;

revoke all on function tutela_private.reissue_invite(text, uuid, text, uuid)
from public, anon, authenticated, service_role;

-- An invite may be resent while it is pending and unexpired: TU409 not_pending or
-- invite_expired otherwise (the three resend functions below).
create or replace function tutela_private.require_resendable(
  p_status text, p_expires_at timestamptz
)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_status <> 'pending' then
    perform tutela_private.conflict('only a pending invite can be resent', 'not_pending');
  end if;
  if p_expires_at <= pg_catalog.now() then
    perform tutela_private.conflict('this invite has expired', 'invite_expired',
      'Send a new invite.');
  end if;
end;
$$;

revoke all on function tutela_private.require_resendable(text, timestamptz)
from public, anon, authenticated, service_role;

-- Resend a guardian invite (its email never arrived, or was lost): a new token by email, the
-- old one stops working. Who may: as invite_guardian, admins, and staff where the
-- organisation's guardian_invite_policy lets staff invite; with MFA where the organisation
-- requires it. TU409 not_pending / invite_expired: send a new invite instead.
create or replace function tutela.resend_guardian_invite(p_invite_id uuid)
returns table (invite_id uuid, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_invite tutela.guardian_invites;
  v_org tutela.organizations;
  v_role text;
  v_expires timestamptz;
begin
  select * into v_invite from tutela.guardian_invites as i where i.id = p_invite_id for update;
  if not found then
    perform tutela_private.not_found('invite', 'only organisation staff resend an invite');
  end if;
  select o.* into v_org from tutela.organizations as o
  join tutela.students as s on s.organization_id = o.id
  where s.id = v_invite.student_id;
  v_role := tutela_private.role_for_student(v_invite.student_id);
  if not coalesce(
    v_role = 'admin' or (v_role = 'staff' and v_org.guardian_invite_policy <> 'admins'), false
  ) then
    perform tutela_private.deny('only organisation staff who may invite guardians resend an invite');
  end if;
  perform tutela_private.require_aal2_for_student(v_invite.student_id);
  perform tutela_private.require_resendable(v_invite.status, v_invite.expires_at);
  v_expires := tutela_private.reissue_invite('guardian_invite', p_invite_id, v_role, v_uid);
  return query select p_invite_id, v_expires;
end;
$$;

comment on function tutela.resend_guardian_invite(uuid) is
'Resends a pending guardian invite with a new token (the old one stops working). Admins, and '
'staff where the organisation lets staff invite guardians.';
revoke all on function tutela.resend_guardian_invite(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.resend_guardian_invite(uuid) to authenticated, service_role;

-- Resend a student invite: staff and admins of the student's organisation (as invite_student),
-- while the record has no login yet. TU409 not_pending / invite_expired / already_claimed.
create or replace function tutela.resend_student_invite(p_invite_id uuid)
returns table (invite_id uuid, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_invite tutela.student_invites;
  v_student tutela.students;
  v_role text;
  v_expires timestamptz;
begin
  select * into v_invite from tutela.student_invites as i where i.id = p_invite_id for update;
  if not found then
    perform tutela_private.not_found('invite', 'only organisation staff resend an invite');
  end if;
  select * into v_student from tutela.students as s where s.id = v_invite.student_id;
  v_role := tutela_private.role_in_organization(v_student.organization_id);
  if v_role is null or v_uid is null then
    perform tutela_private.deny('only organisation staff resend an invite');
  end if;
  perform tutela_private.require_aal2(v_student.organization_id);
  perform tutela_private.require_resendable(v_invite.status, v_invite.expires_at);
  if v_student.user_id is not null then
    perform tutela_private.conflict('the student already has a login', 'already_claimed');
  end if;
  v_expires := tutela_private.reissue_invite('student_invite', p_invite_id, v_role, v_uid);
  return query select p_invite_id, v_expires;
end;
$$;

comment on function tutela.resend_student_invite(uuid) is
'Resends a pending student invite with a new token (the old one stops working). Staff and '
'admins of the organisation.';
revoke all on function tutela.resend_student_invite(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.resend_student_invite(uuid) to authenticated, service_role;

-- Resend a membership invite: admins of the organisation (as invite_organization_member).
-- TU409 not_pending / invite_expired.
create or replace function tutela.resend_organization_invite(p_invite_id uuid)
returns table (invite_id uuid, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_invite tutela.membership_invites;
  v_expires timestamptz;
begin
  select * into v_invite from tutela.membership_invites as i where i.id = p_invite_id
  for update;
  if not found then
    perform tutela_private.not_found('invite', 'only organisation admins resend an invite');
  end if;
  if tutela_private.role_in_organization(v_invite.organization_id) is distinct from 'admin' then
    perform tutela_private.deny('only organisation admins resend an invite');
  end if;
  perform tutela_private.require_aal2(v_invite.organization_id);
  perform tutela_private.require_resendable(v_invite.status, v_invite.expires_at);
  v_expires := tutela_private.reissue_invite('member_invite', p_invite_id, 'admin', v_uid);
  return query select p_invite_id, v_expires;
end;
$$;

comment on function tutela.resend_organization_invite(uuid) is
'Resends a pending membership invite with a new token (the old one stops working). Admins.';
revoke all on function tutela.resend_organization_invite(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.resend_organization_invite(uuid) to authenticated, service_role;

-- The operator's requeue (tutela outbox requeue): dead messages among p_ids go back to the
-- queue, due now, with their attempts and time limit fresh. A dead invite has lost its token:
-- the invite is re-issued instead (a new token, a new email) while it can still be accepted.
-- One row per id: 'requeued', 'reissued', or 'skipped: <why>'. Owner only (the CLI).
create or replace function tutela_private.requeue_outbox(p_ids uuid[])
returns table (id uuid, outcome text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row tutela_private.notification_outbox;
  v_invite uuid;
begin
  for v_row in
    select o.* from tutela_private.notification_outbox as o where o.id = any(p_ids)
    order by o.created_at for update
  loop
    id := v_row.id;
    if v_row.status <> 'dead' then
      outcome := 'skipped: ' || v_row.status;
    elsif v_row.kind in ('guardian_invite', 'student_invite', 'member_invite') then
      if v_row.payload ->> 'invite_id'
        ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        v_invite := (v_row.payload ->> 'invite_id')::uuid;
      else
        v_invite := null;
      end if;
      if v_row.payload ? 'token' then
        -- still carries its token (made dead before tokens were dropped): send it as it is
        update tutela_private.notification_outbox as o
        set status = 'pending', attempts = 0, next_attempt_at = pg_catalog.now(),
          claimed_at = null
        where o.id = v_row.id;
        outcome := 'requeued';
      elsif v_invite is not null
        and tutela_private.reissue_invite(v_row.kind, v_invite, 'operator') is not null then
        outcome := 'reissued';
      else
        outcome := 'skipped: the invite can no longer be accepted';
      end if;
    else
      update tutela_private.notification_outbox as o
      set status = 'pending', attempts = 0, next_attempt_at = pg_catalog.now(),
        claimed_at = null,
        deliver_until = case when o.deliver_until is null then null
          else pg_catalog.now() + interval '3 days' end
      where o.id = v_row.id;
      outcome := 'requeued';
    end if;
    return next;
  end loop;
end;
$$;

revoke all on function tutela_private.requeue_outbox(uuid[])
from public, anon, authenticated, service_role;
