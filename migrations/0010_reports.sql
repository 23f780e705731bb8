-- tutela:created 20261122020000
-- 0010: reports
--
-- Reports: an immutable JSON snapshot of a student's data over a period (weekly, monthly, term,
-- transcript), made by public.generate_report (rpc/reports.sql). `sections` names the link
-- permissions whose data the snapshot holds; a report is readable only by someone who may
-- read the student for every one of them (policies/reports.sql). Immutability: a trigger in
-- rpc/reports.sql refuses every update (TU403) but the one a foreign key makes when the user
-- who generated a report is deleted (generated_by set to null). docs/reports.md.

create table public.reports (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  type text not null check (type in ('weekly', 'monthly', 'term', 'transcript')),
  period_start date not null,
  period_end date not null,
  status text not null default 'ready' check (status in ('ready', 'failed')),
  data jsonb not null default '{}'::jsonb,
  summary jsonb not null default '{}'::jsonb,
  sections text[] not null default '{}'::text[],
  generated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (period_end >= period_start),
  -- a transcript may span all time; every other report at most 400 days
  check (type = 'transcript' or period_end - period_start < 400)
);

comment on table public.reports is
'Immutable report snapshots of one student. Made by generate_report; readable under the '
'permissions of the sections they hold.';

create index reports_student_idx on public.reports (student_id, created_at desc);
create index reports_generated_by_idx on public.reports (generated_by);
alter table public.reports enable row level security;
