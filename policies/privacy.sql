-- Privacy: consent records and their audit are readable by the student, active guardians and
-- staff of the organisation; every change goes through set_consent. Data requests are readable
-- by who made them, the student, and admins of the organisation.

revoke all on table tutela.consent_records from public, anon, authenticated, service_role;
grant all on table tutela.consent_records to service_role;
grant select on table tutela.consent_records to authenticated;

drop policy if exists consent_records_select on tutela.consent_records;
create policy consent_records_select on tutela.consent_records
for select to authenticated
using (student_id in (select tutela_hidden.readable_student_ids()));

revoke all on table tutela.consent_audit_log from public, anon, authenticated, service_role;
-- the identity column's sequence: no API role needs it (identity values need no privilege)
revoke all on sequence tutela.consent_audit_log_id_seq
from public, anon, authenticated, service_role;
grant select on table tutela.consent_audit_log to service_role;
-- the client address and user agent of a change are for the service role
grant select (
  id, occurred_at, student_id, consent_id, data_type, recipient_type, action, performed_by,
  old_value, new_value
) on table tutela.consent_audit_log to authenticated;

drop policy if exists consent_audit_log_select on tutela.consent_audit_log;
create policy consent_audit_log_select on tutela.consent_audit_log
for select to authenticated
using (student_id in (select tutela_hidden.readable_student_ids()));

revoke all on table tutela.data_requests from public, anon, authenticated, service_role;
grant all on table tutela.data_requests to service_role;
grant select on table tutela.data_requests to authenticated;

drop policy if exists data_requests_select on tutela.data_requests;
create policy data_requests_select on tutela.data_requests
for select to authenticated
using (
  requested_by = (select auth.uid())
  or student_id in (select tutela_hidden.own_student_ids())
  or organization_id in (select tutela_hidden.admin_organization_ids())
);
