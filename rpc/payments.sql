-- Payments: subscription changes by the paying guardian (change_plan, pause_subscription,
-- resume_subscription), their payment history, and the provider callbacks
-- (record_payment_event, service role). The model, the state machine, the provider mappings and
-- the idempotency rules: docs/payments.md.

-- =============================================================================================
-- Who pays
-- =============================================================================================

-- Whether a user pays a subscription: its paid_by, or the guardian of a family subscription.
create or replace function tutela_private.is_payer(p_sub tutela.subscriptions, p_user_id uuid)
returns boolean
language sql
immutable
set search_path = ''
as $$
  -- never null: a null paid_by or guardian_id must not make `not is_payer(...)` null
  select coalesce(p_user_id = p_sub.paid_by, false)
    or coalesce(p_user_id = p_sub.guardian_id, false)
$$;

revoke all on function tutela_private.is_payer(tutela.subscriptions, uuid)
from public, anon, authenticated, service_role;

-- A money action needs aal2 when an organisation the subscription covers requires it: the
-- student's organisation, or, for a family subscription, the organisation of every child the
-- guardian has an active link to (TU412 otherwise; rpc/privacy.sql).
create or replace function tutela_private.require_aal2_for_subscription(p_sub tutela.subscriptions)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_org uuid;
begin
  for v_org in
    select s.organization_id from tutela.students as s where s.id = p_sub.student_id
    union
    select s.organization_id
    from tutela.guardian_links as l
    join tutela.students as s on s.id = l.student_id
    where p_sub.guardian_id is not null and l.guardian_id = p_sub.guardian_id
      and l.status = 'active'
  loop
    perform tutela_private.require_aal2(v_org);
  end loop;
end;
$$;

revoke all on function tutela_private.require_aal2_for_subscription(
  tutela.subscriptions
) from public, anon, authenticated, service_role;

-- Whether a payer still holds the right to act on a subscription, now (checked at every
-- change, not only when they started paying): for one student's subscription, the student
-- themself or a guardian with an active link to the student; for a family subscription, its
-- guardian, or a payer with an active link to one of the children it covers. A payer whose
-- link was revoked (or who was never linked) keeps their payment history, not the control.
create or replace function tutela_private.payer_may_act(p_sub tutela.subscriptions, p_user_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_user_id is null or not tutela_private.is_payer(p_sub, p_user_id)
    or tutela_hidden.is_erased_user(p_user_id) then
    return false;
  end if;
  if p_sub.student_id is not null then
    return exists (
      select 1 from tutela.students as s where s.id = p_sub.student_id and s.user_id = p_user_id
    ) or exists (
      select 1 from tutela.guardian_links as l
      where l.student_id = p_sub.student_id and l.guardian_id = p_user_id and l.status = 'active'
    );
  end if;
  return p_user_id = p_sub.guardian_id or exists (
    select 1 from tutela.guardian_links as mine
    join tutela.guardian_links as family on family.student_id = mine.student_id
    where mine.guardian_id = p_user_id and mine.status = 'active'
      and family.guardian_id = p_sub.guardian_id and family.status = 'active'
  );
end;
$$;

revoke all on function tutela_private.payer_may_act(tutela.subscriptions, uuid)
from public, anon, authenticated, service_role;

-- The subscription, locked for a change, when the caller may change it: its payer (paid_by,
-- or the guardian of a family subscription) who still holds the right (payer_may_act), or the
-- service role (back office). TU401 not signed in, TU404 unknown subscription, TU403 anyone
-- else (a payer whose link was revoked too), TU412 aal2 missing.
create or replace function tutela_private.lock_subscription_for_payer(p_subscription_id uuid)
returns tutela.subscriptions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid;
  v_sub tutela.subscriptions;
begin
  if not tutela_private.is_service_role(p_owner_too => true) then
    v_uid := tutela_hidden.require_uid();
  end if;
  select * into v_sub from tutela.subscriptions as s where s.id = p_subscription_id for update;
  if not found then
    perform tutela_private.not_found('subscription',
      'only the paying guardian, while linked, changes a subscription');
  end if;
  if v_uid is not null then
    -- who may: the payer, while linked to the child (the student themself when they pay)
    if not tutela_private.payer_may_act(v_sub, v_uid) then
      perform tutela_private.deny('only the paying guardian, while linked, changes a subscription');
    end if;
    perform tutela_private.require_aal2_for_subscription(v_sub);
  end if;
  return v_sub;
end;
$$;

revoke all on function tutela_private.lock_subscription_for_payer(uuid)
from public, anon, authenticated, service_role;

-- An audit row of a subscription change (tutela.link_events): visible to the payer
-- (subject_user_id) and, for a student subscription, to the student; not to the organisation's
-- staff (billing is not theirs to see).
create or replace function tutela_private.audit_subscription(
  p_action text, p_old tutela.subscriptions, p_new tutela.subscriptions
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  select tutela_private.audit(
    p_action, 'payer', null, p_old.student_id,
    p_subject_user_id => coalesce(p_old.paid_by, p_old.guardian_id),
    p_old => jsonb_build_object(
      'subscription_id', p_old.id,
      'plan', (select p.code from tutela.plans as p where p.id = p_old.plan_id),
      'status', p_old.status, 'access_until', p_old.access_until,
      'next_billing_at', p_old.next_billing_at
    ),
    p_new => jsonb_build_object(
      'subscription_id', p_new.id,
      'plan', (select p.code from tutela.plans as p where p.id = p_new.plan_id),
      'status', p_new.status, 'access_until', p_new.access_until,
      'next_billing_at', p_new.next_billing_at
    )
  )
$$;

revoke all on function tutela_private.audit_subscription(
  text, tutela.subscriptions, tutela.subscriptions
) from public, anon, authenticated, service_role;

-- =============================================================================================
-- Subscription changes (the paying guardian)
-- =============================================================================================

-- A new plan at once (entitlements follow at once). The price applies from the next charge:
-- no proration. A paused or past-due subscription may change plan; an ended one may not.
create or replace function tutela.change_plan(p_subscription_id uuid, p_plan_code text)
returns tutela.subscriptions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.subscriptions;
  v_new tutela.subscriptions;
  v_plan tutela.plans;
begin
  -- who may: the payer (paid_by, or the family's guardian), or the service role
  v_old := tutela_private.lock_subscription_for_payer(p_subscription_id);
  select * into v_plan from tutela.plans as p where p.code = p_plan_code and p.is_active;
  if not found then
    perform tutela_private.invalid(pg_catalog.format('unknown plan %L', p_plan_code),
      'Use the code of an active plan (tutela.plans).');
  end if;
  if v_old.status in ('cancelled', 'expired') then
    perform tutela_private.conflict('this subscription has ended', 'subscription_ended',
      'Start a new subscription instead.');
  end if;
  if v_old.plan_id = v_plan.id then
    perform tutela_private.conflict('the subscription is already on this plan', 'same_plan');
  end if;
  update tutela.subscriptions as s
  set plan_id = v_plan.id, updated_at = pg_catalog.now()
  where s.id = v_old.id
  returning * into v_new;
  perform tutela_private.audit_subscription('subscription_plan_changed', v_old, v_new);
  return v_new;
end;
$$;

comment on function tutela.change_plan(uuid, text) is
'Moves a subscription to another active plan at once (no proration: the new price applies from '
'the next charge). The paying guardian or the service role.';
revoke all on function tutela.change_plan(uuid, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.change_plan(uuid, text) to authenticated, service_role;

-- Pause an active subscription: access stops at once (a paused subscription grants no
-- entitlements) and the paid time left is kept for the resume.
create or replace function tutela.pause_subscription(p_subscription_id uuid)
returns tutela.subscriptions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.subscriptions;
  v_new tutela.subscriptions;
begin
  -- who may: the payer (paid_by, or the family's guardian), or the service role
  v_old := tutela_private.lock_subscription_for_payer(p_subscription_id);
  if v_old.status = 'paused' then
    perform tutela_private.conflict('this subscription is already paused', 'already_paused');
  elsif v_old.status <> 'active' then
    perform tutela_private.conflict('only an active subscription can be paused', 'not_active',
      'A trial, a past-due or an ended subscription cannot be paused.');
  end if;
  update tutela.subscriptions as s
  set status = 'paused', paused_at = pg_catalog.now(), updated_at = pg_catalog.now()
  where s.id = v_old.id
  returning * into v_new;
  perform tutela_private.audit_subscription('subscription_paused', v_old, v_new);
  return v_new;
end;
$$;

comment on function tutela.pause_subscription(uuid) is
'Pauses an active subscription: access and billing stop, the paid time left is kept. The paying '
'guardian or the service role.';
revoke all on function tutela.pause_subscription(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.pause_subscription(uuid) to authenticated, service_role;

-- Resume a paused subscription: access_until and next_billing_at move on by the time spent
-- paused, so the paid time left at the pause is there again. Active again, or past_due when
-- the paid time had already run out before the pause.
create or replace function tutela.resume_subscription(p_subscription_id uuid)
returns tutela.subscriptions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old tutela.subscriptions;
  v_new tutela.subscriptions;
  v_shift interval;
begin
  -- who may: the payer (paid_by, or the family's guardian), or the service role
  v_old := tutela_private.lock_subscription_for_payer(p_subscription_id);
  if v_old.status <> 'paused' then
    perform tutela_private.conflict('this subscription is not paused', 'not_paused');
  end if;
  v_shift := pg_catalog.now() - v_old.paused_at;
  update tutela.subscriptions as s
  set
    status = case
      when s.access_until is null or s.access_until + v_shift > pg_catalog.now() then 'active'
      else 'past_due'
    end,
    access_until = s.access_until + v_shift,
    next_billing_at = s.next_billing_at + v_shift,
    paused_at = null,
    updated_at = pg_catalog.now()
  where s.id = v_old.id
  returning * into v_new;
  perform tutela_private.audit_subscription('subscription_resumed', v_old, v_new);
  return v_new;
end;
$$;

comment on function tutela.resume_subscription(uuid) is
'Resumes a paused subscription; the paid time left at the pause is restored. The paying '
'guardian or the service role.';
revoke all on function tutela.resume_subscription(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.resume_subscription(uuid) to authenticated, service_role;

-- =============================================================================================
-- Payment history (the payer)
-- =============================================================================================

-- The caller's own payments, newest first; of one subscription when given. A subscription the
-- caller neither pays nor has paid for: TU403; an unknown one: TU404.
create or replace function tutela.payment_history(p_subscription_id uuid default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- who may: any signed-in user, for their own payments
  v_sub tutela.subscriptions;
begin
  if p_subscription_id is not null then
    select * into v_sub from tutela.subscriptions as s where s.id = p_subscription_id;
    if not found then
      perform tutela_private.not_found('subscription',
        'only the payer sees the payments of a subscription');
    end if;
    if not tutela_private.is_payer(v_sub, v_uid) and not exists (
      select 1 from tutela.payments as p
      where p.subscription_id = p_subscription_id and p.payer_id = v_uid
    ) then
      perform tutela_private.deny('only the payer sees the payments of a subscription');
    end if;
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object(
      'payment_id', p.id, 'subscription_id', p.subscription_id,
      'plan_code', pl.code, 'plan_name', pl.name,
      'provider', p.provider, 'reference', p.provider_reference,
      'amount_cents', p.amount_cents, 'currency', p.currency, 'status', p.status,
      'failure_reason', p.failure_reason, 'account_hint', p.account_hint,
      'paid_at', p.paid_at, 'covers_until', p.covers_until
    ) order by p.paid_at desc, p.created_at desc, p.id)
    from tutela.payments as p
    left join tutela.plans as pl on pl.id = p.plan_id
    where p.payer_id = v_uid
      and (p_subscription_id is null or p.subscription_id = p_subscription_id)
  ), '[]'::jsonb);
end;
$$;

comment on function tutela.payment_history(uuid) is
'The signed-in user''s own payments (succeeded, failed, refunded), newest first; optionally of '
'one subscription they pay.';
revoke all on function tutela.payment_history(uuid) from public, anon, authenticated, service_role;
grant execute on function tutela.payment_history(uuid) to authenticated, service_role;

-- =============================================================================================
-- Provider callbacks (service role)
-- =============================================================================================

-- mobile_money: a push-payment callback, normalised (mapping: docs/payments.md). TU422 with
-- the message '<reason>: <explanation>' when the payload cannot be applied.
create or replace function tutela_private.parse_mobile_money(p_payload jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_field text;
  v_amount text;
  v_status text;
  v_msisdn text;
begin
  if p_payload is null or jsonb_typeof(p_payload) <> 'object' then
    perform tutela_private.invalid('malformed_payload: the payload is not a JSON object');
  end if;
  select k into v_field
  from unnest(array[
    'transaction_id', 'status', 'amount', 'currency', 'msisdn', 'external_reference',
    'timestamp'
  ]) with ordinality as f (k, n)
  where coalesce(jsonb_typeof(p_payload -> k), 'null') = 'null'
  order by n
  limit 1;
  if found then
    perform tutela_private.invalid(pg_catalog.format('missing_field: %s is required', v_field));
  end if;
  select k into v_field
  from unnest(array[
    'transaction_id', 'status', 'currency', 'msisdn', 'external_reference', 'timestamp'
  ]) with ordinality as f (k, n)
  where jsonb_typeof(p_payload -> k) <> 'string'
  order by n
  limit 1;
  if found then
    perform tutela_private.invalid(pg_catalog.format('malformed_field: %s must be a string', v_field));
  end if;
  if char_length(p_payload ->> 'transaction_id') not between 1 and 100 then
    perform tutela_private.invalid('malformed_field: transaction_id must have 1 to 100 characters');
  end if;
  v_status := p_payload ->> 'status';
  if v_status not in ('SUCCESSFUL', 'FAILED') then
    perform tutela_private.invalid(pg_catalog.format(
      'unsupported_status: %s (only the final SUCCESSFUL and FAILED are applied)',
      pg_catalog.left(v_status, 40)));
  end if;
  if jsonb_typeof(p_payload -> 'amount') not in ('string', 'number') then
    perform tutela_private.invalid('malformed_field: amount must be a decimal string or a number');
  end if;
  v_amount := p_payload ->> 'amount';
  if v_amount !~ '^[0-9]{1,12}(\.[0-9]{1,2})?$' then
    perform tutela_private.invalid(
      'malformed_field: amount must be positive, in major units, with at most 2 decimals');
  end if;
  if v_amount::numeric <= 0 then
    perform tutela_private.invalid(
      'malformed_field: amount must be positive, in major units, with at most 2 decimals');
  end if;
  if (p_payload ->> 'currency') !~ '^[A-Z]{3}$' then
    perform tutela_private.invalid('malformed_field: currency must be an ISO 4217 code (e.g. UGX)');
  end if;
  v_msisdn := p_payload ->> 'msisdn';
  if v_msisdn !~ '^\+?[0-9]{8,15}$' then
    perform tutela_private.invalid('malformed_field: msisdn must be a phone number of 8 to 15 digits');
  end if;
  if (p_payload ->> 'external_reference')
    !~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' then
    perform tutela_private.invalid('malformed_field: external_reference must be a subscription id');
  end if;
  if (p_payload ->> 'timestamp') !~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}'
    || '(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$') then
    perform tutela_private.invalid(
      'malformed_field: timestamp must be ISO 8601 with a time zone (e.g. 2026-11-22T10:00:00Z)');
  end if;
  if p_payload ? 'reason' and jsonb_typeof(p_payload -> 'reason') not in ('string', 'null') then
    perform tutela_private.invalid('malformed_field: reason must be a string');
  end if;
  return jsonb_build_object(
    'reference', p_payload ->> 'transaction_id',
    'succeeded', v_status = 'SUCCESSFUL',
    'amount_cents', (v_amount::numeric * 100)::bigint,
    'currency', p_payload ->> 'currency',
    'account_hint', '****' || pg_catalog.right(v_msisdn, 4),
    'subscription_id', (p_payload ->> 'external_reference')::uuid,
    -- a cast error here (e.g. month 13) is a data exception: the event is rejected
    'paid_at', (p_payload ->> 'timestamp')::timestamptz,
    'failure_reason', case when v_status = 'FAILED'
      then pg_catalog.left(nullif(btrim(p_payload ->> 'reason'), ''), 500) end
  );
end;
$$;

revoke all on function tutela_private.parse_mobile_money(jsonb)
from public, anon, authenticated, service_role;

-- A provider's payload, normalised: reference, succeeded, amount_cents, currency, account_hint,
-- subscription_id, paid_at, failure_reason. TU422 for an unknown provider or a bad payload.
create or replace function tutela_private.parse_payment_payload(p_provider text, p_payload jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_provider = 'mobile_money' then
    return tutela_private.parse_mobile_money(p_payload);
  end if;
  perform tutela_private.invalid(pg_catalog.format('unknown_provider: %s',
    pg_catalog.left(p_provider, 40)));
  return null;
end;
$$;

revoke all on function tutela_private.parse_payment_payload(text, jsonb)
from public, anon, authenticated, service_role;

-- The payment already recorded for this provider transaction: the outcome 'duplicate' when it
-- is the same payment (status, amount, currency, subscription), TU422 when it contradicts it;
-- null when there is none.
create or replace function tutela_private.recorded_payment(
  p_provider text, p_payment jsonb, p_subscription_id uuid
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_existing tutela.payments;
  v_status text := case when (p_payment ->> 'succeeded')::boolean
    then 'succeeded' else 'failed' end;
begin
  select * into v_existing from tutela.payments as p
  where p.provider = p_provider and p.provider_reference = p_payment ->> 'reference';
  if not found then
    return null;
  end if;
  if v_existing.status = v_status
    and v_existing.amount_cents = (p_payment ->> 'amount_cents')::bigint
    and v_existing.currency = p_payment ->> 'currency'
    and v_existing.subscription_id is not distinct from p_subscription_id then
    return jsonb_build_object('status', 'duplicate', 'payment_id', v_existing.id);
  end if;
  perform tutela_private.invalid(pg_catalog.format(
    'conflicting_transaction: transaction %s is already recorded as %s %s %s (payment %s)',
    v_existing.provider_reference, v_existing.status, v_existing.amount_cents,
    v_existing.currency, v_existing.id));
  return null;
end;
$$;

revoke all on function tutela_private.recorded_payment(text, jsonb, uuid)
from public, anon, authenticated, service_role;

-- Applies a normalised payment to its subscription. Succeeded: a payment row, access_until and
-- next_billing_at one billing interval further, status active (a paused subscription stays
-- paused). Failed: a failed payment row; an active or trialing subscription becomes past_due.
-- Returns {status: applied | duplicate, payment_id}; TU422 when it cannot be applied. Runs
-- inside record_payment_event's subtransaction: a TU422 undoes everything it did.
create or replace function tutela_private.apply_payment(
  p_provider text, p_event_id text, p_payload jsonb, p_payment jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sub tutela.subscriptions;
  v_plan tutela.plans;
  v_succeeded boolean := (p_payment ->> 'succeeded')::boolean;
  v_amount bigint := (p_payment ->> 'amount_cents')::bigint;
  v_currency text := p_payment ->> 'currency';
  v_recorded jsonb;
  v_clock timestamptz;
  v_until timestamptz;
  v_payment_id uuid;
begin
  -- every event of one subscription is applied in turn: lock it first
  select * into v_sub from tutela.subscriptions as s
  where s.id = (p_payment ->> 'subscription_id')::uuid
  for update;
  if not found then
    perform tutela_private.invalid('unknown_subscription: no subscription has this external_reference');
  end if;
  v_recorded := tutela_private.recorded_payment(p_provider, p_payment, v_sub.id);
  if v_recorded is not null then
    return v_recorded;
  end if;
  select * into v_plan from tutela.plans as p where p.id = v_sub.plan_id;
  if v_succeeded then
    if v_sub.status = 'cancelled' then
      perform tutela_private.invalid('subscription_cancelled: a payment for a cancelled subscription');
    end if;
    if v_currency <> v_plan.currency or v_amount <> v_plan.price_cents then
      perform tutela_private.invalid(pg_catalog.format(
        'amount_mismatch: paid %s %s, the plan %s costs %s %s', v_amount, v_currency,
        v_plan.code, v_plan.price_cents, v_plan.currency));
    end if;
    -- the paid period runs on from where it ends (or from now when it has run out); a paused
    -- subscription's clock stopped at the pause
    v_clock := case when v_sub.status = 'paused' then v_sub.paused_at else pg_catalog.now() end;
    v_until := greatest(coalesce(v_sub.access_until, v_sub.next_billing_at, v_clock), v_clock)
      + case v_plan.billing_interval when 'year' then interval '1 year'
        else interval '1 month' end;
  end if;
  insert into tutela.payments (
    subscription_id, plan_id, payer_id, provider, provider_event_id, provider_reference,
    amount_cents, currency, status, failure_reason, account_hint, paid_at, covers_until,
    raw_payload
  )
  values (
    v_sub.id, v_plan.id, coalesce(v_sub.paid_by, v_sub.guardian_id), p_provider, p_event_id,
    p_payment ->> 'reference', v_amount, v_currency,
    case when v_succeeded then 'succeeded' else 'failed' end, p_payment ->> 'failure_reason',
    p_payment ->> 'account_hint', (p_payment ->> 'paid_at')::timestamptz, v_until, p_payload
  )
  on conflict (provider, provider_reference) do nothing
  returning id into v_payment_id;
  if v_payment_id is null then
    -- recorded meanwhile by another event of the same transaction (for another subscription)
    return tutela_private.recorded_payment(p_provider, p_payment, v_sub.id);
  end if;
  if v_succeeded then
    update tutela.subscriptions as s
    set access_until = v_until, next_billing_at = v_until,
      status = case when s.status = 'paused' then 'paused' else 'active' end,
      updated_at = pg_catalog.now()
    where s.id = v_sub.id;
  else
    update tutela.subscriptions as s
    set status = 'past_due', updated_at = pg_catalog.now()
    where s.id = v_sub.id and s.status in ('active', 'trialing');
  end if;
  return jsonb_build_object('status', 'applied', 'payment_id', v_payment_id);
end;
$$;

revoke all on function tutela_private.apply_payment(text, text, jsonb, jsonb)
from public, anon, authenticated, service_role;

-- What record_payment_event returns for an event: the same document for the first delivery and
-- every repeat (replayed says which).
create or replace function tutela_private.payment_event_outcome(
  p_event tutela.payment_events, p_replayed boolean
)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'event_id', p_event.id,
    'provider', p_event.provider,
    'provider_event_id', p_event.event_id,
    'status', p_event.status,
    'error', p_event.error,
    'subscription_id', p_event.subscription_id,
    'payment_id', p_event.payment_id,
    'payment_status', (select p.status from tutela.payments as p where p.id = p_event.payment_id),
    'received_at', p_event.received_at,
    'applied_at', p_event.applied_at,
    'replayed', p_replayed
  )
$$;

revoke all on function tutela_private.payment_event_outcome(
  tutela.payment_events, boolean
) from public, anon, authenticated, service_role;

-- The largest payload a callback may carry: 64 KiB of JSON text (provider callbacks are a few
-- hundred bytes; the payload is stored twice, in payment_events and payments).
create or replace function tutela_private.payment_payload_limit()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 65536
$$;

revoke all on function tutela_private.payment_payload_limit()
from public, anon, authenticated, service_role;

-- Records a callback that is rejected before it could be read (too large, not JSON, nested too
-- deep), without its payload, once per (provider, event id): a repeat returns the first outcome.
create or replace function tutela_private.reject_payment_callback(
  p_provider text, p_event_id text, p_error text
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event tutela.payment_events;
begin
  insert into tutela.payment_events (provider, event_id, payload, status, error)
  values (p_provider, p_event_id, null, 'rejected', pg_catalog.left(p_error, 1000))
  on conflict (provider, event_id) do nothing
  returning * into v_event;
  if not found then
    select * into v_event from tutela.payment_events as e
    where e.provider = p_provider and e.event_id = p_event_id;
    return tutela_private.payment_event_outcome(v_event, true);
  end if;
  return tutela_private.payment_event_outcome(v_event, false);
end;
$$;

revoke all on function tutela_private.reject_payment_callback(text, text, text)
from public, anon, authenticated, service_role;

-- The provider and event id every callback needs (TU422 otherwise).
create or replace function tutela_private.check_payment_callback_keys(
  p_provider text, p_event_id text
)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_provider is null or char_length(p_provider) not between 1 and 40 then
    perform tutela_private.invalid('a provider name of 1 to 40 characters is required');
  end if;
  if p_event_id is null or char_length(p_event_id) not between 1 and 200 then
    perform tutela_private.invalid('an event id of 1 to 200 characters is required',
      'Pass the provider''s own id of the callback: it is the idempotency key.');
  end if;
end;
$$;

revoke all on function tutela_private.check_payment_callback_keys(text, text)
from public, anon, authenticated, service_role;

-- A provider callback, once. Idempotent on (provider, event id): the first delivery is stored
-- and applied; a repeat (even with another payload) returns the first outcome and changes
-- nothing. An unknown provider or a payload that cannot be applied is stored as 'rejected' with
-- the error, and nothing else changes (the application runs in a subtransaction). A transaction
-- already recorded by another event: 'duplicate', nothing changes. Unexpected errors (deadlock,
-- cancel) are raised: nothing is stored and the provider's retry is processed afresh.
create or replace function tutela.record_payment_event(
  p_provider text, p_event_id text, p_payload jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event tutela.payment_events;
  v_payment jsonb;
  v_result jsonb;
  v_sub_id uuid;
  v_error text;
  v_state text;
begin
  -- who may: the service role only (EXECUTE is granted to service_role only)
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the service role records payment events');
  end if;
  perform tutela_private.check_payment_callback_keys(p_provider, p_event_id);
  -- a payload over the size limit is recorded as rejected, without it
  if p_payload is not null
    and pg_catalog.octet_length(p_payload::text) > tutela_private.payment_payload_limit() then
    return tutela_private.reject_payment_callback(p_provider, p_event_id, pg_catalog.format(
      'payload_too_large: %s bytes of JSON, the limit is %s',
      pg_catalog.octet_length(p_payload::text), tutela_private.payment_payload_limit()));
  end if;

  -- the first delivery wins; a concurrent repeat waits here until the first one commits
  insert into tutela.payment_events (provider, event_id, payload, status, error)
  values (p_provider, p_event_id, p_payload, 'rejected', 'not processed')
  on conflict (provider, event_id) do nothing
  returning * into v_event;
  if not found then
    select * into v_event from tutela.payment_events as e
    where e.provider = p_provider and e.event_id = p_event_id;
    return tutela_private.payment_event_outcome(v_event, true);
  end if;

  begin
    v_payment := tutela_private.parse_payment_payload(p_provider, p_payload);
    v_sub_id := (v_payment ->> 'subscription_id')::uuid;
    v_result := tutela_private.apply_payment(p_provider, p_event_id, p_payload, v_payment);
  exception
    when sqlstate 'TU422' or data_exception or integrity_constraint_violation
      or program_limit_exceeded then
      -- everything the block did is undone; only the event row remains, rejected
      get stacked diagnostics v_error = message_text, v_state = returned_sqlstate;
      v_result := jsonb_build_object('status', 'rejected', 'error', case
        when v_state = 'TU422' then v_error
        when v_state like '22%' or v_state like '54%' then 'malformed_payload: ' || v_error
        else 'not_applicable: ' || v_error
      end);
  end;

  update tutela.payment_events as e
  set
    status = v_result ->> 'status',
    error = pg_catalog.left(v_result ->> 'error', 1000),
    payment_id = (v_result ->> 'payment_id')::uuid,
    subscription_id = (select s.id from tutela.subscriptions as s where s.id = v_sub_id),
    applied_at = case when v_result ->> 'status' = 'applied' then pg_catalog.now() end
  where e.id = v_event.id
  returning * into v_event;
  return tutela_private.payment_event_outcome(v_event, false);
end;
$$;

comment on function tutela.record_payment_event(text, text, jsonb) is
'Records a payment provider callback once per (provider, event id) and applies it to the '
'subscription; a repeat returns the first outcome. Rejected payloads change nothing. Service '
'role.';
revoke all on function tutela.record_payment_event(text, text, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela.record_payment_event(text, text, jsonb) to service_role;

-- A provider callback whose body is passed as received (text): what PostgreSQL cannot hold as
-- jsonb (a \u0000 escape, 22P05), what is not JSON (22P02), nested too deep (54001) or larger
-- than the limit is recorded as rejected, without the payload, instead of failing on every
-- retry. Anything else goes on to record_payment_event. Idempotent on (provider, event id)
-- like it. Service role (the webhook passes the raw request body it verified).
create or replace function tutela.record_payment_callback(
  p_provider text, p_event_id text, p_body text
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payload jsonb;
  v_error text;
begin
  -- who may: the service role only (EXECUTE is granted to service_role only)
  if not tutela_private.is_service_role(p_owner_too => true) then
    perform tutela_private.deny('only the service role records payment events');
  end if;
  perform tutela_private.check_payment_callback_keys(p_provider, p_event_id);
  if p_body is null then
    return tutela_private.reject_payment_callback(p_provider, p_event_id,
      'malformed_payload: the body is empty');
  end if;
  if pg_catalog.octet_length(p_body) > tutela_private.payment_payload_limit() then
    return tutela_private.reject_payment_callback(p_provider, p_event_id, pg_catalog.format(
      'payload_too_large: %s bytes, the limit is %s', pg_catalog.octet_length(p_body),
      tutela_private.payment_payload_limit()));
  end if;
  begin
    v_payload := p_body::jsonb;
  exception
    when data_exception or program_limit_exceeded then
      get stacked diagnostics v_error = message_text;
      return tutela_private.reject_payment_callback(p_provider, p_event_id,
        'malformed_payload: ' || v_error);
  end;
  return tutela.record_payment_event(p_provider, p_event_id, v_payload);
end;
$$;

comment on function tutela.record_payment_callback(text, text, text) is
'Records a payment provider callback given as its raw body: a body that is not storable JSON '
'(\u0000, too deep, not JSON) or over 64 KiB is recorded as rejected without it; otherwise as '
'record_payment_event. Service role.';
revoke all on function tutela.record_payment_callback(text, text, text)
from public, anon, authenticated, service_role;
grant execute on function tutela.record_payment_callback(text, text, text) to service_role;
