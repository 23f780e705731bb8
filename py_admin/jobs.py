"""Scheduled jobs: registered with pg_cron where it is installed, runnable without it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError


@dataclass(frozen=True)
class JobRun:
    name: str
    result: str | None
    error: str | None


def list_jobs(url: str) -> list[dict[str, Any]]:
    """Every job with its schedule and last run (read as the database owner)."""
    from psycopg.rows import dict_row

    with connect(url) as conn:
        cur = conn.cursor(row_factory=dict_row)
        rows = cur.execute(
            "select name, schedule, every::text as every, command, last_run_at, last_result, "
            "last_error from private.jobs order by name"
        ).fetchall()
    return rows


def run_due(url: str, *, force: bool = False) -> list[JobRun]:
    """Run the jobs whose interval has passed (all of them with force), as the service role."""
    with connect(url) as conn, acting_as(conn, None, role="service_role") as c:
        rows = c.execute("select * from public.run_due_jobs(%s)", (force,)).fetchall()
    return [JobRun(str(r[0]), r[1], r[2]) for r in rows]


def held_elsewhere(url: str, *, force: bool = False) -> int:
    """How many of the jobs run_due would run are locked by another run right now (run_due
    skips them): counted in a transaction that is rolled back."""
    with connect(url) as conn:
        row = conn.execute(
            """
            with due as (
              select j.name from private.jobs as j
              where %(force)s or j.last_run_at is null or j.last_run_at <= now() - j.every
            ), free as (
              select j.name from private.jobs as j
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
    """Register every job with pg_cron (cron.schedule upserts by name). Returns the names."""
    with connect(url) as conn:
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
            "select name, schedule, command from private.jobs order by name"
        ).fetchall():
            conn.execute("select cron.schedule(%s, %s, %s)", (name, schedule, command))
            names.append(str(name))
        conn.commit()
    return names
