"""`tutela privacy erase`: the request is carried out once, nothing of the student remains."""

from __future__ import annotations

import json
from typing import Any

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.demo import NOAH_STUDENT, NOAH_USER, run_demo
from py_admin.migrate import migrate


def _mentions(conn: Any, value: str) -> list[str]:
    """Every (table.column) of public and private that still holds the value."""
    hits: list[str] = []
    columns = conn.execute(
        """
        select table_schema, table_name, column_name, data_type
        from information_schema.columns
        where table_schema in ('tutela', 'tutela_private')
          and data_type in ('uuid', 'jsonb', 'text')
          and (table_schema, table_name) in (
            select table_schema, table_name from information_schema.tables
            where table_type = 'BASE TABLE')
        """
    ).fetchall()
    for schema, table, column, dtype in columns:
        cond = f'"{column}" = %s::uuid' if dtype == "uuid" else f'"{column}"::text like %s'
        param = value if dtype == "uuid" else f"%{value}%"
        found = conn.execute(
            f'select exists (select 1 from "{schema}"."{table}" where {cond})', (param,)
        ).fetchone()[0]
        if found:
            hits.append(f"{schema}.{table}.{column}")
    return hits


def test_erase_removes_every_trace_of_the_student(empty_db: str, cli: Any) -> None:
    migrate(empty_db)
    run_demo(empty_db)
    with connect(empty_db) as conn:
        assert _mentions(conn, NOAH_STUDENT)  # the demo gives Noah data everywhere
        # Noah asks himself: at 17 he is over the consent age (16)
        conn.execute(
            "update tutela.students set birth_date = current_date - interval '17 years' "
            "where id = %s", (NOAH_STUDENT,))
        conn.commit()
        with acting_as(conn, NOAH_USER) as c:
            request = c.execute(
                "select id from tutela.request_data_erasure(%s)", (NOAH_STUDENT,)
            ).fetchone()[0]
    proc = cli("privacy", "erase", "--request", str(request), "--json", "--yes",
               "--database-url", empty_db)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["deleted"]["card_reviews"] > 0 and report["deleted"]["students"] == 1
    with connect(empty_db) as conn:
        assert _mentions(conn, NOAH_STUDENT) == []
        pseudonym = report["pseudonym"]
        kept = conn.execute(
            "select count(*) from tutela.link_events where student_id = %s", (pseudonym,)
        ).fetchone()[0]
        assert kept > 0  # the audit trail stays, pseudonymised
    again = cli("privacy", "erase", "--request", str(request), "--yes",
               "--database-url", empty_db)
    assert again.returncode == 1
    assert "TU409" in again.stderr and "Traceback" not in again.stderr
    bad = cli("privacy", "erase", "--request", "not-a-uuid", "--yes",
              "--database-url", empty_db)
    assert bad.returncode == 1 and "not a request id" in bad.stderr
