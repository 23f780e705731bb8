-- Dashboards: plans and subscriptions. Only the service role (billing, back office) writes them.

-- plans: the price list, readable by anyone (a pricing page needs no login)
revoke all on table tutela.plans from public, anon, authenticated, service_role;
grant all on table tutela.plans to service_role;
grant select on table tutela.plans to anon, authenticated;

drop policy if exists plans_select_anon on tutela.plans;
create policy plans_select_anon on tutela.plans
for select to anon
using (is_active);

drop policy if exists plans_select on tutela.plans;
create policy plans_select on tutela.plans
for select to authenticated
using (is_active);

-- subscriptions: the student's own, a guardian's family subscription, and a guardian's view of
-- the subscriptions of the children they guard (active links)
revoke all on table tutela.subscriptions from public, anon, authenticated, service_role;
grant all on table tutela.subscriptions to service_role;
grant select on table tutela.subscriptions to authenticated;

drop policy if exists subscriptions_select on tutela.subscriptions;
create policy subscriptions_select on tutela.subscriptions
for select to authenticated
using (
  guardian_id = (select auth.uid())
  or paid_by = (select auth.uid())
  or student_id in (select tutela_hidden.own_student_ids())
  or student_id in (select tutela_hidden.guardian_student_ids())
);
