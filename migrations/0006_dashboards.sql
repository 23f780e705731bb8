-- tutela:created 20261122010500
-- Plans and subscriptions (tiers and entitlements) for the dashboards. Functions in
-- rpc/dashboards.sql, policies in policies/dashboards.sql, shapes in docs/api.md.

create table public.plans (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  rank smallint not null default 0,
  entitlements jsonb not null default '{}'::jsonb check (jsonb_typeof(entitlements) = 'object'),
  price_cents integer not null default 0 check (price_cents >= 0),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  billing_interval text not null default 'month' check (billing_interval in ('month', 'year')),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.plans enable row level security;

-- A subscription covers one student, or a guardian's whole family (every child with an active
-- link to that guardian).
create table public.subscriptions (
  id uuid primary key default gen_random_uuid(),
  plan_id uuid not null references public.plans (id),
  student_id uuid references public.students (id) on delete cascade,
  guardian_id uuid references auth.users (id) on delete cascade,
  status text not null default 'active'
  check (status in ('trialing', 'active', 'past_due', 'cancelled', 'expired')),
  started_at timestamptz not null default now(),
  access_until timestamptz,
  next_billing_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((student_id is null) <> (guardian_id is null))
);

create index subscriptions_plan_idx on public.subscriptions (plan_id);
create index subscriptions_student_idx on public.subscriptions (student_id, status);
create index subscriptions_guardian_idx on public.subscriptions (guardian_id, status);
alter table public.subscriptions enable row level security;

-- Dashboard filters: deadlines and recent grades per course, upcoming lessons and classes.
create index submissions_assignment_student_idx
on public.submissions (assignment_id, student_id, status);
create index student_achievements_student_idx
on public.student_achievements (student_id, awarded_at desc);

-- Competencies a mission or assignment exercises (the organisation's skills).
create table public.assignment_skills (
  assignment_id uuid not null,
  skill_id uuid not null,
  organization_id uuid not null,
  primary key (assignment_id, skill_id),
  foreign key (assignment_id, organization_id)
  references public.assignments (id, organization_id) on delete cascade,
  foreign key (skill_id, organization_id)
  references public.skills (id, organization_id) on delete cascade
);

create index assignment_skills_assignment_org_idx
on public.assignment_skills (assignment_id, organization_id);
create index assignment_skills_skill_org_idx
on public.assignment_skills (skill_id, organization_id);
create index assignment_skills_organization_idx on public.assignment_skills (organization_id);
alter table public.assignment_skills enable row level security;
