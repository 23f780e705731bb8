-- tutela:created 20261122002000
-- Guardianship core: organisations, memberships, students, guardian links, link codes,
-- invites, redemption attempts, the notification outbox and the link audit log.
-- Functions live in rpc/guardianship.sql, policies and grants in policies/guardianship.sql.

-- ---------------------------------------------------------------------------------------------
-- Organisations and their members
-- ---------------------------------------------------------------------------------------------
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$'),
  max_guardians_per_student integer not null default 2
  check (max_guardians_per_student between 1 and 10),
  link_requires_student_approval boolean not null default false,
  link_code_ttl interval not null default interval '24 hours'
  check (link_code_ttl between interval '5 minutes' and interval '30 days'),
  guardian_invite_ttl interval not null default interval '7 days'
  check (guardian_invite_ttl between interval '1 hour' and interval '90 days'),
  student_invite_ttl interval not null default interval '7 days'
  check (student_invite_ttl between interval '1 hour' and interval '90 days'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index organizations_created_by_idx on public.organizations (created_by);
alter table public.organizations enable row level security;

create table public.memberships (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('admin', 'staff')),
  title text check (char_length(title) <= 100),
  created_at timestamptz not null default now(),
  unique (organization_id, user_id)
);

create index memberships_user_id_idx on public.memberships (user_id, organization_id, role);
alter table public.memberships enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Students: the child, with or without a login
-- ---------------------------------------------------------------------------------------------
create table public.students (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  display_name text not null check (char_length(btrim(display_name)) between 1 and 200),
  email text check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  birth_date date check (birth_date > date '1900-01-01'),
  user_id uuid unique references auth.users (id) on delete set null,
  invite_accepted_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index students_organization_id_idx on public.students (organization_id);
create index students_created_by_idx on public.students (created_by);
alter table public.students enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Guardian links: one row per (student, guardian), restored rather than duplicated
-- ---------------------------------------------------------------------------------------------
create function private.link_permission_keys()
returns text[]
language sql
immutable
parallel safe
as $$
  select array[
    'progress', 'sessions', 'lessons', 'card_content', 'grades', 'attendance', 'journal',
    'messaging'
  ]::text[]
$$;

comment on function private.link_permission_keys() is
'The permissions a guardian link carries; extend with private.default_link_permissions().';

create function private.default_link_permissions()
returns jsonb
language sql
immutable
parallel safe
as $$
  select jsonb_build_object(
    'progress', true, 'sessions', true, 'lessons', true, 'card_content', true,
    'grades', true, 'attendance', true, 'journal', false, 'messaging', true
  )
$$;

create function private.valid_link_permissions(p_permissions jsonb)
returns boolean
language sql
immutable
parallel safe
as $$
  select jsonb_typeof(p_permissions) = 'object'
    and (select array_agg(k order by k) from jsonb_object_keys(p_permissions) as k)
    = (select array_agg(k order by k) from unnest(private.link_permission_keys()) as k)
    and not exists (
      select 1 from jsonb_each(p_permissions) as e where jsonb_typeof(e.value) <> 'boolean'
    )
$$;

revoke all on function private.link_permission_keys() from public;
revoke all on function private.default_link_permissions() from public;
revoke all on function private.valid_link_permissions(jsonb) from public;

create table public.guardian_links (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  guardian_id uuid not null references auth.users (id) on delete cascade,
  relation text not null default 'guardian'
  check (relation in ('mother', 'father', 'guardian', 'other')),
  is_primary boolean not null default false,
  status text not null check (status in ('pending', 'active', 'revoked')),
  permissions jsonb not null default private.default_link_permissions()
  check (private.valid_link_permissions(permissions)),
  created_via text not null check (created_via in ('code', 'invite', 'staff')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  activated_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  revoke_reason text check (char_length(revoke_reason) <= 500),
  unique (student_id, guardian_id),
  check (not is_primary or status = 'active'),
  check ((status = 'revoked') = (revoked_at is not null))
);

-- at most one active primary guardian per student
create unique index guardian_links_one_primary_idx
on public.guardian_links (student_id) where is_primary and status = 'active';
-- the policy helpers look links up by guardian and status
create index guardian_links_guardian_idx on public.guardian_links (guardian_id, status, student_id);
create index guardian_links_revoked_by_idx on public.guardian_links (revoked_by);
alter table public.guardian_links enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Link codes (private: only hashes, never the code) and redemption attempts
-- ---------------------------------------------------------------------------------------------
create table private.guardian_link_codes (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  code_hash bytea not null unique check (octet_length(code_hash) = 32),
  expires_at timestamptz not null,
  max_uses integer not null default 1 check (max_uses between 1 and 100),
  uses integer not null default 0 check (uses >= 0 and uses <= max_uses),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  withdrawn_at timestamptz
);

create index guardian_link_codes_student_idx on private.guardian_link_codes (student_id);
create index guardian_link_codes_created_by_idx on private.guardian_link_codes (created_by);
alter table private.guardian_link_codes enable row level security;

create table private.link_code_attempts (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  succeeded boolean not null
);

create index link_code_attempts_user_idx
on private.link_code_attempts (user_id, attempted_at desc) where not succeeded;
create index link_code_attempts_user_all_idx on private.link_code_attempts (user_id);
alter table private.link_code_attempts enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Invites: guardians (by staff or a co-parent) and students (to claim a login)
-- ---------------------------------------------------------------------------------------------
create table public.guardian_invites (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  name text check (char_length(name) <= 200),
  relation text not null default 'guardian'
  check (relation in ('mother', 'father', 'guardian', 'other')),
  permissions jsonb not null default private.default_link_permissions()
  check (private.valid_link_permissions(permissions)),
  token_hash bytea not null unique check (octet_length(token_hash) = 32),
  expires_at timestamptz not null,
  invited_by uuid references auth.users (id) on delete set null,
  status text not null default 'pending'
  check (status in ('pending', 'accepted', 'withdrawn', 'expired')),
  accepted_by uuid references auth.users (id) on delete set null,
  accepted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index guardian_invites_student_idx on public.guardian_invites (student_id, status);
create index guardian_invites_email_idx on public.guardian_invites (lower(email), status);
create index guardian_invites_invited_by_idx on public.guardian_invites (invited_by);
create index guardian_invites_accepted_by_idx on public.guardian_invites (accepted_by);
alter table public.guardian_invites enable row level security;

create table public.student_invites (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  token_hash bytea not null unique check (octet_length(token_hash) = 32),
  expires_at timestamptz not null,
  invited_by uuid references auth.users (id) on delete set null,
  status text not null default 'pending'
  check (status in ('pending', 'accepted', 'withdrawn', 'expired')),
  accepted_by uuid references auth.users (id) on delete set null,
  accepted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index student_invites_student_idx on public.student_invites (student_id, status);
create index student_invites_email_idx on public.student_invites (lower(email), status);
create index student_invites_invited_by_idx on public.student_invites (invited_by);
create index student_invites_accepted_by_idx on public.student_invites (accepted_by);
alter table public.student_invites enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Notification outbox (dispatched by the notifications module)
-- ---------------------------------------------------------------------------------------------
create table private.notification_outbox (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  recipient_email text,
  recipient_user_id uuid references auth.users (id) on delete cascade,
  student_id uuid references public.students (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  dispatched_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  check (recipient_email is not null or recipient_user_id is not null)
);

create index notification_outbox_pending_idx
on private.notification_outbox (created_at) where dispatched_at is null;
create index notification_outbox_user_idx on private.notification_outbox (recipient_user_id);
create index notification_outbox_student_idx on private.notification_outbox (student_id);
alter table private.notification_outbox enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Audit: every change to links, codes, invites, memberships and settings. Append-only.
-- ---------------------------------------------------------------------------------------------
create table public.link_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_id uuid,
  actor_role text not null,
  action text not null,
  organization_id uuid,
  student_id uuid,
  link_id uuid,
  code_id uuid,
  invite_id uuid,
  subject_user_id uuid,
  old_values jsonb,
  new_values jsonb,
  request_ip text,
  user_agent text
);

-- no foreign keys on purpose: the audit outlives what it describes
create index link_events_organization_idx on public.link_events (organization_id, occurred_at);
create index link_events_student_idx on public.link_events (student_id, occurred_at);
create index link_events_link_idx on public.link_events (link_id);
create index link_events_actor_idx on public.link_events (actor_id);
alter table public.link_events enable row level security;

create function private.forbid_audit_change()
returns trigger
language plpgsql
volatile
as $$
begin
  raise exception 'audit rows are append-only'
    using errcode = 'TU403', detail = tg_table_schema || '.' || tg_table_name;
end;
$$;

revoke all on function private.forbid_audit_change() from public;

create trigger link_events_append_only
before update or delete on public.link_events
for each row execute function private.forbid_audit_change();

create trigger link_events_no_truncate
before truncate on public.link_events
for each statement execute function private.forbid_audit_change();
