-- tutela:created 20261207170000
-- The first security review (docs/security.md, "Decisions that must hold"):
-- - who revoked a link, by role, so that a revocation survives every path that could bring the
--   link back except a later decision by someone who may make it (rpc/guardianship.sql,
--   private.undo_revocation), and the student's veto, which only the student lifts;
-- - a lock row per student that every change to the student's guardians updates, so that the
--   guardian cap holds under REPEATABLE READ and SERIALIZABLE as under READ COMMITTED;
-- - the student a link-code attempt was about, for the per-student and global throttles;
-- - membership invites: an existing login joins an organisation only by accepting;
-- - the organisation's choice to trust its roster (off by default).

-- ---------------------------------------------------------------------------------------------
-- Who revoked a link, by role
-- ---------------------------------------------------------------------------------------------
alter table public.guardian_links
add column revoked_as text
check (revoked_as in (
  'student', 'guardian', 'primary_guardian', 'staff', 'admin', 'roster', 'service_role',
  'system'
));

comment on column public.guardian_links.revoked_as is
'The role that revoked (or declined) the link: decides who may bring it back.';

-- from the audit trail where it has the revocation; else from who revoked
update public.guardian_links as l
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
      from public.link_events as e
      where e.link_id = l.id and e.action in ('link_revoked', 'link_declined')
      order by e.occurred_at desc, e.id desc
      limit 1
    ),
    case
      when l.revoked_by = l.guardian_id then 'guardian'
      when l.revoked_by = (select s.user_id from public.students as s where s.id = l.student_id)
        then 'student'
      when l.revoked_by is null then 'system'
      else 'staff'
    end
  )
where l.status = 'revoked';

alter table public.guardian_links
add constraint guardian_links_revoked_as_when_revoked
check ((status = 'revoked') = (revoked_as is not null));

-- the child's veto: set when the student revokes or declines a link, kept through whatever
-- happens to the link after (a restore, another revocation), cleared only when the student
-- approves it again. While it is set, every path brings the link back as pending.
alter table public.guardian_links
add column student_veto boolean not null default false;

comment on column public.guardian_links.student_veto is
'The student ended this link; it comes back only with the student''s approval.';

update public.guardian_links set student_veto = true
where status = 'revoked' and revoked_as = 'student';

-- ---------------------------------------------------------------------------------------------
-- The guardian lock: one row per student, updated by every change to its guardians
-- ---------------------------------------------------------------------------------------------
create table private.student_guardian_locks (
  student_id uuid primary key references public.students (id) on delete cascade,
  version bigint not null default 0
);

comment on table private.student_guardian_locks is
'Updated (not just locked) by every change to a student''s guardians: a concurrent change under '
'REPEATABLE READ or SERIALIZABLE then fails with 40001 instead of counting from a stale snapshot.';

alter table private.student_guardian_locks enable row level security;
revoke all on table private.student_guardian_locks from public;

insert into private.student_guardian_locks (student_id)
select distinct l.student_id from public.guardian_links as l;

-- ---------------------------------------------------------------------------------------------
-- Link-code attempts: which student's code an attempt hit (null: no such code)
-- ---------------------------------------------------------------------------------------------
alter table private.link_code_attempts
add column student_id uuid references public.students (id) on delete cascade;

create index link_code_attempts_student_idx
on private.link_code_attempts (student_id, attempted_at desc) where student_id is not null;
create index link_code_attempts_failed_idx
on private.link_code_attempts (attempted_at desc) where not succeeded;

-- ---------------------------------------------------------------------------------------------
-- Membership invites
-- ---------------------------------------------------------------------------------------------
alter table public.organizations
add column member_invite_ttl interval not null default interval '7 days'
check (member_invite_ttl between interval '1 hour' and interval '90 days'),
add column roster_trusted boolean not null default false;

comment on column public.organizations.member_invite_ttl is
'How long an invitation to join the organisation as staff or admin stays valid.';
comment on column public.organizations.roster_trusted is
'On: a roster import links or adds existing accounts at once (they are told); off (default): '
'they are invited and must accept.';

create table public.membership_invites (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
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

comment on table public.membership_invites is
'Invitations to join an organisation as staff or admin; a membership exists only once accepted.';

create index membership_invites_organization_idx
on public.membership_invites (organization_id, status);
create index membership_invites_email_idx on public.membership_invites (lower(email), status);
create index membership_invites_invited_by_idx on public.membership_invites (invited_by);
create index membership_invites_decided_by_idx on public.membership_invites (decided_by);
create unique index membership_invites_one_pending_idx
on public.membership_invites (organization_id, lower(email)) where status = 'pending';
alter table public.membership_invites enable row level security;
