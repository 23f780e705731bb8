-- tutela:created 20261207170200
-- Rights re-checked at the moment of use (issue 25): an erasure request records on what basis
-- its requester asked and can be cancelled (with the reason) when that right is lost before it
-- is carried out; erased logins are remembered until Supabase Auth deletes them, so that they
-- can no longer act; payment callbacks get a size limit. Functions and triggers in
-- rpc/privacy.sql, rpc/profiles.sql and rpc/payments.sql; docs/privacy.md, docs/payments.md.

-- ---------------------------------------------------------------------------------------------
-- Erasure requests: the requester's basis, and cancellation
-- ---------------------------------------------------------------------------------------------
alter table public.data_requests drop constraint data_requests_status_check;
alter table public.data_requests add constraint data_requests_status_check
check (status in ('pending', 'completed', 'rejected', 'cancelled'));

-- requester_basis: the right the requester held when asking ('student', 'admin',
-- 'primary_guardian'); cancelled_at / cancel_reason: when and why a pending request was
-- cancelled (e.g. 'requester_lost_right: link_revoked').
alter table public.data_requests
add column requester_basis text
check (requester_basis in ('student', 'admin', 'primary_guardian')),
add column cancelled_at timestamptz,
add column cancel_reason text check (char_length(cancel_reason) <= 200),
add constraint data_requests_cancelled_check
check ((status = 'cancelled') = (cancelled_at is not null and cancel_reason is not null));

create index data_requests_pending_idx on public.data_requests (organization_id, kind)
where status = 'pending';

-- ---------------------------------------------------------------------------------------------
-- Erased logins: an erased student's login may no longer act in Tutela; the row goes with the
-- login when Supabase Auth deletes it.
-- ---------------------------------------------------------------------------------------------
create table private.erased_users (
  user_id uuid primary key references auth.users (id) on delete cascade,
  erased_at timestamptz not null default now(),
  request_id uuid not null
);

alter table private.erased_users enable row level security;
revoke all on table private.erased_users from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Payment callbacks: a stored payload is at most 64 KiB of JSON text (record_payment_event and
-- record_payment_callback record a larger one as rejected without its payload,
-- docs/payments.md). Rows stored before keep their size (not valid: checked for new rows only).
-- ---------------------------------------------------------------------------------------------
alter table public.payment_events
add constraint payment_events_payload_size_check
check (payload is null or octet_length(payload::text) <= 65536) not valid;
alter table public.payments
add constraint payments_raw_payload_size_check
check (octet_length(raw_payload::text) <= 65536) not valid;
