-- Guardianship: read policies and grants. Every change goes through the functions in
-- rpc/guardianship.sql, so no API role has insert, update or delete on these tables.

-- The API schema is usable by the three API roles (what each may do is granted per object);
-- tutela_hidden by the roles whose queries call its helpers; tutela_private by none. Each
-- schema's privileges are stated whole (revoke, then grant), like every object's below: nothing
-- depends on the database's default privileges.
revoke all on schema tutela from public, anon, authenticated, service_role;
grant usage on schema tutela to anon, authenticated, service_role;
revoke all on schema tutela_hidden from public, anon, authenticated, service_role;
grant usage on schema tutela_hidden to authenticated, service_role;
revoke all on schema tutela_private from public, anon, authenticated, service_role;

-- Column defaults and checks of guardian_links and guardian_invites call these (defined by
-- the baseline migration; their privileges are stated here).
revoke all on function tutela_hidden.default_link_permissions()
from public, anon, authenticated, service_role;
revoke all on function tutela_hidden.valid_link_permissions(jsonb)
from public, anon, authenticated, service_role;
revoke all on function tutela_hidden.link_permission_keys()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.default_link_permissions() to authenticated, service_role;
grant execute on function tutela_hidden.valid_link_permissions(jsonb)
to authenticated, service_role;
grant execute on function tutela_hidden.link_permission_keys() to authenticated, service_role;

-- The functions a migration (0003, now the baseline) defined without a search_path: pinned here,
-- so that no caller's search_path can change what their bodies resolve (splinter's
-- function_search_path_mutable).
alter function tutela_hidden.link_permission_keys() set search_path = '';
alter function tutela_hidden.default_link_permissions() set search_path = '';
alter function tutela_hidden.valid_link_permissions(jsonb) set search_path = '';
alter function tutela_private.forbid_audit_change() set search_path = '';
-- a trigger function: nobody calls it
revoke all on function tutela_private.forbid_audit_change()
from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- organizations: members, students of it, and guardians of its students read it
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.organizations from public, anon, authenticated, service_role;
grant all on table tutela.organizations to service_role;
grant select on table tutela.organizations to authenticated;

drop policy if exists organizations_select on tutela.organizations;
create policy organizations_select on tutela.organizations
for select to authenticated
using (id in (select tutela_hidden.visible_organization_ids()));

-- ---------------------------------------------------------------------------------------------
-- memberships: a member sees the members of their organisations
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.memberships from public, anon, authenticated, service_role;
grant all on table tutela.memberships to service_role;
grant select on table tutela.memberships to authenticated;

drop policy if exists memberships_select on tutela.memberships;
create policy memberships_select on tutela.memberships
for select to authenticated
using (organization_id in (select tutela_hidden.staff_organization_ids()));

-- ---------------------------------------------------------------------------------------------
-- membership_invites: admins of the organisation, and the invitee (by email); never the hash.
-- Nobody's profile becomes visible through an invite: only a membership (accepted) does.
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.membership_invites from public, anon, authenticated, service_role;
grant all on table tutela.membership_invites to service_role;
grant select (
  id, organization_id, email, role, title, expires_at, invited_by, status, decided_by,
  decided_at, sis_id, managed_by_roster, created_at, updated_at
) on table tutela.membership_invites to authenticated;

revoke select on table tutela.membership_invites from service_role;
grant select (
  id, organization_id, email, role, title, expires_at, invited_by, status, decided_by,
  decided_at, sis_id, managed_by_roster, created_at, updated_at
) on table tutela.membership_invites to service_role;

drop policy if exists membership_invites_select on tutela.membership_invites;
create policy membership_invites_select on tutela.membership_invites
for select to authenticated
using (
  organization_id in (select tutela_hidden.admin_organization_ids())
  or lower(email) = lower((select auth.email()))
);

-- ---------------------------------------------------------------------------------------------
-- students: the student, staff of the organisation, and active guardians
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.students from public, anon, authenticated, service_role;
grant all on table tutela.students to service_role;
grant select on table tutela.students to authenticated;

drop policy if exists students_select on tutela.students;
create policy students_select on tutela.students
for select to authenticated
using (id in (select tutela_hidden.readable_student_ids()));

-- ---------------------------------------------------------------------------------------------
-- guardian_links: the student, the guardian (their own links, while the organisation has family
-- access on), staff of the organisation
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.guardian_links from public, anon, authenticated, service_role;
grant all on table tutela.guardian_links to service_role;
grant select on table tutela.guardian_links to authenticated;

drop policy if exists guardian_links_select on tutela.guardian_links;
create policy guardian_links_select on tutela.guardian_links
for select to authenticated
using (
  (guardian_id = (select auth.uid()) and student_id in (select tutela_hidden.my_link_student_ids()))
  or student_id in (select tutela_hidden.own_student_ids())
  or student_id in (select tutela_hidden.staff_student_ids())
);

-- ---------------------------------------------------------------------------------------------
-- guardian_invites: staff, the student, the inviter, and the invitee (by email); never the hash
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.guardian_invites from public, anon, authenticated, service_role;
grant all on table tutela.guardian_invites to service_role;
grant select (
  id, student_id, email, name, relation, permissions, expires_at, invited_by, status,
  accepted_by, accepted_at, created_at, updated_at, sis_id, managed_by_roster, make_primary
) on table tutela.guardian_invites to authenticated;

-- the service role (back office, dispatcher, jobs) reads invites without the hash as well:
-- no table an API role reads holds a token or its hash (tests/py/test_secrets.py)
revoke select on table tutela.guardian_invites from service_role;
grant select (
  id, student_id, email, name, relation, permissions, expires_at, invited_by, status,
  accepted_by, accepted_at, created_at, updated_at
) on table tutela.guardian_invites to service_role;

drop policy if exists guardian_invites_select on tutela.guardian_invites;
create policy guardian_invites_select on tutela.guardian_invites
for select to authenticated
using (
  (invited_by = (select auth.uid()) and student_id in (select tutela_hidden.guardian_student_ids()))
  or lower(email) = lower((select auth.email()))
  or student_id in (select tutela_hidden.own_student_ids())
  or student_id in (select tutela_hidden.staff_student_ids())
);

-- ---------------------------------------------------------------------------------------------
-- student_invites: staff, and the invitee (by email); never the hash
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.student_invites from public, anon, authenticated, service_role;
grant all on table tutela.student_invites to service_role;
grant select (
  id, student_id, email, expires_at, invited_by, status, accepted_by, accepted_at, created_at,
  updated_at
) on table tutela.student_invites to authenticated;

revoke select on table tutela.student_invites from service_role;
grant select (
  id, student_id, email, expires_at, invited_by, status, accepted_by, accepted_at, created_at,
  updated_at
) on table tutela.student_invites to service_role;

drop policy if exists student_invites_select on tutela.student_invites;
create policy student_invites_select on tutela.student_invites
for select to authenticated
using (
  lower(email) = lower((select auth.email()))
  or student_id in (select tutela_hidden.staff_student_ids())
);

-- ---------------------------------------------------------------------------------------------
-- link_events: staff of the organisation, the student, the guardian of the link. Append-only:
-- nobody updates or deletes (grants here, a trigger for everyone else).
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.link_events from public, anon, authenticated, service_role;
-- the identity column's sequence: no API role needs it (identity values need no privilege)
revoke all on sequence tutela.link_events_id_seq from public, anon, authenticated, service_role;
-- the client address and user agent of an action are for the service role (support, audits)
grant select (
  id, occurred_at, actor_id, actor_role, action, organization_id, student_id, link_id, code_id,
  invite_id, subject_user_id, old_values, new_values
) on table tutela.link_events to authenticated;
grant select, insert on table tutela.link_events to service_role;

drop policy if exists link_events_select on tutela.link_events;
create policy link_events_select on tutela.link_events
for select to authenticated
using (
  (
    organization_id in (select tutela_hidden.staff_organization_ids())
    -- membership invitations (who was invited, by address) are for admins, as the invites are
    and (action not like 'member\_invite\_%' or organization_id in (
      select tutela_hidden.admin_organization_ids()
    ))
  )
  or student_id in (select tutela_hidden.own_student_ids())
  or (
    subject_user_id = (select auth.uid())
    -- family access off: a guardian's own link history is hidden with everything else
    and (student_id is null or student_id not in (
      select s.id from tutela.students as s
      inner join tutela.organizations as o on s.organization_id = o.id
      where not o.family_access_enabled
    ))
  )
);

-- ---------------------------------------------------------------------------------------------
-- private tables: no API access at all (functions only)
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela_private.guardian_link_codes
from public, anon, authenticated, service_role;
revoke all on table tutela_private.link_code_attempts
from public, anon, authenticated, service_role;
revoke all on table tutela_private.student_guardian_locks
from public, anon, authenticated, service_role;
revoke all on table tutela_private.notification_outbox
from public, anon, authenticated, service_role;
revoke all on sequence tutela_private.link_code_attempts_id_seq
from public, anon, authenticated, service_role;
