-- Guardianship: read policies and grants. Every change goes through the functions in
-- rpc/guardianship.sql, so no API role has insert, update or delete on these tables.

grant usage on schema private to authenticated, service_role;

-- Policy helpers: callable by the roles whose queries the policies filter.
grant execute on function private.staff_organization_ids() to authenticated;
grant execute on function private.admin_organization_ids() to authenticated;
grant execute on function private.own_student_ids() to authenticated;
grant execute on function private.staff_student_ids() to authenticated;
grant execute on function private.guardian_student_ids(text) to authenticated;
grant execute on function private.my_link_student_ids() to authenticated;
grant execute on function private.readable_student_ids(text) to authenticated;
grant execute on function private.visible_profile_ids() to authenticated;
grant execute on function private.visible_organization_ids() to authenticated;
-- Column defaults and checks of guardian_links and guardian_invites call these.
grant execute on function private.default_link_permissions() to authenticated, service_role;
grant execute on function private.valid_link_permissions(jsonb) to authenticated, service_role;
grant execute on function private.link_permission_keys() to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- organizations: members, students of it, and guardians of its students read it
-- ---------------------------------------------------------------------------------------------
revoke all on table public.organizations from anon, authenticated;
grant select on table public.organizations to authenticated;

drop policy if exists organizations_select on public.organizations;
create policy organizations_select on public.organizations
for select to authenticated
using (id in (select private.visible_organization_ids()));

-- ---------------------------------------------------------------------------------------------
-- memberships: a member sees the members of their organisations
-- ---------------------------------------------------------------------------------------------
revoke all on table public.memberships from anon, authenticated;
grant select on table public.memberships to authenticated;

drop policy if exists memberships_select on public.memberships;
create policy memberships_select on public.memberships
for select to authenticated
using (organization_id in (select private.staff_organization_ids()));

-- ---------------------------------------------------------------------------------------------
-- membership_invites: admins of the organisation, and the invitee (by email); never the hash.
-- Nobody's profile becomes visible through an invite: only a membership (accepted) does.
-- ---------------------------------------------------------------------------------------------
revoke all on table public.membership_invites from anon, authenticated;
grant select (
  id, organization_id, email, role, title, expires_at, invited_by, status, decided_by,
  decided_at, sis_id, managed_by_roster, created_at, updated_at
) on table public.membership_invites to authenticated;

revoke select on table public.membership_invites from service_role;
grant select (
  id, organization_id, email, role, title, expires_at, invited_by, status, decided_by,
  decided_at, sis_id, managed_by_roster, created_at, updated_at
) on table public.membership_invites to service_role;

drop policy if exists membership_invites_select on public.membership_invites;
create policy membership_invites_select on public.membership_invites
for select to authenticated
using (
  organization_id in (select private.admin_organization_ids())
  or lower(email) = lower((select auth.email()))
);

-- ---------------------------------------------------------------------------------------------
-- students: the student, staff of the organisation, and active guardians
-- ---------------------------------------------------------------------------------------------
revoke all on table public.students from anon, authenticated;
grant select on table public.students to authenticated;

drop policy if exists students_select on public.students;
create policy students_select on public.students
for select to authenticated
using (id in (select private.readable_student_ids()));

-- ---------------------------------------------------------------------------------------------
-- guardian_links: the student, the guardian (their own links, while the organisation has family
-- access on), staff of the organisation
-- ---------------------------------------------------------------------------------------------
revoke all on table public.guardian_links from anon, authenticated;
grant select on table public.guardian_links to authenticated;

drop policy if exists guardian_links_select on public.guardian_links;
create policy guardian_links_select on public.guardian_links
for select to authenticated
using (
  (guardian_id = (select auth.uid()) and student_id in (select private.my_link_student_ids()))
  or student_id in (select private.own_student_ids())
  or student_id in (select private.staff_student_ids())
);

-- ---------------------------------------------------------------------------------------------
-- guardian_invites: staff, the student, the inviter, and the invitee (by email); never the hash
-- ---------------------------------------------------------------------------------------------
revoke all on table public.guardian_invites from anon, authenticated;
grant select (
  id, student_id, email, name, relation, permissions, expires_at, invited_by, status,
  accepted_by, accepted_at, created_at, updated_at, sis_id, managed_by_roster, make_primary
) on table public.guardian_invites to authenticated;

-- the service role (back office, dispatcher, jobs) reads invites without the hash as well:
-- no table an API role reads holds a token or its hash (tests/py/test_secrets.py)
revoke select on table public.guardian_invites from service_role;
grant select (
  id, student_id, email, name, relation, permissions, expires_at, invited_by, status,
  accepted_by, accepted_at, created_at, updated_at
) on table public.guardian_invites to service_role;

drop policy if exists guardian_invites_select on public.guardian_invites;
create policy guardian_invites_select on public.guardian_invites
for select to authenticated
using (
  (invited_by = (select auth.uid()) and student_id in (select private.guardian_student_ids()))
  or lower(email) = lower((select auth.email()))
  or student_id in (select private.own_student_ids())
  or student_id in (select private.staff_student_ids())
);

-- ---------------------------------------------------------------------------------------------
-- student_invites: staff, and the invitee (by email); never the hash
-- ---------------------------------------------------------------------------------------------
revoke all on table public.student_invites from anon, authenticated;
grant select (
  id, student_id, email, expires_at, invited_by, status, accepted_by, accepted_at, created_at,
  updated_at
) on table public.student_invites to authenticated;

revoke select on table public.student_invites from service_role;
grant select (
  id, student_id, email, expires_at, invited_by, status, accepted_by, accepted_at, created_at,
  updated_at
) on table public.student_invites to service_role;

drop policy if exists student_invites_select on public.student_invites;
create policy student_invites_select on public.student_invites
for select to authenticated
using (
  lower(email) = lower((select auth.email()))
  or student_id in (select private.staff_student_ids())
);

-- ---------------------------------------------------------------------------------------------
-- link_events: staff of the organisation, the student, the guardian of the link. Append-only:
-- nobody updates or deletes (grants here, a trigger for everyone else).
-- ---------------------------------------------------------------------------------------------
revoke all on table public.link_events from anon, authenticated, service_role;
-- the client address and user agent of an action are for the service role (support, audits)
grant select (
  id, occurred_at, actor_id, actor_role, action, organization_id, student_id, link_id, code_id,
  invite_id, subject_user_id, old_values, new_values
) on table public.link_events to authenticated;
grant select, insert on table public.link_events to service_role;

drop policy if exists link_events_select on public.link_events;
create policy link_events_select on public.link_events
for select to authenticated
using (
  (
    organization_id in (select private.staff_organization_ids())
    -- membership invitations (who was invited, by address) are for admins, as the invites are
    and (action not like 'member\_invite\_%' or organization_id in (
      select private.admin_organization_ids()
    ))
  )
  or student_id in (select private.own_student_ids())
  or (
    subject_user_id = (select auth.uid())
    -- family access off: a guardian's own link history is hidden with everything else
    and (student_id is null or student_id not in (
      select s.id from public.students as s
      inner join public.organizations as o on s.organization_id = o.id
      where not o.family_access_enabled
    ))
  )
);

-- ---------------------------------------------------------------------------------------------
-- private tables: no API access at all (functions only)
-- ---------------------------------------------------------------------------------------------
revoke all on table private.guardian_link_codes from public, anon, authenticated, service_role;
revoke all on table private.link_code_attempts from public, anon, authenticated, service_role;
revoke all on table private.student_guardian_locks
from public, anon, authenticated, service_role;
revoke all on table private.notification_outbox from public, anon, authenticated, service_role;
