-- tutela:created 20261122000100
-- Profiles: one row per signed-in user (guardians, staff, students with a login).

create table public.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null default '' check (char_length(display_name) <= 200),
  last_seen_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.profiles is
'One row per user with a login: display name and last seen. Created by a trigger on auth.users.';

alter table public.profiles enable row level security;
