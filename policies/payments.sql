-- Payments: a payer reads their own payments (payer_id), without the raw provider payload;
-- payment events are for the service role only. Every write goes through rpc/payments.sql
-- (record_payment_event); the service role may also insert and correct payments (back office:
-- a refund, a reconciled payment), never delete them (accounting records).

-- ---------------------------------------------------------------------------------------------
-- payments: the payer's own rows, named columns (not raw_payload, not provider_event_id)
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.payments from public, anon, authenticated, service_role;
grant select (
  id, subscription_id, plan_id, payer_id, provider, provider_reference, amount_cents, currency,
  status, failure_reason, account_hint, paid_at, covers_until, created_at
) on table tutela.payments to authenticated;
grant select, insert, update on table tutela.payments to service_role;

drop policy if exists payments_select on tutela.payments;
create policy payments_select on tutela.payments
for select to authenticated
using (payer_id = (select auth.uid()));

-- ---------------------------------------------------------------------------------------------
-- payment_events: the raw callbacks. No grant and no policy for anon or authenticated; the
-- service role (BYPASSRLS) reads them; only record_payment_event writes them.
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.payment_events from public, anon, authenticated, service_role;
grant select on table tutela.payment_events to service_role;
