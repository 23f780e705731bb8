-- Reports: read-only through the API. Every report is made by generate_report (rpc/reports.sql)
-- and never changes; a caller reads a report only when they may read its student for every
-- section it holds (private.readable_report_ids). No insert, update or delete for API roles.

alter table public.reports enable row level security;
revoke all on table public.reports from anon, authenticated;
grant select on table public.reports to authenticated;

drop policy if exists reports_select on public.reports;
create policy reports_select on public.reports
for select to authenticated
using (id in (select private.readable_report_ids()));
