-- tutela:created 20261122005000
-- Engagement and family: achievements, goals, guardians' own mood, relationship-scoped
-- messaging. Functions in rpc/engagement.sql, policies in policies/engagement.sql and
-- policies/registry.toml (docs/achievements.md, docs/messaging.md).

-- ---------------------------------------------------------------------------------------------
-- Achievements: definitions (seeded by seed_achievements()) and awards
-- ---------------------------------------------------------------------------------------------
create table public.achievements (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]{2,63}$'),
  title text not null check (char_length(btrim(title)) between 1 and 200),
  description text not null default '' check (char_length(description) <= 1000),
  category text not null
  check (
    category in (
      'sessions', 'skills', 'streaks', 'journal', 'scores', 'drills', 'reviews', 'courses',
      'lessons', 'flashcards'
    )
  ),
  rule text not null,
  threshold integer not null check (threshold >= 1),
  icon text check (char_length(icon) <= 50),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.achievements enable row level security;

create table public.student_achievements (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  achievement_id uuid not null references public.achievements (id) on delete cascade,
  awarded_at timestamptz not null default now(),
  metric_value integer,
  unique (student_id, achievement_id)
);

create index student_achievements_achievement_idx
on public.student_achievements (achievement_id);
alter table public.student_achievements enable row level security;

-- Students whose achievements must be checked, and from when (filled by triggers, drained
-- by a job). A session in the future queues its participants again for its start.
create table private.achievement_queue (
  student_id uuid not null references public.students (id) on delete cascade,
  due_at timestamptz not null default date_trunc('minute', now()),
  queued_at timestamptz not null default now(),
  primary key (student_id, due_at)
);

create index achievement_queue_due_idx on private.achievement_queue (due_at);

alter table private.achievement_queue enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Goals: a student's own, and family goals a guardian sets for a child
-- ---------------------------------------------------------------------------------------------
create table public.goals (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  kind text not null default 'student' check (kind in ('student', 'family')),
  title text not null check (char_length(btrim(title)) between 1 and 200),
  description text check (char_length(description) <= 2000),
  category text not null default 'academic'
  check (category in ('academic', 'behavioural', 'creative', 'health')),
  target_date date,
  progress_percent smallint not null default 0 check (progress_percent between 0 and 100),
  status text not null default 'active'
  check (status in ('active', 'completed', 'paused', 'cancelled')),
  suggested boolean not null default false,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index goals_student_idx on public.goals (student_id, status);
create index goals_created_by_idx on public.goals (created_by, student_id);
alter table public.goals enable row level security;

-- ---------------------------------------------------------------------------------------------
-- A guardian's own daily mood (private to that guardian)
-- ---------------------------------------------------------------------------------------------
create table public.guardian_mood_entries (
  id uuid primary key default gen_random_uuid(),
  guardian_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  student_id uuid references public.students (id) on delete cascade,
  entry_date date not null default current_date,
  emoji text not null check (char_length(emoji) between 1 and 16),
  energy smallint check (energy between 1 and 5),
  note text check (char_length(note) <= 2000),
  created_at timestamptz not null default now()
);

create index guardian_mood_entries_guardian_idx
on public.guardian_mood_entries (guardian_id, entry_date desc);
create index guardian_mood_entries_student_idx on public.guardian_mood_entries (student_id);
alter table public.guardian_mood_entries enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Messaging between people with a real relationship (start_conversation checks it)
-- ---------------------------------------------------------------------------------------------
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  kind text not null
  check (kind in ('student_staff', 'guardian_staff', 'co_guardians', 'support')),
  organization_id uuid references public.organizations (id) on delete cascade,
  student_id uuid references public.students (id) on delete cascade,
  title text check (char_length(title) <= 200),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_message_at timestamptz,
  check (kind = 'support' or (organization_id is not null and student_id is not null))
);

create index conversations_organization_idx on public.conversations (organization_id);
create index conversations_student_idx on public.conversations (student_id);
create index conversations_created_by_idx on public.conversations (created_by);
alter table public.conversations enable row level security;

create table public.conversation_members (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('student', 'guardian', 'staff', 'support', 'user')),
  joined_at timestamptz not null default now(),
  last_read_at timestamptz,
  primary key (conversation_id, user_id)
);

create index conversation_members_user_idx
on public.conversation_members (user_id, conversation_id);
alter table public.conversation_members enable row level security;

create table public.messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  sender_id uuid default auth.uid() references auth.users (id) on delete set null,
  kind text not null default 'text' check (kind in ('text', 'system')),
  body text not null check (char_length(btrim(body)) between 1 and 10000),
  created_at timestamptz not null default now()
);

create index messages_conversation_idx on public.messages (conversation_id, created_at);
create index messages_sender_idx on public.messages (sender_id);
alter table public.messages enable row level security;
