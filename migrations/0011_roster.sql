-- tutela:created 20261122030000
-- Roster sync and per-organisation switches.
-- External keys (sis_id) from a school's student information system on students, memberships,
-- guardian links and guardian invites, so a re-import updates in place; a mark on what the
-- roster manages, so a full sync revokes only what it created or claimed; and the switches an
-- organisation sets for family access. Functions live in rpc/roster.sql and
-- rpc/guardianship.sql.

-- ---------------------------------------------------------------------------------------------
-- Per-organisation switches
-- ---------------------------------------------------------------------------------------------
alter table public.organizations
add column guardian_invite_policy text not null default 'staff_and_primary_guardians'
check (guardian_invite_policy in ('admins', 'staff', 'staff_and_primary_guardians')),
add column students_may_create_link_codes boolean not null default true,
add column family_access_enabled boolean not null default true;

comment on column public.organizations.guardian_invite_policy is
'Who may invite guardians: admins; staff (and admins); or also active primary guardians.';
comment on column public.organizations.students_may_create_link_codes is
'Whether students create (and their codes redeem) guardian link codes; staff always may.';
comment on column public.organizations.family_access_enabled is
'Off: guardians of this organisation''s students see nothing, at once; their links are kept.';

-- ---------------------------------------------------------------------------------------------
-- External keys and the roster's mark
-- ---------------------------------------------------------------------------------------------
alter table public.students
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id));

create unique index students_sis_id_idx on public.students (organization_id, sis_id)
where sis_id is not null;
create index students_email_idx on public.students (organization_id, lower(email))
where email is not null;

alter table public.memberships
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
add column managed_by_roster boolean not null default false;

create unique index memberships_sis_id_idx on public.memberships (organization_id, sis_id)
where sis_id is not null;

alter table public.guardian_links
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
add column managed_by_roster boolean not null default false;

create unique index guardian_links_sis_id_idx on public.guardian_links (student_id, sis_id)
where sis_id is not null;
create index guardian_links_roster_idx on public.guardian_links (student_id)
where managed_by_roster;

alter table public.guardian_links drop constraint guardian_links_created_via_check;
alter table public.guardian_links add constraint guardian_links_created_via_check
check (created_via in ('code', 'invite', 'staff', 'roster'));

alter table public.guardian_invites
add column sis_id text check (char_length(sis_id) between 1 and 100 and sis_id = btrim(sis_id)),
add column managed_by_roster boolean not null default false,
add column make_primary boolean not null default false;

create index guardian_invites_roster_idx on public.guardian_invites (student_id)
where managed_by_roster and status = 'pending';
