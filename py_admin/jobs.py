"""Scheduled jobs: registered with pg_cron where it is installed, runnable without it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError

CRON_PREFIX = "tutela_"  # pg_cron job names are global: Tutela's carry its prefix


@dataclass(frozen=True)
class JobRun:
    name: str
    result: str | None
    error: str | None


def require_jobs(conn: Any) -> None:
    """Stop with a message (not a server error) on a database without Tutela's jobs table."""
    row = conn.execute("select to_regclass('tutela_private.jobs') is not null").fetchone()
    if not row or not row[0]:
        conn.rollback()
        raise TutelaError(
            "Tutela is not installed in this database (it has no tutela_private.jobs)",
            hint="`tutela migrate` installs it; `tutela status` shows what the database has",
        )


def list_jobs(url: str) -> list[dict[str, Any]]:
    """Every job with its schedule and last run (read as the database owner)."""
    from psycopg.rows import dict_row

    with connect(url) as conn:
        require_jobs(conn)
        cur = conn.cursor(row_factory=dict_row)
        rows = cur.execute(
            "select name, schedule, every::text as every, command, last_run_at, last_result, "
            "last_error from tutela_private.jobs order by name"
        ).fetchall()
    return rows


def run_due(url: str, *, force: bool = False) -> list[JobRun]:
    """Run the jobs whose interval has passed (all of them with force), as the service role."""
    with connect(url) as conn:
        require_jobs(conn)
    with connect(url) as conn, acting_as(conn, None, role="service_role") as c:
        rows = c.execute("select * from tutela.run_due_jobs(%s)", (force,)).fetchall()
    return [JobRun(str(r[0]), r[1], r[2]) for r in rows]


def held_elsewhere(url: str, *, force: bool = False) -> int:
    """How many of the jobs run_due would run are locked by another run right now (run_due
    skips them): counted in a transaction that is rolled back."""
    with connect(url) as conn:
        row = conn.execute(
            """
            with due as (
              select j.name from tutela_private.jobs as j
              where %(force)s or j.last_run_at is null or j.last_run_at <= now() - j.every
            ), free as (
              select j.name from tutela_private.jobs as j
              where j.name in (select name from due)
              for update skip locked
            )
            select (select count(*) from due) - (select count(*) from free)
            """,
            {"force": force},
        ).fetchone()
        conn.rollback()
    return int(str(row[0])) if row else 0


def install(url: str) -> list[str]:
    """Register every job with pg_cron under the name ``tutela_<job>`` (cron.schedule upserts
    by name, so the prefix keeps an app's own job of the same name apart). Returns the names."""
    with connect(url) as conn:
        require_jobs(conn)
        has_cron = conn.execute(
            "select exists (select 1 from pg_extension where extname = 'pg_cron')"
        ).fetchone()
        if not has_cron or not has_cron[0]:
            raise TutelaError(
                "pg_cron is not installed in this database",
                hint="on Supabase enable the pg_cron extension; elsewhere run "
                "`tutela jobs run-due` every minute from cron or a systemd timer",
            )
        names: list[str] = []
        for name, schedule, command in conn.execute(
            "select name, schedule, command from tutela_private.jobs order by name"
        ).fetchall():
            cron_name = f"{CRON_PREFIX}{name}"
            conn.execute("select cron.schedule(%s, %s, %s)", (cron_name, schedule, command))
            names.append(cron_name)
        conn.commit()
    return names
