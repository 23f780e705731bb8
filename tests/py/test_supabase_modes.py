"""Tutela on Supabase as it is today and on an older project: the same privileges either way.

The session's cluster stands in for one Supabase (``TUTELA_SUPABASE_MODE``, default ``today``:
no default privileges for the API roles, ``postgres`` not a superuser); this module makes a
cluster of the other mode (``legacy``: an older project whose default privileges grant every
new table, sequence and function to anon, authenticated and service_role, in public and, the
widest case, everywhere). In both, as the non-superuser ``postgres``:

- Tutela's objects carry exactly the same privileges (nothing depends on default privileges,
  and what an older project's defaults add Tutela revokes);
- the privilege matrix passes and is cell for cell the same;
- ``supabase/`` applies with the real Supabase CLI (``supabase db push --db-url``) and
  ``supabase/tests`` pass under ``pg_prove``, as ``supabase test db`` runs them;
- the demo data and a parent's dashboard come out the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from py_admin.cluster import Cluster
from py_admin.db import scratch_database, with_dbname
from py_admin.demo import run_demo
from py_admin.matrix import run_matrix
from py_admin.migrate import migrate
from py_admin.pgtap import install_test_support

ROOT = Path(__file__).resolve().parents[2]
SUPABASE_CLI = ROOT / "node_modules" / ".bin" / "supabase"
API_ROLES = ("anon", "authenticated", "service_role")


@pytest.fixture(scope="module")
def servers(server_url: str, server_mode: str | None) -> Iterator[dict[str, str]]:
    """{mode: maintenance-database URL} for both modes: the session's and one made here."""
    first = server_mode or "today"
    other = "legacy" if first == "today" else "today"
    base = Path(tempfile.mkdtemp(prefix=f"tutela-pytest-{other}-"))
    os.chmod(base, 0o755)
    cluster = Cluster(base, ephemeral=True, mode=other)
    try:
        cluster.start()
        assert cluster.mode == other
        yield {first: server_url, other: with_dbname(cluster.url(), "postgres")}
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def migrated(servers: dict[str, str]) -> Iterator[dict[str, str]]:
    """A database per mode, migrated by `tutela migrate` (as postgres), with test support."""
    with scratch_database(servers["today"], prefix="tutela_pytest_modes") as today, \
            scratch_database(servers["legacy"], prefix="tutela_pytest_modes") as legacy:
        for url in (today, legacy):
            migrate(url, root=ROOT)
            install_test_support(url, root=ROOT)
        yield {"today": today, "legacy": legacy}


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(query).fetchall()]


# every privilege PUBLIC and the API roles hold on the objects in Tutela's schemas (and on the
# schemas), as (object, grantee, privilege, grantable)
TUTELA_ACL = """
with objects as (
  select format('schema %I', n.nspname) as obj, n.nspacl as acl, n.nspowner as owner
  from pg_namespace as n where n.nspname like 'tutela%'
  union all
  select format('%s %s', c.relkind, c.oid::regclass), c.relacl, c.relowner
  from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
  where n.nspname like 'tutela%' and c.relkind in ('r', 'v', 'm', 'S', 'p', 'f')
  union all
  select format('function %s', p.oid::regprocedure), p.proacl, p.proowner
  from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
  where n.nspname like 'tutela%'
)
select o.obj, coalesce(r.rolname, 'PUBLIC'), a.privilege_type, a.is_grantable
from objects as o
cross join lateral aclexplode(
  coalesce(o.acl, acldefault(case when o.obj like 'function %' then 'f'
                                  when o.obj like 'schema %' then 'n' else 'r' end::"char",
                             o.owner))
) as a
left join pg_roles as r on r.oid = a.grantee
where a.grantee = 0 or r.rolname in ('anon', 'authenticated', 'service_role', 'authenticator')
order by 1, 2, 3
"""


def test_the_modes_are_what_they_say(servers: dict[str, str]) -> None:
    """`postgres` is no superuser in either; only legacy grants new objects to the API roles."""
    for mode, url in servers.items():
        su = _rows(url, "select rolsuper, rolcreatedb, rolcreaterole, rolbypassrls "
                        "from pg_roles where rolname = current_user")
        assert su == [(False, True, True, True)], mode
        defaults = _rows(url, """
            select d.defaclrole::regrole::text, coalesce(n.nspname, '*'), d.defaclobjtype
            from pg_default_acl as d left join pg_namespace as n on n.oid = d.defaclnamespace
            cross join lateral aclexplode(d.defaclacl) as a
            where a.grantee in (select oid from pg_roles
                                where rolname in ('anon', 'authenticated', 'service_role'))
            group by 1, 2, 3 order by 1, 2, 3""")
        if mode == "today":
            assert defaults == [], defaults
        else:
            assert ("postgres", "*", "r") in defaults and ("postgres", "public", "f") in defaults


def test_tutela_privileges_are_the_same_in_both_modes(migrated: dict[str, str]) -> None:
    today = _rows(migrated["today"], TUTELA_ACL)
    legacy = _rows(migrated["legacy"], TUTELA_ACL)
    assert len(today) > 300
    extra = sorted(set(legacy) - set(today))
    missing = sorted(set(today) - set(legacy))
    assert not extra and not missing, (
        "privileges that differ on an older project (its default privileges leak into Tutela's "
        f"objects, or a grant depends on them):\nonly there: {extra[:40]}\n"
        f"missing there: {missing[:40]}")


def test_the_privilege_matrix_is_the_same_in_both_modes(migrated: dict[str, str]) -> None:
    results = {mode: run_matrix(url, root=ROOT) for mode, url in migrated.items()}
    for mode, result in results.items():
        bad = [f"{c.table}: {c.command} as {c.actor}: expected {c.expected}, got {c.observed}"
               for c in result.mismatches]
        assert not bad and not result.unexpected_tables, (mode, bad, result.unexpected_tables)

    def cells(mode: str) -> list[tuple[str, str, str, str]]:
        return sorted((c.table, c.command, c.actor, c.observed) for c in results[mode].cells)

    assert len(cells("today")) > 2000
    assert cells("today") == cells("legacy")


@pytest.mark.parametrize("mode", ["today", "legacy"])
def test_supabase_cli_push_then_pg_prove(mode: str, servers: dict[str, str],
                                         tmp_path: Path, supabase_push: Any) -> None:
    """What an app on Supabase gets: `supabase db push` as postgres, then `supabase/tests` with
    pg_prove file by file, as `supabase test db` runs them."""
    if not SUPABASE_CLI.exists():
        pytest.fail("the Supabase CLI is missing: `make setup` installs it (npm ci)")
    if shutil.which("pg_prove") is None:
        pytest.fail("pg_prove is not installed (make setup installs it)")
    with scratch_database(servers[mode], prefix="tutela_pytest_push") as url:
        out = supabase_push(url, tmp_path)
        assert "Finished supabase db push" in out, out
        pushed = _rows(url, "select count(*) from supabase_migrations.schema_migrations")
        assert pushed[0][0] == len(list((ROOT / "supabase" / "migrations").glob("*.sql")))
        assert _rows(url, "select current_user, (select rolsuper from pg_roles "
                          "where rolname = current_user)") == [("postgres", False)]
        tests = sorted(str(p) for p in (ROOT / "supabase" / "tests").rglob("*.test.sql"))
        assert len(tests) > 300
        proc = subprocess.run(["pg_prove", "--dbname", url, *tests],
                              capture_output=True, text=True, check=False, timeout=600)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
        assert "Result: PASS" in proc.stdout
        assert f"Files={len(tests)}," in proc.stdout


def test_the_demo_is_the_same_in_both_modes(servers: dict[str, str]) -> None:
    """`make demo`'s steps (seed, link by code, each parent's children), then a parent's
    dashboard through the CLI: the same in both modes."""

    def demo(url: str) -> list[tuple[Any, ...]]:
        migrate(url, root=ROOT)
        result = run_demo(url)
        return sorted((parent, r["display_name"], r["relation"], r["status"], r["is_primary"])
                      for parent, rows in result.children.items() for r in rows)

    with scratch_database(servers["today"], prefix="tutela_pytest_demo") as today, \
            scratch_database(servers["legacy"], prefix="tutela_pytest_demo") as legacy:
        children = demo(today)
        assert {c[1] for c in children} >= {"Mia", "Leo", "Noah"}, children
        assert demo(legacy) == children
        shown = []
        for url in (today, legacy):
            proc = subprocess.run(
                [str(Path(sys.executable).parent / "tutela"), "dashboard", "parent",
                 "--as", "pat.parent@demo.tutela.test", "--database-url", url, "--json"],
                capture_output=True, text=True, check=False, timeout=120)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            doc = json.loads(proc.stdout)
            shown.append(sorted(c["display_name"] for c in doc["children"]))
        assert shown[0] == shown[1] and "Mia" in shown[0], shown
