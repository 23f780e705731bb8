-- Dashboards: plans and subscriptions. Only the service role (billing, back office) writes them.

-- plans: the price list, readable by anyone (a pricing page needs no login)
revoke all on table public.plans from anon, authenticated;
grant select on table public.plans to anon, authenticated;

drop policy if exists plans_select_anon on public.plans;
create policy plans_select_anon on public.plans
for select to anon
using (is_active);

drop policy if exists plans_select on public.plans;
create policy plans_select on public.plans
for select to authenticated
using (is_active);

-- subscriptions: the student's own, a guardian's family subscription, and a guardian's view of
-- the subscriptions of the children they guard (active links)
revoke all on table public.subscriptions from anon, authenticated;
grant select on table public.subscriptions to authenticated;

drop policy if exists subscriptions_select on public.subscriptions;
create policy subscriptions_select on public.subscriptions
for select to authenticated
using (
  guardian_id = (select auth.uid())
  or paid_by = (select auth.uid())
  or student_id in (select private.own_student_ids())
  or student_id in (select private.guardian_student_ids())
);
