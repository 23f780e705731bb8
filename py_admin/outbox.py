"""The operator's view of the notification outbox (``tutela outbox list|retry|requeue``).

- ``list``: what waits or ended dead, newest problem first, with filters;
- ``retry``: pending messages waiting for their backoff (or for the dispatcher's wait after an
  outage) become due now;
- ``requeue``: dead messages go back to the queue with fresh attempts and time limit; a dead
  invite has lost its token, so the invite is re-issued instead (a new token, a new email)
  while it can still be accepted (``tutela_private.requeue_outbox``).

Runs as the database owner (the CLI's connection), like ``tutela jobs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from py_admin.db import connect
from py_admin.errors import TutelaError

STATUSES = ("pending", "sending", "sent", "dead", "cancelled")
LISTED_BY_DEFAULT = ("pending", "sending", "dead")


@dataclass(frozen=True)
class OutboxFilter:
    statuses: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    error: str | None = None
    older_than_minutes: float | None = None
    recipient: str | None = None

    def is_empty(self) -> bool:
        return not (self.statuses or self.templates or self.channels or self.ids or self.error
                    or self.older_than_minutes is not None or self.recipient)

    def where(self, default_statuses: tuple[str, ...]) -> tuple[sql.Composable, list[Any]]:
        for status in self.statuses:
            if status not in STATUSES:
                raise TutelaError(f"unknown status {status!r}",
                                  hint="one of " + ", ".join(STATUSES))
        parts: list[sql.Composable] = [sql.SQL("o.status = any(%s)")]
        params: list[Any] = [list(self.statuses or default_statuses)]
        if self.templates:
            parts.append(sql.SQL("o.template = any(%s)"))
            params.append(list(self.templates))
        if self.channels:
            parts.append(sql.SQL("o.channel = any(%s)"))
            params.append(list(self.channels))
        if self.ids:
            parts.append(sql.SQL("o.id::text = any(%s)"))
            params.append(list(self.ids))
        if self.error:
            parts.append(sql.SQL("o.last_error ilike %s"))
            params.append("%" + self.error.replace("%", r"\%").replace("_", r"\_") + "%")
        if self.older_than_minutes is not None:
            parts.append(sql.SQL("o.created_at < now() - make_interval(mins => %s)"))
            params.append(self.older_than_minutes)
        if self.recipient:
            parts.append(sql.SQL("coalesce(o.recipient_email, u.email::text) ilike %s"))
            params.append("%" + self.recipient + "%")
        return sql.SQL(" and ").join(parts), params


def list_outbox(url: str, flt: OutboxFilter, limit: int = 100) -> dict[str, Any]:
    """The messages matching ``flt`` (at most ``limit``) and the counts per status."""
    where, params = flt.where(LISTED_BY_DEFAULT)
    query = sql.SQL(
        "select o.id::text as id, o.status, o.channel, o.template, o.idempotency_key, "
        "coalesce(o.recipient_email, u.email::text) as recipient, o.attempts, o.max_attempts, "
        "o.deferrals, o.created_at, o.next_attempt_at, o.deliver_until, o.last_error, "
        "o.cancel_reason from tutela_private.notification_outbox as o "
        "left join auth.users as u on u.id = o.recipient_user_id where {} "
        "order by o.status = 'dead' desc, o.next_attempt_at, o.created_at limit %s"
    ).format(where)
    with connect(url, autocommit=True) as conn:
        cur = conn.cursor(row_factory=dict_row)
        messages = cur.execute(query, [*params, limit]).fetchall()
        counts: dict[str, int] = {
            str(status): int(str(n)) for status, n in conn.execute(
                "select status, count(*) from tutela_private.notification_outbox group by status"
            ).fetchall()
        }
        overdue = conn.execute(
            "select count(*) from tutela_private.notification_outbox "
            "where status = 'pending' and next_attempt_at < now() - interval '10 minutes'"
        ).fetchone()
    return {"messages": messages, "counts": counts,
            "overdue": int(str(overdue[0])) if overdue else 0}


def _require_filter(flt: OutboxFilter, everything: bool) -> None:
    if flt.is_empty() and not everything:
        raise TutelaError("say which messages: a filter (--status, --template, --channel, "
                          "--error, --older-than, --recipient, --id), or --all")


def retry_outbox(url: str, flt: OutboxFilter, everything: bool = False) -> int:
    """Pending messages matching ``flt`` become due now; how many."""
    _require_filter(flt, everything)
    where, params = flt.where(("pending",))
    query = sql.SQL(
        "update tutela_private.notification_outbox as t set next_attempt_at = now() "
        "where t.status = 'pending' and t.next_attempt_at > now() and t.id in ("
        "select o.id from tutela_private.notification_outbox as o "
        "left join auth.users as u on u.id = o.recipient_user_id where {})"
    ).format(where)
    with connect(url, autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.rowcount


def requeue_outbox(url: str, flt: OutboxFilter, everything: bool = False) -> list[dict[str, Any]]:
    """Dead messages matching ``flt`` back in the queue (a dead invite: re-issued); one
    ``{id, outcome}`` per message."""
    _require_filter(flt, everything)
    where, params = flt.where(("dead",))
    query = sql.SQL(
        "select r.id::text as id, r.outcome from tutela_private.requeue_outbox(array("
        "select o.id from tutela_private.notification_outbox as o "
        "left join auth.users as u on u.id = o.recipient_user_id where {})) as r"
    ).format(where)
    with connect(url, autocommit=False) as conn:
        cur = conn.cursor(row_factory=dict_row)
        result = cur.execute(query, params).fetchall()
        conn.commit()
    return result
