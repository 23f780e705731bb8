"""`tutela privacy erase`: carry out a data erasure request, as the service role."""

from __future__ import annotations

from typing import Any

import psycopg

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError


def erase(url: str, request_id: str) -> dict[str, Any]:
    """Run public.erase_student_data for one request in one transaction; returns its report."""
    with connect(url) as conn:
        try:
            with acting_as(conn, None, role="service_role") as c:
                row = c.execute(
                    "select public.erase_student_data(%s)", (request_id,)
                ).fetchone()
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
