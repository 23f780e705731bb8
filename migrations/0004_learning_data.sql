-- tutela:created 20261122004000
-- Learning data: the student-data model shared by flashcard apps, LMSs, coaching academies
-- and home schools (docs/data-model.md maps each product's concepts to these tables).
-- Policies and grants are rendered from policies/registry.toml into policies/learning.sql;
-- functions and triggers live in rpc/learning.sql.
--
-- Organisation consistency is declarative: a student-data row that points at a catalog row
-- (a course, an assignment, a session ...) carries organization_id, and composite foreign keys
-- tie (student_id, organization_id) and (catalog id, organization_id) to their parents.

alter table public.students add constraint students_id_org_key unique (id, organization_id);

-- ---------------------------------------------------------------------------------------------
-- Catalog of an organisation: courses, modules, assignments, live classes, skills, drills,
-- coaching sessions
-- ---------------------------------------------------------------------------------------------
create table public.courses (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
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

create index courses_organization_idx on public.courses (organization_id);
create index courses_created_by_idx on public.courses (created_by);
alter table public.courses enable row level security;

create table public.course_modules (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  course_id uuid not null,
  position integer not null default 1 check (position >= 0),
  title text not null check (char_length(btrim(title)) between 1 and 200),
  content_url text check (char_length(content_url) <= 2000),
  created_at timestamptz not null default now(),
  unique (id, organization_id),
  foreign key (course_id, organization_id)
  references public.courses (id, organization_id) on delete cascade
);

create index course_modules_course_idx on public.course_modules (course_id, organization_id);
create index course_modules_organization_idx on public.course_modules (organization_id);
alter table public.course_modules enable row level security;

create table public.assignments (
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
  references public.courses (id, organization_id) on delete cascade,
  foreign key (module_id, organization_id)
  references public.course_modules (id, organization_id) on delete set null (module_id)
);

create index assignments_course_idx on public.assignments (course_id, organization_id, due_at);
create index assignments_module_idx on public.assignments (module_id, organization_id);
create index assignments_organization_idx on public.assignments (organization_id);
create index assignments_created_by_idx on public.assignments (created_by);
alter table public.assignments enable row level security;

create table public.live_classes (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
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
  references public.courses (id, organization_id) on delete set null (course_id)
);

create index live_classes_organization_idx on public.live_classes (organization_id, starts_at);
create index live_classes_course_idx on public.live_classes (course_id, organization_id);
create index live_classes_host_idx on public.live_classes (host_id);
alter table public.live_classes enable row level security;

create table public.skills (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  category text not null check (char_length(btrim(category)) between 1 and 100),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  description text check (char_length(description) <= 2000),
  max_level smallint not null default 5 check (max_level between 1 and 10),
  position integer not null default 0,
  unique (id, organization_id),
  unique (organization_id, category, name)
);

alter table public.skills enable row level security;

create table public.drills (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  skill_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  instructions text check (char_length(instructions) <= 5000),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (id, organization_id),
  foreign key (skill_id, organization_id)
  references public.skills (id, organization_id) on delete set null (skill_id)
);

create index drills_organization_idx on public.drills (organization_id);
create index drills_skill_idx on public.drills (skill_id, organization_id);
create index drills_created_by_idx on public.drills (created_by);
alter table public.drills enable row level security;

create table public.coaching_sessions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
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
on public.coaching_sessions (organization_id, starts_at);
create index coaching_sessions_coach_idx on public.coaching_sessions (coach_id);
alter table public.coaching_sessions enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Flashcards and review history
-- ---------------------------------------------------------------------------------------------
create table public.flashcards (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
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

create index flashcards_student_due_idx on public.flashcards (student_id, due_at);
create index flashcards_student_subject_idx
on public.flashcards (student_id, subject, topic, leitner_box);
alter table public.flashcards enable row level security;

create table public.card_reviews (
  id bigint generated always as identity primary key,
  student_id uuid not null,
  flashcard_id uuid not null,
  reviewed_at timestamptz not null default now(),
  correct boolean not null,
  quality smallint check (quality between 0 and 5),
  duration_ms integer check (duration_ms between 0 and 3600000),
  xp integer not null default 0 check (xp between 0 and 100),
  foreign key (flashcard_id, student_id)
  references public.flashcards (id, student_id) on delete cascade
);

create index card_reviews_student_idx on public.card_reviews (student_id, reviewed_at desc);
create index card_reviews_flashcard_idx on public.card_reviews (flashcard_id, student_id);
alter table public.card_reviews enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Stats kept current by triggers (rpc/learning.sql)
-- ---------------------------------------------------------------------------------------------
create table public.student_stats (
  student_id uuid primary key references public.students (id) on delete cascade,
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

alter table public.student_stats enable row level security;

create table public.daily_study_stats (
  student_id uuid not null references public.students (id) on delete cascade,
  day date not null,
  reviews integer not null default 0 check (reviews >= 0),
  correct integer not null default 0 check (correct >= 0 and correct <= reviews),
  xp integer not null default 0 check (xp >= 0),
  minutes integer not null default 0 check (minutes >= 0),
  activities integer not null default 0 check (activities >= 0),
  primary key (student_id, day)
);

alter table public.daily_study_stats enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Courses: enrollments, submissions, live classes, certificates
-- ---------------------------------------------------------------------------------------------
create table public.enrollments (
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
  references public.students (id, organization_id) on delete cascade,
  foreign key (course_id, organization_id)
  references public.courses (id, organization_id) on delete cascade
);

create index enrollments_student_org_idx on public.enrollments (student_id, organization_id);
create index enrollments_course_idx on public.enrollments (course_id, organization_id);
alter table public.enrollments enable row level security;

create table public.submissions (
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
  references public.students (id, organization_id) on delete cascade,
  foreign key (assignment_id, organization_id)
  references public.assignments (id, organization_id) on delete cascade
);

create index submissions_student_org_idx
on public.submissions (student_id, organization_id, graded_at desc);
create index submissions_assignment_idx on public.submissions (assignment_id, organization_id);
create index submissions_graded_by_idx on public.submissions (graded_by);
alter table public.submissions enable row level security;

create table public.live_class_attendance (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  live_class_id uuid not null,
  status text not null default 'registered' check (status in ('registered', 'attended', 'missed')),
  joined_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (student_id, live_class_id),
  foreign key (student_id, organization_id)
  references public.students (id, organization_id) on delete cascade,
  foreign key (live_class_id, organization_id)
  references public.live_classes (id, organization_id) on delete cascade
);

create index live_class_attendance_student_org_idx
on public.live_class_attendance (student_id, organization_id);
create index live_class_attendance_class_idx
on public.live_class_attendance (live_class_id, organization_id);
alter table public.live_class_attendance enable row level security;

create table public.certificates (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  organization_id uuid not null,
  course_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  issued_at timestamptz not null default now(),
  pdf_url text check (char_length(pdf_url) <= 2000),
  verification_code text not null unique default encode(extensions.gen_random_bytes(9), 'hex'),
  foreign key (student_id, organization_id)
  references public.students (id, organization_id) on delete cascade,
  foreign key (course_id, organization_id)
  references public.courses (id, organization_id) on delete set null (course_id)
);

create index certificates_student_org_idx on public.certificates (student_id, organization_id);
create index certificates_course_idx on public.certificates (course_id, organization_id);
alter table public.certificates enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Coaching: lessons, session participants and scores, drills, skills, journal
-- ---------------------------------------------------------------------------------------------
create table public.lessons (
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
  references public.students (id, organization_id) on delete cascade
);

create index lessons_student_org_idx on public.lessons (student_id, organization_id, scheduled_at);
create index lessons_coach_idx on public.lessons (coach_id);
alter table public.lessons enable row level security;

create table public.session_students (
  session_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null,
  attendance text not null default 'present' check (attendance in ('present', 'absent', 'excused')),
  primary key (session_id, student_id),
  foreign key (session_id, organization_id)
  references public.coaching_sessions (id, organization_id) on delete cascade,
  foreign key (student_id, organization_id)
  references public.students (id, organization_id) on delete cascade
);

create index session_students_student_org_idx
on public.session_students (student_id, organization_id);
create index session_students_session_org_idx
on public.session_students (session_id, organization_id);
alter table public.session_students enable row level security;

create table public.session_scores (
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
  references public.session_students (session_id, student_id) on delete cascade,
  foreign key (student_id, organization_id)
  references public.students (id, organization_id) on delete cascade
);

create index session_scores_student_org_idx
on public.session_scores (student_id, organization_id, created_at);
alter table public.session_scores enable row level security;

create table public.drill_assignments (
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
  references public.drills (id, organization_id) on delete cascade,
  foreign key (student_id, organization_id)
  references public.students (id, organization_id) on delete cascade
);

create index drill_assignments_student_org_idx
on public.drill_assignments (student_id, organization_id, due_at);
create index drill_assignments_drill_idx on public.drill_assignments (drill_id, organization_id);
create index drill_assignments_assigned_by_idx on public.drill_assignments (assigned_by);
alter table public.drill_assignments enable row level security;

create table public.skill_assessments (
  id uuid primary key default gen_random_uuid(),
  skill_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null,
  level smallint not null check (level between 0 and 10),
  assessed_at timestamptz not null default now(),
  assessed_by uuid default auth.uid() references auth.users (id) on delete set null,
  notes text check (char_length(notes) <= 2000),
  foreign key (skill_id, organization_id)
  references public.skills (id, organization_id) on delete cascade,
  foreign key (student_id, organization_id)
  references public.students (id, organization_id) on delete cascade
);

create index skill_assessments_student_org_idx
on public.skill_assessments (student_id, organization_id, assessed_at);
create index skill_assessments_skill_idx on public.skill_assessments (skill_id, organization_id);
create index skill_assessments_assessed_by_idx on public.skill_assessments (assessed_by);
alter table public.skill_assessments enable row level security;

create table public.journal_entries (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.students (id) on delete cascade,
  entry_date date not null default current_date,
  mood smallint check (mood between 1 and 5),
  energy smallint check (energy between 1 and 5),
  confidence smallint check (confidence between 1 and 5),
  body text check (char_length(body) <= 20000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index journal_entries_student_idx on public.journal_entries (student_id, entry_date);
alter table public.journal_entries enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Activity and gamification
-- ---------------------------------------------------------------------------------------------
create table public.activity_events (
  id bigint generated always as identity primary key,
  student_id uuid not null references public.students (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z][a-z0-9_]{0,49}$'),
  occurred_at timestamptz not null default now(),
  minutes integer not null default 0 check (minutes between 0 and 1440),
  reference jsonb
);

create index activity_events_student_idx on public.activity_events (student_id, occurred_at desc);
alter table public.activity_events enable row level security;

create table public.points_ledger (
  id bigint generated always as identity primary key,
  student_id uuid not null references public.students (id) on delete cascade,
  points integer not null check (points between -100000 and 100000 and points <> 0),
  reason text not null check (char_length(btrim(reason)) between 1 and 200),
  source_kind text check (char_length(source_kind) <= 50),
  source_id uuid,
  awarded_by uuid default auth.uid() references auth.users (id) on delete set null,
  awarded_at timestamptz not null default now()
);

create index points_ledger_student_idx on public.points_ledger (student_id, awarded_at desc);
create index points_ledger_awarded_by_idx on public.points_ledger (awarded_by);
alter table public.points_ledger enable row level security;
