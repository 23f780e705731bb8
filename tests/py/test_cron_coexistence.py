"""Tutela's pg_cron jobs beside an app's (issue 26): job names are global, Tutela's carry `tutela_`.

pg_cron keeps its jobs in one database per server (`cron.database_name`; the harness's clusters
preload pg_cron with `tutela_cron`, py_admin/cluster.py), and its extension can only be created
there: every test here makes that database anew, installs Tutela into it, and drops it after.
In the test clusters no job can run (their connections go nowhere), so what is compared is what
cron.job holds, never a side effect of a run.

- An app whose jobs have the names of every one of Tutela's (read from a fresh install's
  `tutela_private.jobs`) with its own commands, one of them inactive, plus one of its own:
  `tutela migrate` and `tutela jobs install` leave each of them byte for byte as it was and add
  Tutela's as `tutela_<name>`; `tutela uninstall` removes Tutela's and leaves cron.job exactly as
  before the install.
- The 0.1 upgrade: 0.1 registered its jobs by their bare names (`cron.schedule` upserts by name
  and user, so an app's job of the same name and user became Tutela's then). Migration 0016
  renames each to `tutela_<name>` with the new command (same job id and schedule), and leaves
  alone an app's job of the same name under another role (with its own command) and an app's
  job of a name 0.1 never used.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from test_upgrade import release_project

from py_admin.cluster import CRON_DB
from py_admin.db import scratch_database, with_dbname
from py_admin.jobs import CRON_PREFIX, install
from py_admin.migrate import migrate
from py_admin.pgbin import find_install
from py_admin.uninstall import uninstall

ROOT = Path(__file__).resolve().parents[2]
APP_COMMAND = "select 'the app''s own {name}: é'  -- kept byte for byte\n"
JOB_COLUMNS = "jobid, jobname, schedule, command, nodename, nodeport, database, username, active"


def _external_server() -> bool:
    return bool(os.environ.get("TUTELA_TEST_DATABASE_URL")) or (
        os.environ.get("TUTELA_TEST_BACKEND") == "docker")


@pytest.fixture(scope="module")
def cron_database(server_url: str) -> str:
    """The database named by cron.database_name (checked: pg_cron is loaded, and its database is
    the harness's dedicated one, which these tests may drop)."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        libs = str(conn.execute("show shared_preload_libraries").fetchone()[0])  # type: ignore[index]
        row = conn.execute("select current_setting('cron.database_name', true)").fetchone()
        current = str(conn.execute("select current_database()").fetchone()[0])  # type: ignore[index]
    name = row[0] if row else None
    if "pg_cron" not in [x.strip() for x in libs.split(",")] or not name:
        install_ = find_install()
        if not _external_server() and install_ is not None and install_.has_pg_cron:
            pytest.fail("pg_cron is installed but the test cluster did not preload it "
                        f"(shared_preload_libraries = {libs!r})")
        pytest.skip("the server does not preload pg_cron (`make setup` installs it)")
    if name != CRON_DB or name == current:
        # a server of someone else's (Supabase's image keeps pg_cron in `postgres`): its pg_cron
        # database is not the harness's own, and these tests drop it
        pytest.skip(f"pg_cron's database is {name!r}, not the harness's {CRON_DB!r}")
    return str(name)


@pytest.fixture
def cron_db(server_url: str, cron_database: str, local_cluster: Any) -> Iterator[str]:
    """pg_cron's database, made anew with the extension (enabled by the platform, as on
    Supabase); dropped afterwards (and made again as the cluster's start leaves it, for pg_cron's
    launcher to connect to)."""
    ident = sql.Identifier(cron_database)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(ident))
        admin.execute(sql.SQL("create database {}").format(ident))
    url = with_dbname(server_url, cron_database)
    local_cluster.setup_cron()
    try:
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(ident))
            admin.execute(sql.SQL("create database {}").format(ident))
        local_cluster.setup_cron()


@pytest.fixture(scope="module")
def app_role(server_url: str) -> Iterator[str]:
    """A role of the app's own that schedules some of its jobs (pg_cron keys names by user);
    dropped after the module, when the databases holding its grants are gone."""
    name = f"cron_app_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create role {}").format(sql.Identifier(name)))
        # on Supabase `postgres` has CREATEROLE, not superuser: it may act as the role it made
        # only once a member (PostgreSQL 15 makes the creator none)
        admin.execute(sql.SQL("grant {} to current_user").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def tutela_jobs(server_url: str) -> dict[str, tuple[str, str]]:
    """Tutela's jobs (name -> schedule, command), read from a fresh install's catalog."""
    with scratch_database(server_url, prefix="tutela_pytest_jobs") as url:
        migrate(url, root=ROOT)
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "select name, schedule, command from tutela_private.jobs order by name"
            ).fetchall()
    assert len(rows) >= 6
    return {str(n): (str(s), str(c)) for n, s, c in rows}


def cron_jobs(conn: Any) -> list[tuple[Any, ...]]:
    """Every row of cron.job, every column, in job id order."""
    return [tuple(r) for r in conn.execute(
        f"select {JOB_COLUMNS} from cron.job order by jobid").fetchall()]


def schedule(conn: Any, name: str, when: str, command: str, *, role: str | None = None) -> int:
    """cron.schedule as the app calls it, as the current user or as `role`."""
    if role is not None:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    row = conn.execute("select cron.schedule(%s, %s, %s)", (name, when, command)).fetchone()
    if role is not None:
        conn.execute("reset role")
    return int(row[0])


# ---- an app's jobs of Tutela's names ---------------------------------------------------------
def test_install_and_uninstall_leave_the_apps_jobs_of_the_same_names_alone(
    cron_db: str, tutela_jobs: dict[str, tuple[str, str]]
) -> None:
    with psycopg.connect(cron_db, autocommit=True) as conn:
        for i, name in enumerate(tutela_jobs):
            schedule(conn, name, f"{i} 3 * * *", APP_COMMAND.format(name=name))
        schedule(conn, "nightly_cleanup", "30 2 * * *", "delete from pg_temp.nothing")
        first = next(iter(tutela_jobs))
        conn.execute("select cron.alter_job(jobid, active := false) from cron.job "
                     "where jobname = %s", (first,))
        before = cron_jobs(conn)
    assert len(before) == len(tutela_jobs) + 1
    app = {r[0]: r for r in before}

    migrate(cron_db, root=ROOT)
    with psycopg.connect(cron_db) as conn:
        assert cron_jobs(conn) == before  # installing the schema schedules nothing
        assert {str(r[0]) for r in conn.execute("select name from tutela_private.jobs")} == set(
            tutela_jobs)

    names = install(cron_db)
    assert names == [f"{CRON_PREFIX}{n}" for n in sorted(tutela_jobs)]
    with psycopg.connect(cron_db) as conn:
        after = cron_jobs(conn)
    # the app's jobs: the same rows, every column (name, schedule, command, active, user...)
    assert [r for r in after if r[0] in app] == before
    ours = {r[1]: r for r in after if r[0] not in app}
    assert set(ours) == {f"{CRON_PREFIX}{n}" for n in tutela_jobs}
    for name, (when, command) in tutela_jobs.items():
        row = ours[f"{CRON_PREFIX}{name}"]
        assert (row[2], row[3], row[8]) == (when, command, True), name

    # installing again changes nothing (cron.schedule upserts Tutela's own names)
    assert install(cron_db) == names
    with psycopg.connect(cron_db) as conn:
        assert cron_jobs(conn) == after

    removed = uninstall(cron_db)
    assert {f"pg_cron job {n}" for n in names} <= set(removed.outside)
    with psycopg.connect(cron_db) as conn:
        assert cron_jobs(conn) == before  # Tutela's gone, the app's as they were, nothing else
        assert conn.execute("select to_regnamespace('tutela_private')").fetchone() == (None,)


# ---- the 0.1 upgrade --------------------------------------------------------------------------
@pytest.mark.parametrize("as_role", ["postgres", "superuser"])
def test_upgrade_from_0_1_prefixes_tutelas_jobs_and_leaves_the_apps_alone(
    cron_db: str, app_role: str, tmp_path: Path, as_role: str, local_cluster: Any
) -> None:
    """As Supabase's postgres (may not write cron.job: its jobs are scheduled again under the
    new names) and as a superuser (plain PostgreSQL: the rows are renamed in place)."""
    if as_role == "superuser":
        cron_db = local_cluster.admin_url(cron_db.rsplit("/", 1)[1])
    user = psycopg.conninfo.conninfo_to_dict(cron_db)["user"]
    old = release_project(tmp_path / "release")
    migrate(cron_db, root=old)
    with psycopg.connect(cron_db, autocommit=True) as conn:
        released = [(str(n), str(s), str(c)) for n, s, c in conn.execute(
            "select name, schedule, command from private.jobs order by name")]
        assert len(released) >= 6
        taken, shared = released[0][0], released[1][0]
        # the app's job of a name 0.1 also used, scheduled by the same user before Tutela 0.1
        # was installed: 0.1's cron.schedule overwrote it, so from then on it is Tutela's
        overwritten = schedule(conn, taken, "5 4 * * *", APP_COMMAND.format(name=taken))
        # the app's job of one of 0.1's names under a role of its own (another job for pg_cron)
        conn.execute(sql.SQL("grant usage on schema cron to {}").format(
            sql.Identifier(app_role)))
        other_user = schedule(conn, shared, "7 4 * * *", APP_COMMAND.format(name=shared),
                              role=app_role)
        # and the app's job of a name 0.1 never used
        own = schedule(conn, "nightly_cleanup", "30 2 * * *", "delete from pg_temp.nothing")
        # Tutela 0.1's `tutela jobs install`: every job under its bare name
        ids = {name: schedule(conn, name, when, command) for name, when, command in released}
        assert ids[taken] == overwritten
        before = {r[0]: r for r in cron_jobs(conn)}
    apps = {other_user: before[other_user], own: before[own]}
    assert before[other_user][1] == shared and before[other_user][7] == app_role

    migrate(cron_db, root=ROOT)
    with psycopg.connect(cron_db) as conn:
        after = {r[0]: r for r in cron_jobs(conn)}
        head = {str(n): str(c) for n, c in conn.execute(
            "select name, command from tutela_private.jobs")}
    for jobid, row in apps.items():
        assert after[jobid] == row  # the app's: every column as it was
    moved = {r[1]: r for r in after.values() if r[0] not in apps}
    assert set(moved) == {f"{CRON_PREFIX}{n}" for n, _, _ in released}  # none added or lost
    for name, when, _ in released:
        row = moved[f"{CRON_PREFIX}{name}"]
        assert (row[2], row[3], row[7], row[8]) == (when, head[name], user, True), row
        if as_role == "superuser":
            assert row[0] == ids[name]  # renamed in place: the same job and its history

    # head's `tutela jobs install` finds them under its names: no second copy
    install(cron_db)
    with psycopg.connect(cron_db) as conn:
        reinstalled = cron_jobs(conn)
    ours = {r[1]: r[0] for r in reinstalled if r[7] == user and r[0] not in apps}
    assert len(ours) == len([r for r in reinstalled if r[0] not in apps])  # names unique
    assert set(ours) == {f"{CRON_PREFIX}{n}" for n in head}
    assert all(ours[name] == row[0] for name, row in moved.items())  # the moved ones kept
    uninstall(cron_db)
    with psycopg.connect(cron_db) as conn:
        assert {r[0]: r for r in cron_jobs(conn)} == apps
