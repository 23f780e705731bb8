-- tutela:created 20261207170300
-- Delivery that survives outages (issue 27). The outbox keeps, per message: the number of the
-- claim that holds it (claims: a claim's identity, distinct from attempts), the lease its
-- claimer took (lease_seconds: the row's own, set at claim; another claimer waits for exactly
-- that long), how many times an outage deferred it without counting an attempt (deferrals),
-- and the time limit after which an undelivered message ends dead (deliver_until; null for
-- invites: an invite's email stays deliverable until the invite itself expires). A message's
-- own temporary failures end it only after max_attempts, now 10 by default (about 14 hours
-- of backoff). Functions in rpc/notifications.sql; docs/notifications.md.

alter table private.notification_outbox
add column claims integer not null default 0 check (claims >= 0),
add column lease_seconds integer not null default 300
check (lease_seconds between 10 and 86400),
add column deferrals integer not null default 0 check (deferrals >= 0),
add column deliver_until timestamptz,
alter column max_attempts set default 10;

-- a message in flight keeps its claim number (the dispatcher passed attempts as the claim)
update private.notification_outbox set claims = attempts;

-- (messages already queued keep the max_attempts they were queued with: an upgrade changes no
-- row's values, and outages no longer use up attempts anyway)

-- the messages of one invite (a resend cancels what is queued; the roster asks whether the
-- invite's email is dead)
create index notification_outbox_invite_idx
on private.notification_outbox ((payload ->> 'invite_id'), status)
where kind in ('guardian_invite', 'student_invite', 'member_invite');

-- the operator's view (tutela outbox list): what is stuck, by status and age
create index notification_outbox_status_idx on private.notification_outbox (status, created_at)
where status in ('pending', 'sending', 'dead');
