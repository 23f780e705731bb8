"""`tutela jobs`: run-due runs what is due once, install explains itself without pg_cron."""

from __future__ import annotations

import json
from typing import Any

from py_admin.db import connect
from py_admin.jobs import list_jobs, run_due
from py_admin.migrate import migrate


def test_run_due_runs_each_job_once_per_interval(empty_db: str) -> None:
    migrate(empty_db)
    first = {r.name: r for r in run_due(empty_db)}
    assert set(first) == {
        "drain_achievements", "early_warnings", "expire_consents", "expire_invites",
        "purge_alerts", "weekly_digest",
    }
    assert all(r.error is None for r in first.values())
    assert run_due(empty_db) == []  # nothing is due again yet
    with connect(empty_db, autocommit=True) as conn:
        conn.execute("update tutela_private.jobs set last_run_at = now() - interval '2 minutes' "
                     "where name = 'drain_achievements'")
    assert [r.name for r in run_due(empty_db)] == ["drain_achievements"]
    assert len(run_due(empty_db, force=True)) == 6
    jobs = {j["name"]: j for j in list_jobs(empty_db)}
    assert jobs["weekly_digest"]["schedule"] == "0 6 * * 1"
    assert jobs["weekly_digest"]["last_run_at"] is not None


def test_failing_job_is_recorded_and_the_command_exits_1(empty_db: str, cli: Any) -> None:
    migrate(empty_db)
    with connect(empty_db, autocommit=True) as conn:
        conn.execute("update tutela_private.jobs set command = 'select 1/0' where name = "
                     "'purge_alerts'")
    proc = cli("jobs", "run-due", "--json", "--database-url", empty_db)
    assert proc.returncode == 1
    runs = {r["name"]: r for r in json.loads(proc.stdout)}
    assert "division by zero" in runs["purge_alerts"]["error"]
    assert runs["weekly_digest"]["error"] is None  # one failure does not stop the others
    with connect(empty_db) as conn:
        row = conn.execute(
            "select last_error from tutela_private.jobs where name = 'purge_alerts'").fetchone()
    assert row is not None and "division by zero" in str(row[0])


def test_install_without_pg_cron_is_a_clear_error(empty_db: str, cli: Any) -> None:
    migrate(empty_db)
    proc = cli("jobs", "install", "--database-url", empty_db)
    assert proc.returncode == 1
    assert "pg_cron is not installed" in proc.stderr and "run-due" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_due_while_another_run_holds_the_jobs_says_so(empty_db: str, cli: Any) -> None:
    """Issue 27, finding 5: a second `jobs run-due` while another run holds the jobs says that
    another run is in progress, not that nothing was due."""
    migrate(empty_db)
    with connect(empty_db) as holder:
        holder.execute("update tutela_private.jobs set last_run_at = null")
        holder.commit()
        # the other run: it holds every job row until it commits
        held = [len(holder.execute("select name from tutela_private.jobs for update").fetchall())]
        assert held[0] > 0
        out = cli("jobs", "run-due", "--database-url", empty_db)
        assert out.returncode == 0, out.stderr
        assert "another run of the jobs is in progress" in out.stdout
        assert f"{held[0]} due job(s)" in out.stdout
        assert "no job was due" not in out.stdout
        holder.rollback()
    out = cli("jobs", "run-due", "--database-url", empty_db)
    assert "another run" not in out.stdout and "Jobs run" in out.stdout
