"""`tutela privacy erase`: carry out a data erasure request, as the service role.

Two steps, each its own transaction: `describe` reads who asked, when, on what right, whether
they still hold it, and what would be erased (nothing changes); `erase` runs
tutela.erase_student_data, which checks the requester's right again in its own transaction and
either erases or cancels the request (the cancellation is committed: it is the record of why).
"""

from __future__ import annotations

from typing import Any

import psycopg

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError


def _call(url: str, sql: str, request_id: str) -> dict[str, Any]:
    with connect(url) as conn:
        try:
            with acting_as(conn, None, role="service_role") as c:
                row = c.execute(sql, (request_id,)).fetchone()
        except psycopg.errors.InvalidTextRepresentation:
            raise TutelaError(f"{request_id!r} is not a request id (a uuid)") from None
        except psycopg.Error as exc:
            diag = exc.diag
            raise TutelaError(
                f"the erasure was refused: {diag.message_primary} (SQLSTATE {diag.sqlstate}); "
                "nothing was deleted",
                hint=diag.message_hint,
            ) from None
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def describe(url: str, request_id: str) -> dict[str, Any]:
    """Who asked for the erasure, when, on what right, and what it would erase; no change."""
    return _call(url, "select tutela.describe_erasure_request(%s)", request_id)


def erase(url: str, request_id: str) -> dict[str, Any]:
    """Run tutela.erase_student_data for one request in one transaction; returns its report.

    A request whose requester no longer holds the right comes back with status `cancelled`
    and a reason; that cancellation is committed and nothing is erased.
    """
    return _call(url, "select tutela.erase_student_data(%s)", request_id)
