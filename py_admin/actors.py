"""Act as an API caller from Python, the way PostgREST does: one transaction with `role`
and `request.jwt.claims` set locally, so RLS and `auth.uid()` see that user."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

Conn = psycopg.Connection[Any]


def claims_for(user_id: str, email: str | None = None) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": str(user_id), "role": "authenticated", "aud": "authenticated", "email": email,
        "aal": "aal1", "iat": now, "exp": now + 3600,
    }


@contextmanager
def acting_as(conn: Conn, user_id: str | None, *, role: str = "authenticated",
              email: str | None = None) -> Iterator[Conn]:
    """Run the block as a signed-in user (or as `anon` / `service_role` with user_id None).

    Commits on success, rolls back on error; the role is reset either way.
    """
    claims: dict[str, Any] = claims_for(user_id, email) if user_id else {"role": role}
    with conn.transaction():
        conn.execute(
            "select set_config('request.jwt.claims', %s, true), set_config('role', %s, true)",
            (json.dumps(claims), role if not user_id else "authenticated"),
        )
        yield conn
        # reset only on success: after an error the transaction is aborted and rolled back,
        # and the role and claims (transaction-local) go with it
        conn.execute("select set_config('role', 'none', true)")
