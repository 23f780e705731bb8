-- Reports: read-only through the API. Every report is made by generate_report (rpc/reports.sql)
-- and never changes; a caller reads a report only when they may read its student for every
-- section it holds (tutela_hidden.readable_report_ids). No insert, update or delete for API roles.

alter table tutela.reports enable row level security;
revoke all on table tutela.reports from public, anon, authenticated, service_role;
grant all on table tutela.reports to service_role;
grant select on table tutela.reports to authenticated;

drop policy if exists reports_select on tutela.reports;
create policy reports_select on tutela.reports
for select to authenticated
using (id in (select tutela_hidden.readable_report_ids()));
