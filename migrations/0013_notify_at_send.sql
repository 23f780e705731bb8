-- tutela:created 20261207170100
-- Notifications re-checked at the moment of use (issue 22, findings 3 and 4).
-- An outbox message that may no longer be sent (its recipient may not read what it carries any
-- more: link revoked, permission withdrawn, family access off, consent missing; an invite
-- withdrawn, expired or used) ends 'cancelled', with the reason and the time, and keeps no
-- secret. Functions and the trigger that cancel are in rpc/notifications.sql;
-- docs/notifications.md.

alter table private.notification_outbox
drop constraint notification_outbox_status_check,
add constraint notification_outbox_status_check
check (status in ('pending', 'sending', 'sent', 'dead', 'cancelled')),
add column cancelled_at timestamptz,
add column cancel_reason text check (char_length(cancel_reason) <= 200),
add constraint notification_outbox_cancelled_check
check ((status = 'cancelled') = (cancelled_at is not null and cancel_reason is not null));

-- a revoke or a permission change cancels what is queued for that guardian and child
create index notification_outbox_queued_idx
on private.notification_outbox (recipient_user_id, student_id)
where status in ('pending', 'sending');

-- an in-app weekly digest keeps only what its permission (progress) shows: the grades and the
-- attendance of the week go by email only, checked again when it is sent
update public.alerts
set data = data - 'grades' - 'attendance'
where type = 'weekly_digest' and (data ? 'grades' or data ? 'attendance');
