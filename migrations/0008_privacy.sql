-- tutela:created 20261122014500
-- Privacy and family controls: the consent matrix and its audit, data requests (export and
-- erasure), and the organisation switches they need. Functions in rpc/privacy.sql, policies in
-- policies/privacy.sql, docs/privacy.md.

alter table public.organizations
add column digital_consent_age smallint not null default 16
check (digital_consent_age between 13 and 21),
add column require_mfa_for_sensitive boolean not null default false;

-- ---------------------------------------------------------------------------------------------
-- Consent: per student, data type and recipient type
-- ---------------------------------------------------------------------------------------------
create table public.consent_records (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  data_type text not null check (data_type in (
    'progress', 'grades', 'attendance', 'sessions', 'lessons', 'card_content', 'journal',
    'messaging', 'profile'
  )),
  recipient_type text not null check (recipient_type in (
    'teachers', 'ai_tutor', 'other_guardians', 'third_parties'
  )),
  granted boolean not null,
  granted_at timestamptz,
  revoked_at timestamptz,
  expires_at timestamptz,
  reason text check (char_length(reason) <= 500),
  decided_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  unique (student_id, data_type, recipient_type)
);

create index consent_records_decided_by_idx on public.consent_records (decided_by);
create index consent_records_expiry_idx on public.consent_records (expires_at)
where granted and expires_at is not null;
alter table public.consent_records enable row level security;

-- Append-only: every grant, revocation, update and expiry.
create table public.consent_audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  student_id uuid,
  consent_id uuid,
  data_type text not null,
  recipient_type text not null,
  action text not null check (action in ('granted', 'revoked', 'updated', 'expired')),
  performed_by uuid,
  old_value jsonb,
  new_value jsonb,
  request_ip text,
  user_agent text
);

-- no foreign keys on purpose: the audit outlives what it describes (erasure pseudonymises it)
create index consent_audit_log_student_idx on public.consent_audit_log (student_id, occurred_at);
create index consent_audit_log_consent_idx on public.consent_audit_log (consent_id);
alter table public.consent_audit_log enable row level security;

create trigger consent_audit_log_append_only
before update or delete on public.consent_audit_log
for each row execute function private.forbid_audit_change();

create trigger consent_audit_log_no_truncate
before truncate on public.consent_audit_log
for each statement execute function private.forbid_audit_change();

-- ---------------------------------------------------------------------------------------------
-- Data requests: access (export) and erasure
-- ---------------------------------------------------------------------------------------------
create table public.data_requests (
  id uuid primary key default gen_random_uuid(),
  -- kept after an erasure (the student is gone): no foreign key
  student_id uuid not null,
  organization_id uuid references public.organizations (id) on delete set null,
  kind text not null check (kind in ('export', 'erasure')),
  requested_by uuid references auth.users (id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'completed', 'rejected')),
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  result jsonb
);

create index data_requests_student_idx on public.data_requests (student_id, kind);
create index data_requests_organization_idx on public.data_requests (organization_id);
create index data_requests_requested_by_idx on public.data_requests (requested_by);
alter table public.data_requests enable row level security;
