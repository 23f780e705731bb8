-- tutela:created 20261207210000
-- Baseline: the install script of Tutela's layout at migration 0016, in schemas of its own.
--
-- A database without Tutela runs this file instead of migrations 0001-0016 (the runner, and
-- `tutela build supabase`, record those as applied with it). Migrations 0001-0015 built the
-- 0.1 layout in public and private; 0016 moves an existing 0.1 database into this layout in
-- place. This file is those fifteen files with the names of the new layout, in their order,
-- plus the schemas below: reviewed once here, never edited after landing, like any migration.
--
-- Tutela owns these schemas and touches nothing else (docs/architecture.md):
--   tutela          what clients read and call through the Data API (tables under RLS, rpc()
--                   functions); exposed in supabase/config.toml [api] schemas
--   tutela_hidden   helpers that policies, column defaults and invoker functions call as the
--                   API roles: usable by them, never exposed
--   tutela_private  tables and functions no API role reaches (link-code hashes, the outbox, jobs,
--                   the migration ledger)

create schema tutela;
comment on schema tutela is
'Tutela: the API (tables under RLS, rpc() functions). Exposed to the Data API.';
grant usage on schema tutela to anon, authenticated, service_role;

create schema tutela_hidden;
comment on schema tutela_hidden is
'Tutela: helpers that policies and functions call as the API roles. Usable, never exposed.';
revoke all on schema tutela_hidden from public;
grant usage on schema tutela_hidden to authenticated, service_role;

create schema tutela_private;
comment on schema tutela_private is 'Tutela: internal tables and functions. No API role has usage.';
revoke all on schema tutela_private from public;

-- >>> 0002_profiles.sql, in the new schemas
-- Profiles: one row per signed-in user (guardians, staff, students with a login).

create table tutela.profiles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null default '' check (char_length(display_name) <= 200),
  last_seen_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table tutela.profiles is
'One row per user with a login: display name and last seen. Created by a trigger on auth.users.';

alter table tutela.profiles enable row level security;

-- >>> 0003_guardianship.sql, in the new schemas
-- Guardianship core: organisations, memberships, students, guardian links, link codes,
-- invites, redemption attempts, the notification outbox and the link audit log.
-- Functions live in rpc/guardianship.sql, policies and grants in policies/guardianship.sql.

-- ---------------------------------------------------------------------------------------------
-- Organisations and their members
-- ---------------------------------------------------------------------------------------------
create table tutela.organizations (
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

create index organizations_created_by_idx on tutela.organizations (created_by);
alter table tutela.organizations enable row level security;

create table tutela.memberships (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('admin', 'staff')),
  title text check (char_length(title) <= 100),
  created_at timestamptz not null default now(),
  unique (organization_id, user_id)
);

create index memberships_user_id_idx on tutela.memberships (user_id, organization_id, role);
alter table tutela.memberships enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Students: the child, with or without a login
-- ---------------------------------------------------------------------------------------------
create table tutela.students (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  display_name text not null check (char_length(btrim(display_name)) between 1 and 200),
  email text check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  birth_date date check (birth_date > date '1900-01-01'),
  user_id uuid unique references auth.users (id) on delete set null,
  invite_accepted_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index students_organization_id_idx on tutela.students (organization_id);
create index students_created_by_idx on tutela.students (created_by);
alter table tutela.students enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Guardian links: one row per (student, guardian), restored rather than duplicated
-- ---------------------------------------------------------------------------------------------
create function tutela_hidden.link_permission_keys()
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

comment on function tutela_hidden.link_permission_keys() is
'The permissions a guardian link carries; extend with tutela_hidden.default_link_permissions().';

create function tutela_hidden.default_link_permissions()
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

create function tutela_hidden.valid_link_permissions(p_permissions jsonb)
returns boolean
language sql
immutable
parallel safe
as $$
  select jsonb_typeof(p_permissions) = 'object'
    and (select array_agg(k order by k) from jsonb_object_keys(p_permissions) as k)
    = (select array_agg(k order by k) from unnest(tutela_hidden.link_permission_keys()) as k)
    and not exists (
      select 1 from jsonb_each(p_permissions) as e where jsonb_typeof(e.value) <> 'boolean'
    )
$$;

revoke all on function tutela_hidden.link_permission_keys() from public;
revoke all on function tutela_hidden.default_link_permissions() from public;
revoke all on function tutela_hidden.valid_link_permissions(jsonb) from public;

create table tutela.guardian_links (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  guardian_id uuid not null references auth.users (id) on delete cascade,
  relation text not null default 'guardian'
  check (relation in ('mother', 'father', 'guardian', 'other')),
  is_primary boolean not null default false,
  status text not null check (status in ('pending', 'active', 'revoked')),
  permissions jsonb not null default tutela_hidden.default_link_permissions()
  check (tutela_hidden.valid_link_permissions(permissions)),
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
on tutela.guardian_links (student_id) where is_primary and status = 'active';
-- the policy helpers look links up by guardian and status
create index guardian_links_guardian_idx on tutela.guardian_links (guardian_id, status, student_id);
create index guardian_links_revoked_by_idx on tutela.guardian_links (revoked_by);
alter table tutela.guardian_links enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Link codes (private: only hashes, never the code) and redemption attempts
-- ---------------------------------------------------------------------------------------------
create table tutela_private.guardian_link_codes (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  code_hash bytea not null unique check (octet_length(code_hash) = 32),
  expires_at timestamptz not null,
  max_uses integer not null default 1 check (max_uses between 1 and 100),
  uses integer not null default 0 check (uses >= 0 and uses <= max_uses),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  withdrawn_at timestamptz
);

create index guardian_link_codes_student_idx on tutela_private.guardian_link_codes (student_id);
create index guardian_link_codes_created_by_idx on tutela_private.guardian_link_codes (created_by);
alter table tutela_private.guardian_link_codes enable row level security;

create table tutela_private.link_code_attempts (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  succeeded boolean not null
);

create index link_code_attempts_user_idx
on tutela_private.link_code_attempts (user_id, attempted_at desc) where not succeeded;
create index link_code_attempts_user_all_idx on tutela_private.link_code_attempts (user_id);
alter table tutela_private.link_code_attempts enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Invites: guardians (by staff or a co-parent) and students (to claim a login)
-- ---------------------------------------------------------------------------------------------
create table tutela.guardian_invites (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  name text check (char_length(name) <= 200),
  relation text not null default 'guardian'
  check (relation in ('mother', 'father', 'guardian', 'other')),
  permissions jsonb not null default tutela_hidden.default_link_permissions()
  check (tutela_hidden.valid_link_permissions(permissions)),
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

create index guardian_invites_student_idx on tutela.guardian_invites (student_id, status);
create index guardian_invites_email_idx on tutela.guardian_invites (lower(email), status);
create index guardian_invites_invited_by_idx on tutela.guardian_invites (invited_by);
create index guardian_invites_accepted_by_idx on tutela.guardian_invites (accepted_by);
alter table tutela.guardian_invites enable row level security;

create table tutela.student_invites (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
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

create index student_invites_student_idx on tutela.student_invites (student_id, status);
create index student_invites_email_idx on tutela.student_invites (lower(email), status);
create index student_invites_invited_by_idx on tutela.student_invites (invited_by);
create index student_invites_accepted_by_idx on tutela.student_invites (accepted_by);
alter table tutela.student_invites enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Notification outbox (dispatched by the notifications module)
-- ---------------------------------------------------------------------------------------------
create table tutela_private.notification_outbox (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  recipient_email text,
  recipient_user_id uuid references auth.users (id) on delete cascade,
  student_id uuid references tutela.students (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  dispatched_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  check (recipient_email is not null or recipient_user_id is not null)
);

create index notification_outbox_pending_idx
on tutela_private.notification_outbox (created_at) where dispatched_at is null;
create index notification_outbox_user_idx on tutela_private.notification_outbox (recipient_user_id);
create index notification_outbox_student_idx on tutela_private.notification_outbox (student_id);
alter table tutela_private.notification_outbox enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Audit: every change to links, codes, invites, memberships and settings. Append-only.
-- ---------------------------------------------------------------------------------------------
create table tutela.link_events (
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
create index link_events_organization_idx on tutela.link_events (organization_id, occurred_at);
create index link_events_student_idx on tutela.link_events (student_id, occurred_at);
create index link_events_link_idx on tutela.link_events (link_id);
create index link_events_actor_idx on tutela.link_events (actor_id);
alter table tutela.link_events enable row level security;

create function tutela_private.forbid_audit_change()
returns trigger
language plpgsql
volatile
as $$
begin
  raise exception 'audit rows are append-only'
    using errcode = 'TU403', detail = tg_table_schema || '.' || tg_table_name;
end;
$$;

revoke all on function tutela_private.forbid_audit_change() from public;

create trigger link_events_append_only
before update or delete on tutela.link_events
for each row execute function tutela_private.forbid_audit_change();

create trigger link_events_no_truncate
before truncate on tutela.link_events
for each statement execute function tutela_private.forbid_audit_change();

-- >>> 0004_learning_data.sql, in the new schemas
-- Learning data: the student-data model shared by flashcard apps, LMSs, coaching academies
-- and home schools (docs/data-model.md maps each product's concepts to these tables).
-- Policies and grants are rendered from policies/registry.toml into policies/learning.sql;
-- functions and triggers live in rpc/learning.sql.
--
-- Organisation consistency is declarative: a student-data row that points at a catalog row
-- (a course, an assignment, a session ...) carries organization_id, and composite foreign keys
-- tie (student_id, organization_id) and (catalog id, organization_id) to their parents.

alter table tutela.students add constraint students_id_org_key unique (id, organization_id);

-- ---------------------------------------------------------------------------------------------
-- Catalog of an organisation: courses, modules, assignments, live classes, skills, drills,
-- coaching sessions
-- ---------------------------------------------------------------------------------------------
create table tutela.courses (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  subject text check (char_length(subject) <= 100),
  description text check (char_length(description) <= 5000),
  level text check (char_length(level) <= 50),
  is_published boolean not null default true,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, organization_id)
);

create index courses_organization_idx on tutela.courses (organization_id);
create index courses_created_by_idx on tutela.courses (created_by);
alter table tutela.courses enable row level security;

create table tutela.course_modules (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  course_id uuid not null,
  position integer not null default 1 check (position >= 0),
  title text not null check (char_length(btrim(title)) between 1 and 200),
  content_url text check (char_length(content_url) <= 2000),
  created_at timestamptz not null default now(),
  unique (id, organization_id),
  foreign key (course_id, organization_id)
  references tutela.courses (id, organization_id) on delete cascade
);

create index course_modules_course_idx on tutela.course_modules (course_id, organization_id);
create index course_modules_organization_idx on tutela.course_modules (organization_id);
alter table tutela.course_modules enable row level security;

create table tutela.assignments (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  course_id uuid not null,
  module_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  kind text not null default 'assignment'
  check (kind in ('assignment', 'quiz', 'mission', 'project', 'exam')),
  due_at timestamptz,
  max_score numeric(7, 2) not null default 100 check (max_score > 0),
  passing_percent numeric(5, 2) not null default 60 check (passing_percent between 0 and 100),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (id, organization_id),
  foreign key (course_id, organization_id)
  references tutela.courses (id, organization_id) on delete cascade,
  foreign key (module_id, organization_id)
  references tutela.course_modules (id, organization_id) on delete set null (module_id)
);

create index assignments_course_idx on tutela.assignments (course_id, organization_id, due_at);
create index assignments_module_idx on tutela.assignments (module_id, organization_id);
create index assignments_organization_idx on tutela.assignments (organization_id);
create index assignments_created_by_idx on tutela.assignments (created_by);
alter table tutela.assignments enable row level security;

create table tutela.live_classes (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  course_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  host_id uuid references auth.users (id) on delete set null,
  meeting_url text check (char_length(meeting_url) <= 2000),
  created_at timestamptz not null default now(),
  unique (id, organization_id),
  check (ends_at > starts_at),
  foreign key (course_id, organization_id)
  references tutela.courses (id, organization_id) on delete set null (course_id)
);

create index live_classes_organization_idx on tutela.live_classes (organization_id, starts_at);
create index live_classes_course_idx on tutela.live_classes (course_id, organization_id);
create index live_classes_host_idx on tutela.live_classes (host_id);
alter table tutela.live_classes enable row level security;

create table tutela.skills (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  category text not null check (char_length(btrim(category)) between 1 and 100),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  description text check (char_length(description) <= 2000),
  max_level smallint not null default 5 check (max_level between 1 and 10),
  position integer not null default 0,
  unique (id, organization_id),
  unique (organization_id, category, name)
);

alter table tutela.skills enable row level security;

create table tutela.drills (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  skill_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  instructions text check (char_length(instructions) <= 5000),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (id, organization_id),
  foreign key (skill_id, organization_id)
  references tutela.skills (id, organization_id) on delete set null (skill_id)
);

create index drills_organization_idx on tutela.drills (organization_id);
create index drills_skill_idx on tutela.drills (skill_id, organization_id);
create index drills_created_by_idx on tutela.drills (created_by);
alter table tutela.drills enable row level security;

create table tutela.coaching_sessions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  coach_id uuid references auth.users (id) on delete set null,
  starts_at timestamptz not null,
  duration_minutes integer not null default 60 check (duration_minutes between 1 and 1440),
  location text check (char_length(location) <= 200),
  focus text check (char_length(focus) <= 500),
  conditions jsonb,
  created_at timestamptz not null default now(),
  unique (id, organization_id)
);

create index coaching_sessions_organization_idx
on tutela.coaching_sessions (organization_id, starts_at);
create index coaching_sessions_coach_idx on tutela.coaching_sessions (coach_id);
alter table tutela.coaching_sessions enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Flashcards and review history
-- ---------------------------------------------------------------------------------------------
create table tutela.flashcards (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  subject text not null check (char_length(btrim(subject)) between 1 and 100),
  topic text not null default '' check (char_length(topic) <= 100),
  question text not null check (char_length(btrim(question)) between 1 and 2000),
  answer text not null check (char_length(answer) <= 5000),
  options jsonb check (options is null or jsonb_typeof(options) = 'array'),
  key_points text[] check (cardinality(key_points) <= 20),
  leitner_box smallint not null default 1 check (leitner_box between 1 and 5),
  due_at timestamptz not null default now(),
  last_reviewed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, student_id)
);

create index flashcards_student_due_idx on tutela.flashcards (student_id, due_at);
create index flashcards_student_subject_idx
on tutela.flashcards (student_id, subject, topic, leitner_box);
alter table tutela.flashcards enable row level security;

create table tutela.card_reviews (
  id bigint generated always as identity primary key,
  student_id uuid not null,
  flashcard_id uuid not null,
  reviewed_at timestamptz not null default now(),
  correct boolean not null,
  quality smallint check (quality between 0 and 5),
  duration_ms integer check (duration_ms between 0 and 3600000),
  xp integer not null default 0 check (xp between 0 and 100),
  foreign key (flashcard_id, student_id)
  references tutela.flashcards (id, student_id) on delete cascade
);

create index card_reviews_student_idx on tutela.card_reviews (student_id, reviewed_at desc);
create index card_reviews_flashcard_idx on tutela.card_reviews (flashcard_id, student_id);
alter table tutela.card_reviews enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Stats kept current by triggers (rpc/learning.sql)
-- ---------------------------------------------------------------------------------------------
create table tutela.student_stats (
  student_id uuid primary key references tutela.students (id) on delete cascade,
  current_streak integer not null default 0 check (current_streak >= 0),
  longest_streak integer not null default 0 check (longest_streak >= 0),
  last_active_day date,
  total_xp bigint not null default 0,
  total_points bigint not null default 0,
  total_reviews bigint not null default 0,
  total_correct bigint not null default 0,
  total_minutes bigint not null default 0,
  last_active_at timestamptz,
  updated_at timestamptz not null default now()
);

alter table tutela.student_stats enable row level security;

create table tutela.daily_study_stats (
  student_id uuid not null references tutela.students (id) on delete cascade,
  day date not null,
  reviews integer not null default 0 check (reviews >= 0),
  correct integer not null default 0 check (correct >= 0 and correct <= reviews),
  xp integer not null default 0 check (xp >= 0),
  minutes integer not null default 0 check (minutes >= 0),
  activities integer not null default 0 check (activities >= 0),
  primary key (student_id, day)
);

alter table tutela.daily_study_stats enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Courses: enrollments, submissions, live classes, certificates
-- ---------------------------------------------------------------------------------------------
create table tutela.enrollments (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  course_id uuid not null,
  status text not null default 'active' check (status in ('active', 'completed', 'dropped')),
  progress_percent numeric(5, 2) not null default 0 check (progress_percent between 0 and 100),
  enrolled_at timestamptz not null default now(),
  last_accessed_at timestamptz,
  completed_at timestamptz,
  unique (student_id, course_id),
  check ((status = 'completed') = (completed_at is not null)),
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade,
  foreign key (course_id, organization_id)
  references tutela.courses (id, organization_id) on delete cascade
);

create index enrollments_student_org_idx on tutela.enrollments (student_id, organization_id);
create index enrollments_course_idx on tutela.enrollments (course_id, organization_id);
alter table tutela.enrollments enable row level security;

create table tutela.submissions (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  assignment_id uuid not null,
  status text not null default 'pending'
  check (status in ('pending', 'in_progress', 'submitted', 'in_review', 'graded', 'returned')),
  submitted_at timestamptz,
  score numeric(7, 2) check (score >= 0),
  auto_score numeric(7, 2) check (auto_score >= 0),
  reviewer_score numeric(7, 2) check (reviewer_score >= 0),
  feedback text check (char_length(feedback) <= 10000),
  graded_at timestamptz,
  graded_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (student_id, assignment_id),
  check (status not in ('graded', 'returned') or (score is not null and graded_at is not null)),
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade,
  foreign key (assignment_id, organization_id)
  references tutela.assignments (id, organization_id) on delete cascade
);

create index submissions_student_org_idx
on tutela.submissions (student_id, organization_id, graded_at desc);
create index submissions_assignment_idx on tutela.submissions (assignment_id, organization_id);
create index submissions_graded_by_idx on tutela.submissions (graded_by);
alter table tutela.submissions enable row level security;

create table tutela.live_class_attendance (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  live_class_id uuid not null,
  status text not null default 'registered' check (status in ('registered', 'attended', 'missed')),
  joined_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (student_id, live_class_id),
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade,
  foreign key (live_class_id, organization_id)
  references tutela.live_classes (id, organization_id) on delete cascade
);

create index live_class_attendance_student_org_idx
on tutela.live_class_attendance (student_id, organization_id);
create index live_class_attendance_class_idx
on tutela.live_class_attendance (live_class_id, organization_id);
alter table tutela.live_class_attendance enable row level security;

create table tutela.certificates (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  course_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  issued_at timestamptz not null default now(),
  pdf_url text check (char_length(pdf_url) <= 2000),
  verification_code text not null unique default encode(extensions.gen_random_bytes(9), 'hex'),
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade,
  foreign key (course_id, organization_id)
  references tutela.courses (id, organization_id) on delete set null (course_id)
);

create index certificates_student_org_idx on tutela.certificates (student_id, organization_id);
create index certificates_course_idx on tutela.certificates (course_id, organization_id);
alter table tutela.certificates enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Coaching: lessons, session participants and scores, drills, skills, journal
-- ---------------------------------------------------------------------------------------------
create table tutela.lessons (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  coach_id uuid references auth.users (id) on delete set null,
  scheduled_at timestamptz not null,
  duration_minutes integer not null default 60 check (duration_minutes between 1 and 1440),
  status text not null default 'scheduled'
  check (status in ('scheduled', 'completed', 'cancelled', 'missed')),
  topic text check (char_length(topic) <= 200),
  notes text check (char_length(notes) <= 10000),
  created_at timestamptz not null default now(),
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade
);

create index lessons_student_org_idx on tutela.lessons (student_id, organization_id, scheduled_at);
create index lessons_coach_idx on tutela.lessons (coach_id);
alter table tutela.lessons enable row level security;

create table tutela.session_students (
  session_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null,
  attendance text not null default 'present' check (attendance in ('present', 'absent', 'excused')),
  primary key (session_id, student_id),
  foreign key (session_id, organization_id)
  references tutela.coaching_sessions (id, organization_id) on delete cascade,
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade
);

create index session_students_student_org_idx
on tutela.session_students (student_id, organization_id);
create index session_students_session_org_idx
on tutela.session_students (session_id, organization_id);
alter table tutela.session_students enable row level security;

create table tutela.session_scores (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null,
  score numeric(4, 2) check (score between 0 and 10),
  coach_notes text check (char_length(coach_notes) <= 10000),
  analysis jsonb,
  created_at timestamptz not null default now(),
  unique (session_id, student_id),
  foreign key (session_id, student_id)
  references tutela.session_students (session_id, student_id) on delete cascade,
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade
);

create index session_scores_student_org_idx
on tutela.session_scores (student_id, organization_id, created_at);
alter table tutela.session_scores enable row level security;

create table tutela.drill_assignments (
  id uuid primary key default gen_random_uuid(),
  drill_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null,
  assigned_by uuid default auth.uid() references auth.users (id) on delete set null,
  due_at timestamptz,
  completed_at timestamptz,
  notes text check (char_length(notes) <= 2000),
  created_at timestamptz not null default now(),
  foreign key (drill_id, organization_id)
  references tutela.drills (id, organization_id) on delete cascade,
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade
);

create index drill_assignments_student_org_idx
on tutela.drill_assignments (student_id, organization_id, due_at);
create index drill_assignments_drill_idx on tutela.drill_assignments (drill_id, organization_id);
create index drill_assignments_assigned_by_idx on tutela.drill_assignments (assigned_by);
alter table tutela.drill_assignments enable row level security;

create table tutela.skill_assessments (
  id uuid primary key default gen_random_uuid(),
  skill_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null,
  level smallint not null check (level between 0 and 10),
  assessed_at timestamptz not null default now(),
  assessed_by uuid default auth.uid() references auth.users (id) on delete set null,
  notes text check (char_length(notes) <= 2000),
  foreign key (skill_id, organization_id)
  references tutela.skills (id, organization_id) on delete cascade,
  foreign key (student_id, organization_id)
  references tutela.students (id, organization_id) on delete cascade
);

create index skill_assessments_student_org_idx
on tutela.skill_assessments (student_id, organization_id, assessed_at);
create index skill_assessments_skill_idx on tutela.skill_assessments (skill_id, organization_id);
create index skill_assessments_assessed_by_idx on tutela.skill_assessments (assessed_by);
alter table tutela.skill_assessments enable row level security;

create table tutela.journal_entries (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  entry_date date not null default current_date,
  mood smallint check (mood between 1 and 5),
  energy smallint check (energy between 1 and 5),
  confidence smallint check (confidence between 1 and 5),
  body text check (char_length(body) <= 20000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index journal_entries_student_idx on tutela.journal_entries (student_id, entry_date);
alter table tutela.journal_entries enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Activity and gamification
-- ---------------------------------------------------------------------------------------------
create table tutela.activity_events (
  id bigint generated always as identity primary key,
  student_id uuid not null references tutela.students (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z][a-z0-9_]{0,49}$'),
  occurred_at timestamptz not null default now(),
  minutes integer not null default 0 check (minutes between 0 and 1440),
  reference jsonb
);

create index activity_events_student_idx on tutela.activity_events (student_id, occurred_at desc);
alter table tutela.activity_events enable row level security;

create table tutela.points_ledger (
  id bigint generated always as identity primary key,
  student_id uuid not null references tutela.students (id) on delete cascade,
  points integer not null check (points between -100000 and 100000 and points <> 0),
  reason text not null check (char_length(btrim(reason)) between 1 and 200),
  source_kind text check (char_length(source_kind) <= 50),
  source_id uuid,
  awarded_by uuid default auth.uid() references auth.users (id) on delete set null,
  awarded_at timestamptz not null default now()
);

create index points_ledger_student_idx on tutela.points_ledger (student_id, awarded_at desc);
create index points_ledger_awarded_by_idx on tutela.points_ledger (awarded_by);
alter table tutela.points_ledger enable row level security;

-- >>> 0005_engagement.sql, in the new schemas
-- Engagement and family: achievements, goals, guardians' own mood, relationship-scoped
-- messaging. Functions in rpc/engagement.sql, policies in policies/engagement.sql and
-- policies/registry.toml (docs/achievements.md, docs/messaging.md).

-- ---------------------------------------------------------------------------------------------
-- Achievements: definitions (seeded by seed_achievements()) and awards
-- ---------------------------------------------------------------------------------------------
create table tutela.achievements (
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

alter table tutela.achievements enable row level security;

create table tutela.student_achievements (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  achievement_id uuid not null references tutela.achievements (id) on delete cascade,
  awarded_at timestamptz not null default now(),
  metric_value integer,
  unique (student_id, achievement_id)
);

create index student_achievements_achievement_idx
on tutela.student_achievements (achievement_id);
alter table tutela.student_achievements enable row level security;

-- Students whose achievements must be checked, and from when (filled by triggers, drained
-- by a job). A session in the future queues its participants again for its start.
create table tutela_private.achievement_queue (
  student_id uuid not null references tutela.students (id) on delete cascade,
  due_at timestamptz not null default date_trunc('minute', now()),
  queued_at timestamptz not null default now(),
  primary key (student_id, due_at)
);

create index achievement_queue_due_idx on tutela_private.achievement_queue (due_at);

alter table tutela_private.achievement_queue enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Goals: a student's own, and family goals a guardian sets for a child
-- ---------------------------------------------------------------------------------------------
create table tutela.goals (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
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

create index goals_student_idx on tutela.goals (student_id, status);
create index goals_created_by_idx on tutela.goals (created_by, student_id);
alter table tutela.goals enable row level security;

-- ---------------------------------------------------------------------------------------------
-- A guardian's own daily mood (private to that guardian)
-- ---------------------------------------------------------------------------------------------
create table tutela.guardian_mood_entries (
  id uuid primary key default gen_random_uuid(),
  guardian_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  student_id uuid references tutela.students (id) on delete cascade,
  entry_date date not null default current_date,
  emoji text not null check (char_length(emoji) between 1 and 16),
  energy smallint check (energy between 1 and 5),
  note text check (char_length(note) <= 2000),
  created_at timestamptz not null default now()
);

create index guardian_mood_entries_guardian_idx
on tutela.guardian_mood_entries (guardian_id, entry_date desc);
create index guardian_mood_entries_student_idx on tutela.guardian_mood_entries (student_id);
alter table tutela.guardian_mood_entries enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Messaging between people with a real relationship (start_conversation checks it)
-- ---------------------------------------------------------------------------------------------
create table tutela.conversations (
  id uuid primary key default gen_random_uuid(),
  kind text not null
  check (kind in ('student_staff', 'guardian_staff', 'co_guardians', 'support')),
  organization_id uuid references tutela.organizations (id) on delete cascade,
  student_id uuid references tutela.students (id) on delete cascade,
  title text check (char_length(title) <= 200),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_message_at timestamptz,
  check (kind = 'support' or (organization_id is not null and student_id is not null))
);

create index conversations_organization_idx on tutela.conversations (organization_id);
create index conversations_student_idx on tutela.conversations (student_id);
create index conversations_created_by_idx on tutela.conversations (created_by);
alter table tutela.conversations enable row level security;

create table tutela.conversation_members (
  conversation_id uuid not null references tutela.conversations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('student', 'guardian', 'staff', 'support', 'user')),
  joined_at timestamptz not null default now(),
  last_read_at timestamptz,
  primary key (conversation_id, user_id)
);

create index conversation_members_user_idx
on tutela.conversation_members (user_id, conversation_id);
alter table tutela.conversation_members enable row level security;

create table tutela.messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references tutela.conversations (id) on delete cascade,
  sender_id uuid default auth.uid() references auth.users (id) on delete set null,
  kind text not null default 'text' check (kind in ('text', 'system')),
  body text not null check (char_length(btrim(body)) between 1 and 10000),
  created_at timestamptz not null default now()
);

create index messages_conversation_idx on tutela.messages (conversation_id, created_at);
create index messages_sender_idx on tutela.messages (sender_id);
alter table tutela.messages enable row level security;

-- >>> 0006_dashboards.sql, in the new schemas
-- Plans and subscriptions (tiers and entitlements) for the dashboards. Functions in
-- rpc/dashboards.sql, policies in policies/dashboards.sql, shapes in docs/api.md.

create table tutela.plans (
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

alter table tutela.plans enable row level security;

-- A subscription covers one student, or a guardian's whole family (every child with an active
-- link to that guardian).
create table tutela.subscriptions (
  id uuid primary key default gen_random_uuid(),
  plan_id uuid not null references tutela.plans (id),
  student_id uuid references tutela.students (id) on delete cascade,
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

create index subscriptions_plan_idx on tutela.subscriptions (plan_id);
create index subscriptions_student_idx on tutela.subscriptions (student_id, status);
create index subscriptions_guardian_idx on tutela.subscriptions (guardian_id, status);
alter table tutela.subscriptions enable row level security;

-- Dashboard filters: deadlines and recent grades per course, upcoming lessons and classes.
create index submissions_assignment_student_idx
on tutela.submissions (assignment_id, student_id, status);
create index student_achievements_student_idx
on tutela.student_achievements (student_id, awarded_at desc);

-- Competencies a mission or assignment exercises (the organisation's skills).
create table tutela.assignment_skills (
  assignment_id uuid not null,
  skill_id uuid not null,
  organization_id uuid not null,
  primary key (assignment_id, skill_id),
  foreign key (assignment_id, organization_id)
  references tutela.assignments (id, organization_id) on delete cascade,
  foreign key (skill_id, organization_id)
  references tutela.skills (id, organization_id) on delete cascade
);

create index assignment_skills_assignment_org_idx
on tutela.assignment_skills (assignment_id, organization_id);
create index assignment_skills_skill_org_idx
on tutela.assignment_skills (skill_id, organization_id);
create index assignment_skills_organization_idx on tutela.assignment_skills (organization_id);
alter table tutela.assignment_skills enable row level security;

-- >>> 0007_notifications.sql, in the new schemas
-- Notifications: preferences, alert thresholds, alerts (the in-app feed), the outbox for
-- external channels (email, sms, push) with delivery state, weekly digests and scheduled jobs.
-- Functions in rpc/notifications.sql, policies in policies/notifications.sql,
-- docs/notifications.md.

-- ---------------------------------------------------------------------------------------------
-- Preferences: per user, optionally per child (an override), per type
-- ---------------------------------------------------------------------------------------------
create table tutela.notification_preferences (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  student_id uuid references tutela.students (id) on delete cascade,
  type text not null check (type ~ '^[a-z][a-z_]{2,49}$'),
  channels text[] not null default array['in_app', 'email']
  check (channels <@ array['email', 'sms', 'push', 'in_app']),
  min_severity text not null default 'info' check (min_severity in ('info', 'warning', 'critical')),
  enabled boolean not null default true,
  updated_at timestamptz not null default now()
);

create unique index notification_preferences_key_idx on tutela.notification_preferences (
  user_id, coalesce(student_id, '00000000-0000-0000-0000-000000000000'::uuid), type
);
create index notification_preferences_student_idx on tutela.notification_preferences (student_id);
alter table tutela.notification_preferences enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Alert thresholds per guardian, child and type (a percent for grade types)
-- ---------------------------------------------------------------------------------------------
create table tutela.alert_thresholds (
  id uuid primary key default gen_random_uuid(),
  guardian_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  student_id uuid not null references tutela.students (id) on delete cascade,
  type text not null check (type in (
    'course_grade_low', 'course_grade_high', 'assignment_grade_low', 'assignment_grade_high'
  )),
  percent numeric(5, 2) not null check (percent between 0 and 100),
  updated_at timestamptz not null default now(),
  unique (guardian_id, student_id, type)
);

create index alert_thresholds_student_idx on tutela.alert_thresholds (student_id, type);
alter table tutela.alert_thresholds enable row level security;

-- Each student's average percent per course, to tell when a course average crosses a threshold.
create table tutela_private.course_averages (
  student_id uuid not null references tutela.students (id) on delete cascade,
  course_id uuid not null references tutela.courses (id) on delete cascade,
  average_percent numeric(6, 2) not null,
  graded integer not null,
  updated_at timestamptz not null default now(),
  primary key (student_id, course_id)
);

create index course_averages_course_idx on tutela_private.course_averages (course_id);
alter table tutela_private.course_averages enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Alerts: the in-app feed of a guardian (or any user), per child
-- ---------------------------------------------------------------------------------------------
create table tutela.alerts (
  id uuid primary key default gen_random_uuid(),
  recipient_id uuid not null references auth.users (id) on delete cascade,
  student_id uuid references tutela.students (id) on delete cascade,
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

create index alerts_recipient_idx on tutela.alerts (recipient_id, created_at desc);
create index alerts_unread_idx on tutela.alerts (recipient_id) where read_at is null
and dismissed_at is null;
create index alerts_student_idx on tutela.alerts (student_id);
create index alerts_created_idx on tutela.alerts (created_at);
alter table tutela.alerts enable row level security;

-- ---------------------------------------------------------------------------------------------
-- The outbox: one row per message to send on an external channel
-- ---------------------------------------------------------------------------------------------
alter table tutela_private.notification_outbox
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

update tutela_private.notification_outbox
set
  template = kind,
  idempotency_key = id::text,
  status = case when dispatched_at is not null then 'sent' else 'pending' end,
  sent_at = dispatched_at;

alter table tutela_private.notification_outbox
alter column template set not null,
alter column idempotency_key set not null,
add constraint notification_outbox_idempotency_key unique (idempotency_key);

create index notification_outbox_due_idx on tutela_private.notification_outbox (next_attempt_at)
where status in ('pending', 'sending');

-- ---------------------------------------------------------------------------------------------
-- Weekly digests (one per guardian, child and week) and scheduled jobs
-- ---------------------------------------------------------------------------------------------
create table tutela_private.weekly_digests (
  guardian_id uuid not null references auth.users (id) on delete cascade,
  student_id uuid not null references tutela.students (id) on delete cascade,
  week_start date not null,
  created_at timestamptz not null default now(),
  summary jsonb not null,
  primary key (guardian_id, student_id, week_start)
);

create index weekly_digests_student_idx on tutela_private.weekly_digests (student_id);
alter table tutela_private.weekly_digests enable row level security;

create table tutela_private.jobs (
  name text primary key,
  schedule text not null,
  every interval not null,
  command text not null,
  last_run_at timestamptz,
  last_result text,
  last_error text
);

alter table tutela_private.jobs enable row level security;

-- >>> 0008_privacy.sql, in the new schemas
-- Privacy and family controls: the consent matrix and its audit, data requests (export and
-- erasure), and the organisation switches they need. Functions in rpc/privacy.sql, policies in
-- policies/privacy.sql, docs/privacy.md.

alter table tutela.organizations
add column digital_consent_age smallint not null default 16
check (digital_consent_age between 13 and 21),
add column require_mfa_for_sensitive boolean not null default false;

-- ---------------------------------------------------------------------------------------------
-- Consent: per student, data type and recipient type
-- ---------------------------------------------------------------------------------------------
create table tutela.consent_records (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
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

create index consent_records_decided_by_idx on tutela.consent_records (decided_by);
create index consent_records_expiry_idx on tutela.consent_records (expires_at)
where granted and expires_at is not null;
alter table tutela.consent_records enable row level security;

-- Append-only: every grant, revocation, update and expiry.
create table tutela.consent_audit_log (
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
create index consent_audit_log_student_idx on tutela.consent_audit_log (student_id, occurred_at);
create index consent_audit_log_consent_idx on tutela.consent_audit_log (consent_id);
alter table tutela.consent_audit_log enable row level security;

create trigger consent_audit_log_append_only
before update or delete on tutela.consent_audit_log
for each row execute function tutela_private.forbid_audit_change();

create trigger consent_audit_log_no_truncate
before truncate on tutela.consent_audit_log
for each statement execute function tutela_private.forbid_audit_change();

-- ---------------------------------------------------------------------------------------------
-- Data requests: access (export) and erasure
-- ---------------------------------------------------------------------------------------------
create table tutela.data_requests (
  id uuid primary key default gen_random_uuid(),
  -- kept after an erasure (the student is gone): no foreign key
  student_id uuid not null,
  organization_id uuid references tutela.organizations (id) on delete set null,
  kind text not null check (kind in ('export', 'erasure')),
  requested_by uuid references auth.users (id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'completed', 'rejected')),
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  result jsonb
);

create index data_requests_student_idx on tutela.data_requests (student_id, kind);
create index data_requests_organization_idx on tutela.data_requests (organization_id);
create index data_requests_requested_by_idx on tutela.data_requests (requested_by);
alter table tutela.data_requests enable row level security;

-- >>> 0009_payments.sql, in the new schemas
-- Payments: who pays a subscription, the pause state, the payments themselves and the raw
-- provider callbacks (idempotent on provider and event id). Functions in rpc/payments.sql,
-- policies in policies/payments.sql, the model and the provider mappings in docs/payments.md.

-- ---------------------------------------------------------------------------------------------
-- Subscriptions: the paying user and the pause
-- ---------------------------------------------------------------------------------------------
-- paid_by: the user who pays (a guardian, usually). A family subscription is also paid by its
-- guardian_id when paid_by is empty. paused_at: when the current pause began (null otherwise).
alter table tutela.subscriptions
add column paid_by uuid references auth.users (id) on delete set null,
add column paused_at timestamptz;

alter table tutela.subscriptions drop constraint subscriptions_status_check;
alter table tutela.subscriptions add constraint subscriptions_status_check
check (status in ('trialing', 'active', 'past_due', 'paused', 'cancelled', 'expired'));
alter table tutela.subscriptions add constraint subscriptions_paused_at_check
check ((status = 'paused') = (paused_at is not null));

create index subscriptions_paid_by_idx on tutela.subscriptions (paid_by, status);

-- ---------------------------------------------------------------------------------------------
-- Payments: one row per provider transaction, succeeded or failed (refunded: back office)
-- ---------------------------------------------------------------------------------------------
-- Kept when the subscription, the plan's subscriber or the payer goes (accounting records):
-- the references are set null, the amounts stay.
create table tutela.payments (
  id uuid primary key default gen_random_uuid(),
  subscription_id uuid references tutela.subscriptions (id) on delete set null,
  plan_id uuid references tutela.plans (id) on delete set null,
  payer_id uuid references auth.users (id) on delete set null,
  provider text not null check (provider ~ '^[a-z][a-z0-9_]{1,39}$'),
  provider_event_id text not null check (char_length(provider_event_id) between 1 and 200),
  -- the provider's transaction id: one payment per transaction, whatever the event
  provider_reference text not null check (char_length(provider_reference) between 1 and 100),
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  status text not null check (status in ('succeeded', 'failed', 'refunded')),
  failure_reason text check (char_length(failure_reason) <= 500),
  -- what a payer may see of the account that paid, e.g. '****4567'
  account_hint text check (char_length(account_hint) <= 20),
  paid_at timestamptz not null,
  -- the subscription's access_until after this payment (succeeded payments only)
  covers_until timestamptz,
  raw_payload jsonb not null,
  created_at timestamptz not null default now(),
  unique (provider, provider_reference)
);

create index payments_subscription_idx on tutela.payments (subscription_id, paid_at desc);
create index payments_plan_idx on tutela.payments (plan_id);
create index payments_payer_idx on tutela.payments (payer_id, paid_at desc);
alter table tutela.payments enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Payment events: every provider callback as received, once per (provider, event id)
-- ---------------------------------------------------------------------------------------------
-- status: applied (a payment was recorded), duplicate (the transaction was already recorded
-- by another event: nothing changed), rejected (unknown provider or a payload that cannot be
-- applied: nothing changed, `error` says why).
create table tutela.payment_events (
  id uuid primary key default gen_random_uuid(),
  provider text not null check (char_length(provider) between 1 and 40),
  event_id text not null check (char_length(event_id) between 1 and 200),
  payload jsonb,
  status text not null check (status in ('applied', 'rejected', 'duplicate')),
  error text check (char_length(error) <= 1000),
  subscription_id uuid references tutela.subscriptions (id) on delete set null,
  payment_id uuid references tutela.payments (id) on delete set null,
  received_at timestamptz not null default now(),
  applied_at timestamptz,
  unique (provider, event_id),
  check (status <> 'rejected' or error is not null),
  check ((status = 'applied') = (applied_at is not null))
);

create index payment_events_subscription_idx
on tutela.payment_events (subscription_id, received_at);
create index payment_events_payment_idx on tutela.payment_events (payment_id);
create index payment_events_status_idx on tutela.payment_events (status, received_at)
where status <> 'applied';
alter table tutela.payment_events enable row level security;

-- >>> 0010_reports.sql, in the new schemas
-- 0010: reports
--
-- Reports: an immutable JSON snapshot of a student's data over a period (weekly, monthly, term,
-- transcript), made by tutela.generate_report (rpc/reports.sql). `sections` names the link
-- permissions whose data the snapshot holds; a report is readable only by someone who may
-- read the student for every one of them (policies/reports.sql). Immutability: a trigger in
-- rpc/reports.sql refuses every update (TU403) but the one a foreign key makes when the user
-- who generated a report is deleted (generated_by set to null). docs/reports.md.

create table tutela.reports (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
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

comment on table tutela.reports is
'Immutable report snapshots of one student. Made by generate_report; readable under the '
'permissions of the sections they hold.';

create index reports_student_idx on tutela.reports (student_id, created_at desc);
create index reports_generated_by_idx on tutela.reports (generated_by);
alter table tutela.reports enable row level security;

-- >>> 0011_roster.sql, in the new schemas
-- Roster sync and per-organisation switches.
-- External keys (sis_id) from a school's student information system on students, memberships,
-- guardian links and guardian invites, so a re-import updates in place; a mark on what the
-- roster manages, so a full sync revokes only what it created or claimed; and the switches an
-- organisation sets for family access. Functions live in rpc/roster.sql and
-- rpc/guardianship.sql.

-- ---------------------------------------------------------------------------------------------
-- Per-organisation switches
-- ---------------------------------------------------------------------------------------------
alter table tutela.organizations
add column guardian_invite_policy text not null default 'staff_and_primary_guardians'
check (guardian_invite_policy in ('admins', 'staff', 'staff_and_primary_guardians')),
add column students_may_create_link_codes boolean not null default true,
add column family_access_enabled boolean not null default true;

comment on column tutela.organizations.guardian_invite_policy is
'Who may invite guardians: admins; staff (and admins); or also active primary guardians.';
comment on column tutela.organizations.students_may_create_link_codes is
'Whether students create (and their codes redeem) guardian link codes; staff always may.';
comment on column tutela.organizations.family_access_enabled is
'Off: guardians of this organisation''s students see nothing, at once; their links are kept.';

-- ---------------------------------------------------------------------------------------------
-- External keys and the roster's mark
-- ---------------------------------------------------------------------------------------------
alter table tutela.students
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id));

create unique index students_sis_id_idx on tutela.students (organization_id, sis_id)
where sis_id is not null;
create index students_email_idx on tutela.students (organization_id, lower(email))
where email is not null;

alter table tutela.memberships
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
add column managed_by_roster boolean not null default false;

create unique index memberships_sis_id_idx on tutela.memberships (organization_id, sis_id)
where sis_id is not null;

alter table tutela.guardian_links
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
add column managed_by_roster boolean not null default false;

create unique index guardian_links_sis_id_idx on tutela.guardian_links (student_id, sis_id)
where sis_id is not null;
create index guardian_links_roster_idx on tutela.guardian_links (student_id)
where managed_by_roster;

alter table tutela.guardian_links drop constraint guardian_links_created_via_check;
alter table tutela.guardian_links add constraint guardian_links_created_via_check
check (created_via in ('code', 'invite', 'staff', 'roster'));

alter table tutela.guardian_invites
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
add column managed_by_roster boolean not null default false,
add column make_primary boolean not null default false;

create index guardian_invites_roster_idx on tutela.guardian_invites (student_id)
where managed_by_roster and status = 'pending';

-- >>> 0012_decisions_hold.sql, in the new schemas
-- The first security review (docs/security.md, "Decisions that must hold"):
-- - who revoked a link, by role, so that a revocation survives every path that could bring the
--   link back except a later decision by someone who may make it (rpc/guardianship.sql,
--   tutela_private.undo_revocation), and the student's veto, which only the student lifts;
-- - a lock row per student that every change to the student's guardians updates, so that the
--   guardian cap holds under REPEATABLE READ and SERIALIZABLE as under READ COMMITTED;
-- - the student a link-code attempt was about, for the per-student and global throttles;
-- - membership invites: an existing login joins an organisation only by accepting;
-- - the organisation's choice to trust its roster (off by default).

-- ---------------------------------------------------------------------------------------------
-- Who revoked a link, by role
-- ---------------------------------------------------------------------------------------------
alter table tutela.guardian_links
add column revoked_as text
check (revoked_as in (
  'student', 'guardian', 'primary_guardian', 'staff', 'admin', 'roster', 'service_role',
  'system'
));

comment on column tutela.guardian_links.revoked_as is
'The role that revoked (or declined) the link: decides who may bring it back.';

-- from the audit trail where it has the revocation; else from who revoked
update tutela.guardian_links as l
set
  revoked_as = coalesce(
    (
      select
        case
          when e.action = 'link_declined' then 'student'
          when e.actor_role in (
            'student', 'guardian', 'primary_guardian', 'staff', 'admin', 'roster', 'service_role',
            'system'
          ) then e.actor_role
        end
      from tutela.link_events as e
      where e.link_id = l.id and e.action in ('link_revoked', 'link_declined')
      order by e.occurred_at desc, e.id desc
      limit 1
    ),
    case
      when l.revoked_by = l.guardian_id then 'guardian'
      when l.revoked_by = (select s.user_id from tutela.students as s where s.id = l.student_id)
        then 'student'
      when l.revoked_by is null then 'system'
      else 'staff'
    end
  )
where l.status = 'revoked';

alter table tutela.guardian_links
add constraint guardian_links_revoked_as_when_revoked
check ((status = 'revoked') = (revoked_as is not null));

-- the child's veto: set when the student revokes or declines a link, kept through whatever
-- happens to the link after (a restore, another revocation), cleared only when the student
-- approves it again. While it is set, every path brings the link back as pending.
alter table tutela.guardian_links
add column student_veto boolean not null default false;

comment on column tutela.guardian_links.student_veto is
'The student ended this link; it comes back only with the student''s approval.';

update tutela.guardian_links set student_veto = true
where status = 'revoked' and revoked_as = 'student';

-- ---------------------------------------------------------------------------------------------
-- The guardian lock: one row per student, updated by every change to its guardians
-- ---------------------------------------------------------------------------------------------
create table tutela_private.student_guardian_locks (
  student_id uuid primary key references tutela.students (id) on delete cascade,
  version bigint not null default 0
);

comment on table tutela_private.student_guardian_locks is
'Updated (not just locked) by every change to a student''s guardians: a concurrent change under '
'REPEATABLE READ or SERIALIZABLE then fails with 40001 instead of counting from a stale snapshot.';

alter table tutela_private.student_guardian_locks enable row level security;
revoke all on table tutela_private.student_guardian_locks from public;

insert into tutela_private.student_guardian_locks (student_id)
select distinct l.student_id from tutela.guardian_links as l;

-- ---------------------------------------------------------------------------------------------
-- Link-code attempts: which student's code an attempt hit (null: no such code)
-- ---------------------------------------------------------------------------------------------
alter table tutela_private.link_code_attempts
add column student_id uuid references tutela.students (id) on delete cascade;

create index link_code_attempts_student_idx
on tutela_private.link_code_attempts (student_id, attempted_at desc) where student_id is not null;
create index link_code_attempts_failed_idx
on tutela_private.link_code_attempts (attempted_at desc) where not succeeded;

-- ---------------------------------------------------------------------------------------------
-- Membership invites
-- ---------------------------------------------------------------------------------------------
alter table tutela.organizations
add column member_invite_ttl interval not null default interval '7 days'
check (member_invite_ttl between interval '1 hour' and interval '90 days'),
add column roster_trusted boolean not null default false;

comment on column tutela.organizations.member_invite_ttl is
'How long an invitation to join the organisation as staff or admin stays valid.';
comment on column tutela.organizations.roster_trusted is
'On: a roster import links or adds existing accounts at once (they are told); off (default): '
'they are invited and must accept.';

create table tutela.membership_invites (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references tutela.organizations (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 320),
  role text not null check (role in ('admin', 'staff')),
  title text check (char_length(title) <= 100),
  token_hash bytea not null unique check (octet_length(token_hash) = 32),
  expires_at timestamptz not null,
  invited_by uuid references auth.users (id) on delete set null,
  status text not null default 'pending'
  check (status in ('pending', 'accepted', 'declined', 'withdrawn', 'expired')),
  decided_by uuid references auth.users (id) on delete set null,
  decided_at timestamptz,
  sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
  managed_by_roster boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'pending') = (decided_at is null))
);

comment on table tutela.membership_invites is
'Invitations to join an organisation as staff or admin; a membership exists only once accepted.';

create index membership_invites_organization_idx
on tutela.membership_invites (organization_id, status);
create index membership_invites_email_idx on tutela.membership_invites (lower(email), status);
create index membership_invites_invited_by_idx on tutela.membership_invites (invited_by);
create index membership_invites_decided_by_idx on tutela.membership_invites (decided_by);
create unique index membership_invites_one_pending_idx
on tutela.membership_invites (organization_id, lower(email)) where status = 'pending';
alter table tutela.membership_invites enable row level security;

-- >>> 0013_notify_at_send.sql, in the new schemas
-- Notifications re-checked at the moment of use (issue 22, findings 3 and 4).
-- An outbox message that may no longer be sent (its recipient may not read what it carries any
-- more: link revoked, permission withdrawn, family access off, consent missing; an invite
-- withdrawn, expired or used) ends 'cancelled', with the reason and the time, and keeps no
-- secret. Functions and the trigger that cancel are in rpc/notifications.sql;
-- docs/notifications.md.

alter table tutela_private.notification_outbox
drop constraint notification_outbox_status_check,
add constraint notification_outbox_status_check
check (status in ('pending', 'sending', 'sent', 'dead', 'cancelled')),
add column cancelled_at timestamptz,
add column cancel_reason text check (char_length(cancel_reason) <= 200),
add constraint notification_outbox_cancelled_check
check ((status = 'cancelled') = (cancelled_at is not null and cancel_reason is not null));

-- a revoke or a permission change cancels what is queued for that guardian and child
create index notification_outbox_queued_idx
on tutela_private.notification_outbox (recipient_user_id, student_id)
where status in ('pending', 'sending');

-- an in-app weekly digest keeps only what its permission (progress) shows: the grades and the
-- attendance of the week go by email only, checked again when it is sent
update tutela.alerts
set data = data - 'grades' - 'attendance'
where type = 'weekly_digest' and (data ? 'grades' or data ? 'attendance');

-- >>> 0014_rights_at_use.sql, in the new schemas
-- Rights re-checked at the moment of use (issue 25): an erasure request records on what basis
-- its requester asked and can be cancelled (with the reason) when that right is lost before it
-- is carried out; erased logins are remembered until Supabase Auth deletes them, so that they
-- can no longer act; payment callbacks get a size limit. Functions and triggers in
-- rpc/privacy.sql, rpc/profiles.sql and rpc/payments.sql; docs/privacy.md, docs/payments.md.

-- ---------------------------------------------------------------------------------------------
-- Erasure requests: the requester's basis, and cancellation
-- ---------------------------------------------------------------------------------------------
alter table tutela.data_requests drop constraint data_requests_status_check;
alter table tutela.data_requests add constraint data_requests_status_check
check (status in ('pending', 'completed', 'rejected', 'cancelled'));

-- requester_basis: the right the requester held when asking ('student', 'admin',
-- 'primary_guardian'); cancelled_at / cancel_reason: when and why a pending request was
-- cancelled (e.g. 'requester_lost_right: link_revoked').
alter table tutela.data_requests
add column requester_basis text
check (requester_basis in ('student', 'admin', 'primary_guardian')),
add column cancelled_at timestamptz,
add column cancel_reason text check (char_length(cancel_reason) <= 200),
add constraint data_requests_cancelled_check
check ((status = 'cancelled') = (cancelled_at is not null and cancel_reason is not null));

create index data_requests_pending_idx on tutela.data_requests (organization_id, kind)
where status = 'pending';

-- ---------------------------------------------------------------------------------------------
-- Erased logins: an erased student's login may no longer act in Tutela; the row goes with the
-- login when Supabase Auth deletes it.
-- ---------------------------------------------------------------------------------------------
create table tutela_private.erased_users (
  user_id uuid primary key references auth.users (id) on delete cascade,
  erased_at timestamptz not null default now(),
  request_id uuid not null
);

alter table tutela_private.erased_users enable row level security;
revoke all on table tutela_private.erased_users from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Payment callbacks: a stored payload is at most 64 KiB of JSON text (record_payment_event and
-- record_payment_callback record a larger one as rejected without its payload,
-- docs/payments.md). Rows stored before keep their size (not valid: checked for new rows only).
-- ---------------------------------------------------------------------------------------------
alter table tutela.payment_events
add constraint payment_events_payload_size_check
check (payload is null or octet_length(payload::text) <= 65536) not valid;
alter table tutela.payments
add constraint payments_raw_payload_size_check
check (octet_length(raw_payload::text) <= 65536) not valid;

-- >>> 0015_delivery.sql, in the new schemas
-- Delivery that survives outages (issue 27). The outbox keeps, per message: the number of the
-- claim that holds it (claims: a claim's identity, distinct from attempts), the lease its
-- claimer took (lease_seconds: the row's own, set at claim; another claimer waits for exactly
-- that long), how many times an outage deferred it without counting an attempt (deferrals),
-- and the time limit after which an undelivered message ends dead (deliver_until; null for
-- invites: an invite's email stays deliverable until the invite itself expires). A message's
-- own temporary failures end it only after max_attempts, now 10 by default (about 14 hours
-- of backoff). Functions in rpc/notifications.sql; docs/notifications.md.

alter table tutela_private.notification_outbox
add column claims integer not null default 0 check (claims >= 0),
add column lease_seconds integer not null default 300
check (lease_seconds between 10 and 86400),
add column deferrals integer not null default 0 check (deferrals >= 0),
add column deliver_until timestamptz,
alter column max_attempts set default 10;

-- a message in flight keeps its claim number (the dispatcher passed attempts as the claim)
update tutela_private.notification_outbox set claims = attempts;

-- (messages already queued keep the max_attempts they were queued with: an upgrade changes no
-- row's values, and outages no longer use up attempts anyway)

-- the messages of one invite (a resend cancels what is queued; the roster asks whether the
-- invite's email is dead)
create index notification_outbox_invite_idx
on tutela_private.notification_outbox ((payload ->> 'invite_id'), status)
where kind in ('guardian_invite', 'student_invite', 'member_invite');

-- the operator's view (tutela outbox list): what is stuck, by status and age
create index notification_outbox_status_idx on tutela_private.notification_outbox (
  status, created_at
)
where status in ('pending', 'sending', 'dead');
