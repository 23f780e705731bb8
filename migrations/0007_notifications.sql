-- tutela:created 20261122011000
-- Notifications: preferences, alert thresholds, alerts (the in-app feed), the outbox for
-- external channels (email, sms, push) with delivery state, weekly digests and scheduled jobs.
-- Functions in rpc/notifications.sql, policies in policies/notifications.sql,
-- docs/notifications.md.

-- ---------------------------------------------------------------------------------------------
-- Preferences: per user, optionally per child (an override), per type
-- ---------------------------------------------------------------------------------------------
create table public.notification_preferences (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  student_id uuid references public.students (id) on delete cascade,
  type text not null check (type ~ '^[a-z][a-z_]{2,49}$'),
  channels text[] not null default array['in_app', 'email']
  check (channels <@ array['email', 'sms', 'push', 'in_app']),
  min_severity text not null default 'info' check (min_severity in ('info', 'warning', 'critical')),
  enabled boolean not null default true,
  updated_at timestamptz not null default now()
);

create unique index notification_preferences_key_idx on public.notification_preferences (
  user_id, coalesce(student_id, '00000000-0000-0000-0000-000000000000'::uuid), type
);
create index notification_preferences_student_idx on public.notification_preferences (student_id);
alter table public.notification_preferences enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Alert thresholds per guardian, child and type (a percent for grade types)
-- ---------------------------------------------------------------------------------------------
create table public.alert_thresholds (
  id uuid primary key default gen_random_uuid(),
  guardian_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  student_id uuid not null references public.students (id) on delete cascade,
  type text not null check (type in (
    'course_grade_low', 'course_grade_high', 'assignment_grade_low', 'assignment_grade_high'
  )),
  percent numeric(5, 2) not null check (percent between 0 and 100),
  updated_at timestamptz not null default now(),
  unique (guardian_id, student_id, type)
);

create index alert_thresholds_student_idx on public.alert_thresholds (student_id, type);
alter table public.alert_thresholds enable row level security;

-- Each student's average percent per course, to tell when a course average crosses a threshold.
create table private.course_averages (
  student_id uuid not null references public.students (id) on delete cascade,
  course_id uuid not null references public.courses (id) on delete cascade,
  average_percent numeric(6, 2) not null,
  graded integer not null,
  updated_at timestamptz not null default now(),
  primary key (student_id, course_id)
);

create index course_averages_course_idx on private.course_averages (course_id);
alter table private.course_averages enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Alerts: the in-app feed of a guardian (or any user), per child
-- ---------------------------------------------------------------------------------------------
create table public.alerts (
  id uuid primary key default gen_random_uuid(),
  recipient_id uuid not null references auth.users (id) on delete cascade,
  student_id uuid references public.students (id) on delete cascade,
  type text not null,
  severity text not null default 'info' check (severity in ('info', 'warning', 'critical')),
  title text not null check (char_length(title) between 1 and 200),
  message text not null default '' check (char_length(message) <= 2000),
  recommendation text check (char_length(recommendation) <= 1000),
  action_url text check (char_length(action_url) <= 2000),
  data jsonb not null default '{}'::jsonb,
  dedupe_key text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  dismissed_at timestamptz,
  unique (recipient_id, dedupe_key)
);

create index alerts_recipient_idx on public.alerts (recipient_id, created_at desc);
create index alerts_unread_idx on public.alerts (recipient_id) where read_at is null
and dismissed_at is null;
create index alerts_student_idx on public.alerts (student_id);
create index alerts_created_idx on public.alerts (created_at);
alter table public.alerts enable row level security;

-- ---------------------------------------------------------------------------------------------
-- The outbox: one row per message to send on an external channel
-- ---------------------------------------------------------------------------------------------
alter table private.notification_outbox
add column channel text not null default 'email'
check (channel in ('email', 'sms', 'push')),
add column template text,
add column idempotency_key text,
add column status text not null default 'pending'
check (status in ('pending', 'sending', 'sent', 'dead')),
add column next_attempt_at timestamptz not null default now(),
add column claimed_at timestamptz,
add column sent_at timestamptz,
add column max_attempts integer not null default 6 check (max_attempts between 1 and 50);

update private.notification_outbox
set
  template = kind,
  idempotency_key = id::text,
  status = case when dispatched_at is not null then 'sent' else 'pending' end,
  sent_at = dispatched_at;

alter table private.notification_outbox
alter column template set not null,
alter column idempotency_key set not null,
add constraint notification_outbox_idempotency_key unique (idempotency_key);

create index notification_outbox_due_idx on private.notification_outbox (next_attempt_at)
where status in ('pending', 'sending');

-- ---------------------------------------------------------------------------------------------
-- Weekly digests (one per guardian, child and week) and scheduled jobs
-- ---------------------------------------------------------------------------------------------
create table private.weekly_digests (
  guardian_id uuid not null references auth.users (id) on delete cascade,
  student_id uuid not null references public.students (id) on delete cascade,
  week_start date not null,
  created_at timestamptz not null default now(),
  summary jsonb not null,
  primary key (guardian_id, student_id, week_start)
);

create index weekly_digests_student_idx on private.weekly_digests (student_id);
alter table private.weekly_digests enable row level security;

create table private.jobs (
  name text primary key,
  schedule text not null,
  every interval not null,
  command text not null,
  last_run_at timestamptz,
  last_result text,
  last_error text
);

alter table private.jobs enable row level security;
