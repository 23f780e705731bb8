-- tutela:created 20261122015500
-- Payments: who pays a subscription, the pause state, the payments themselves and the raw
-- provider callbacks (idempotent on provider and event id). Functions in rpc/payments.sql,
-- policies in policies/payments.sql, the model and the provider mappings in docs/payments.md.

-- ---------------------------------------------------------------------------------------------
-- Subscriptions: the paying user and the pause
-- ---------------------------------------------------------------------------------------------
-- paid_by: the user who pays (a guardian, usually). A family subscription is also paid by its
-- guardian_id when paid_by is empty. paused_at: when the current pause began (null otherwise).
alter table public.subscriptions
add column paid_by uuid references auth.users (id) on delete set null,
add column paused_at timestamptz;

alter table public.subscriptions drop constraint subscriptions_status_check;
alter table public.subscriptions add constraint subscriptions_status_check
check (status in ('trialing', 'active', 'past_due', 'paused', 'cancelled', 'expired'));
alter table public.subscriptions add constraint subscriptions_paused_at_check
check ((status = 'paused') = (paused_at is not null));

create index subscriptions_paid_by_idx on public.subscriptions (paid_by, status);

-- ---------------------------------------------------------------------------------------------
-- Payments: one row per provider transaction, succeeded or failed (refunded: back office)
-- ---------------------------------------------------------------------------------------------
-- Kept when the subscription, the plan's subscriber or the payer goes (accounting records):
-- the references are set null, the amounts stay.
create table public.payments (
  id uuid primary key default gen_random_uuid(),
  subscription_id uuid references public.subscriptions (id) on delete set null,
  plan_id uuid references public.plans (id) on delete set null,
  payer_id uuid references auth.users (id) on delete set null,
  provider text not null check (provider ~ '^[a-z][a-z0-9_]{1,39}$'),
  provider_event_id text not null check (char_length(provider_event_id) between 1 and 200),
  -- the provider's transaction id: one payment per transaction, whatever the event
  provider_reference text not null check (char_length(provider_reference) between 1 and 100),
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  status text not null check (status in ('succeeded', 'failed', 'refunded')),
  failure_reason text check (char_length(failure_reason) <= 500),
  -- what a payer may see of the account that paid, e.g. '****4567'
  account_hint text check (char_length(account_hint) <= 20),
  paid_at timestamptz not null,
  -- the subscription's access_until after this payment (succeeded payments only)
  covers_until timestamptz,
  raw_payload jsonb not null,
  created_at timestamptz not null default now(),
  unique (provider, provider_reference)
);

create index payments_subscription_idx on public.payments (subscription_id, paid_at desc);
create index payments_plan_idx on public.payments (plan_id);
create index payments_payer_idx on public.payments (payer_id, paid_at desc);
alter table public.payments enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Payment events: every provider callback as received, once per (provider, event id)
-- ---------------------------------------------------------------------------------------------
-- status: applied (a payment was recorded), duplicate (the transaction was already recorded
-- by another event: nothing changed), rejected (unknown provider or a payload that cannot be
-- applied: nothing changed, `error` says why).
create table public.payment_events (
  id uuid primary key default gen_random_uuid(),
  provider text not null check (char_length(provider) between 1 and 40),
  event_id text not null check (char_length(event_id) between 1 and 200),
  payload jsonb,
  status text not null check (status in ('applied', 'rejected', 'duplicate')),
  error text check (char_length(error) <= 1000),
  subscription_id uuid references public.subscriptions (id) on delete set null,
  payment_id uuid references public.payments (id) on delete set null,
  received_at timestamptz not null default now(),
  applied_at timestamptz,
  unique (provider, event_id),
  check (status <> 'rejected' or error is not null),
  check ((status = 'applied') = (applied_at is not null))
);

create index payment_events_subscription_idx
on public.payment_events (subscription_id, received_at);
create index payment_events_payment_idx on public.payment_events (payment_id);
create index payment_events_status_idx on public.payment_events (status, received_at)
where status <> 'applied';
alter table public.payment_events enable row level security;
