"""Upgrades without loss, and the migration runner under faults.

The previous release, Tutela 0.1 (the layout in public and private, migrations 0001-0015, as it
landed at 321c31a), is rebuilt from files in the tree (a shallow CI clone has no history):
tests/fixtures/release-0.1/tutela_repeatables.sql is the last Supabase snapshot of that release
(it holds each rpc/ and policies/ file verbatim after a `-- >>> <path>` line), and its versioned
migrations are migrations/0001-0015 (landed files never change; the runner's drift check would
stop the upgrade otherwise). The release's project is migrated with the real runner, so its
ledger is what that release recorded; then the demo data (in the release's names) and the
privilege matrix's world are loaded, the database is migrated to head (0016 moves it into
Tutela's own schemas), and every row must still be there, in its new schema (a fingerprint of
each table over the columns it had before). The upgraded catalog must equal a fresh head's
(tables, columns, constraints, indexes, triggers, functions, grants, policies, and what sits on
auth.users), nothing of Tutela's is left in public or private, and the pgTAP files run green
against a database upgraded the same way without data (the files count rows globally): the
guardianship and generated access files in CI, every file with TUTELA_HEAVY=1.

Faults: the migrating backend is terminated midway (the database is unchanged, a rerun
succeeds); two `tutela migrate` processes at once (one applies, the other waits on the
advisory lock and then has nothing to do).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from py_admin.db import scratch_database
from py_admin.matrix import build_world, load_specs, make_exempt_rows, public_tables
from py_admin.migrate import LEDGER, LEGACY_LEDGER, migrate, status
from py_admin.pgtap import install_test_support, run_file
from py_admin.seed import apply_seed

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "tests" / "fixtures" / "release-0.1"
RELEASE_LAST_MIGRATION = 15  # 0.1 is migrations 0001-0015; 0016 moves it
HEAVY = os.environ.get("TUTELA_HEAVY") == "1"
SUITE_CI = ("guardianship", "learning/access")


# ---- the previous release -------------------------------------------------------------------
def release_project(dst: Path) -> Path:
    """A project folder holding the previous release's migrations, rpc/, policies/ and demo
    seed."""
    snapshot = (RELEASE / "tutela_repeatables.sql").read_text()
    (dst / "migrations").mkdir(parents=True)
    for f in sorted((ROOT / "migrations").glob("*.sql")):
        if int(f.name[:4]) <= RELEASE_LAST_MIGRATION:
            shutil.copy(f, dst / "migrations" / f.name)
    parts = re.split(r"^-- >>> (\S+)\n", snapshot, flags=re.M)
    order: dict[str, list[str]] = {"rpc": [], "policies": []}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        folder, file = name.split("/", 1)
        (dst / folder).mkdir(exist_ok=True)
        # the build separates files with one blank line: drop it from the body again
        text = body[:-1] if body.endswith("\n\n") else body
        (dst / folder / file).write_text(text)
        order[folder].append(file.removesuffix(".sql"))
    for folder, names in order.items():
        (dst / folder / "ORDER").write_text("\n".join(names) + "\n")
    # the demo seed in the release's names
    (dst / "seeds" / "demo").mkdir(parents=True)
    for f in sorted((ROOT / "seeds" / "demo").glob("*.sql")):
        (dst / "seeds" / "demo" / f.name).write_text(to_release_names(f.read_text()))
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


def to_release_names(text: str) -> str:
    """SQL of head, in 0.1's schemas (for the seed and the matrix world loaded at 0.1)."""
    text = re.sub(r"\btutela_(?:hidden|private)\.", "private.", text)
    text = text.replace("'tutela'", "'public'")
    return re.sub(r"\btutela\.(?=[\"a-z_])", "public.", text)


def to_head_name(table: str) -> str:
    """A table's 0.1 name -> its name at head."""
    schema, name = table.split(".")
    return {"public": "tutela", "private": "tutela_private"}.get(schema, schema) + "." + name


class ReleaseNames:
    """A connection that runs head's SQL in 0.1's names (the matrix world builders)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, query: Any, params: Any = None) -> Any:
        if isinstance(query, bytes):
            query = to_release_names(query.decode()).encode()
        elif isinstance(query, str):
            query = to_release_names(query)
        return self.conn.execute(query, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def test_release_is_rebuilt_verbatim(tmp_path: Path) -> None:
    """Files unchanged since the release come out byte for byte (so the ledger is exact)."""
    old = release_project(tmp_path / "release")
    assert len(list((old / "migrations").glob("*.sql"))) >= 10
    # the split: every module of the release's ORDER came out as a file of its own that
    # starts with its header comment and holds SQL (every rpc/ file has changed since)
    for folder in ("rpc", "policies"):
        names = (old / folder / "ORDER").read_text().split()
        assert names and len(names) == len(set(names)), (folder, names)
        for name in names:
            text = (old / folder / f"{name}.sql").read_text()
            assert text.startswith("-- ") and "\n-- >>> " not in text, (folder, name)
    assert "create or replace function" in (old / "rpc" / "guardianship.sql").read_text()
    # and, where the history is there, byte for byte what the release commit held
    if shutil.which("git") and (ROOT / ".git").exists():
        for p in sorted((old / "rpc").glob("*.sql")):
            proc = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"321c31a:rpc/{p.name}"],
                capture_output=True, check=False,
            )
            if proc.returncode == 0:
                assert p.read_bytes() == proc.stdout, p.name


def fingerprints(conn: Any, columns: dict[str, list[str]] | None = None
                 ) -> tuple[dict[str, tuple[int, str]], dict[str, list[str]]]:
    """table -> (rows, md5 of its rows over `columns`), for every table of our schemas."""
    if columns is None:
        columns = {}
        for schema, table, cols in conn.execute(
            """
            select n.nspname, c.relname,
                   array_agg(a.attname::text order by a.attnum)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname in ('public', 'private', 'tutela', 'tutela_private', 'auth')
              and c.relkind in ('r', 'p')
            group by 1, 2
            """
        ):
            columns[f"{schema}.{table}"] = list(cols)
    out: dict[str, tuple[int, str]] = {}
    for table, cols in sorted(columns.items()):
        schema, name = table.split(".")
        row = sql.SQL("row({})").format(sql.SQL(", ").join(sql.Identifier(c) for c in cols))
        query = sql.SQL(
            "select count(*), coalesce(md5(string_agg(r::text, '|' order by r::text)), '') "
            "from (select {} as r from {}.{}) as t"
        ).format(row, sql.Identifier(schema), sql.Identifier(name))
        if name == "tutela_migrations":
            continue  # the ledger grows by design
        count, digest = conn.execute(query).fetchone()
        out[table] = (int(count), str(digest))
    return out, columns


@pytest.fixture(scope="module")
def upgraded(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    old = release_project(tmp_path_factory.mktemp("release") / "project")
    with scratch_database(server_url, prefix="tutela_pytest_upgrade") as url:
        first = migrate(url, root=old)
        assert first.applied
        apply_seed(url, "demo", root=old)
        with psycopg.connect(url) as conn:
            # and the privilege matrix's world: a row in every table it knows
            legacy = ReleaseNames(conn)
            variables = build_world(legacy)
            make_exempt_rows(legacy, load_specs(ROOT), public_tables(legacy), variables)
            conn.commit()
            _, columns = fingerprints(conn)
            # a job's command names the function where it lives: rpc/ rewrites it (checked
            # in test_upgrade_keeps_every_row); every other column of every row stays
            columns["private.jobs"].remove("command")
            before, columns = fingerprints(conn, columns)
            ledger_before = dict(
                conn.execute(f"select name, sha256 from {LEGACY_LEDGER}").fetchall())
        result = migrate(url, root=ROOT)
        with psycopg.connect(url) as conn:
            columns = {to_head_name(t): cols for t, cols in columns.items()}
            after, _ = fingerprints(conn, columns)
        before = {to_head_name(t): v for t, v in before.items()}
        yield {"url": url, "before": before, "after": after, "result": result,
               "ledger_before": ledger_before}


def test_upgrade_keeps_every_row(upgraded: dict[str, Any]) -> None:
    before, after = upgraded["before"], upgraded["after"]
    assert sum(n for n, _ in before.values()) > 1000  # the demo data is there
    assert sum(1 for n, _ in before.values() if n) >= 50  # in most tables
    changed = {t: (before[t], after.get(t)) for t in before if after.get(t) != before[t]}
    assert changed == {}
    with psycopg.connect(upgraded["url"]) as conn:
        commands = [r[0] for r in conn.execute("select command from tutela_private.jobs")]
    assert len(commands) >= 6
    assert not [c for c in commands if re.search(r"\b(public|private)\.", c)], commands


def test_after_the_upgrade_every_file_is_applied(upgraded: dict[str, Any]) -> None:
    # (a repeatable file the release had and head deleted would be `missing`: harmless)
    rows = [r for r in status(upgraded["url"], root=ROOT)
            if not (r.state == "missing" and r.kind == "repeatable")]
    assert [(r.name, r.state) for r in rows if r.state != "applied"] == []
    assert migrate(upgraded["url"], root=ROOT).plan.empty  # and a rerun has nothing to do


def test_upgrade_applies_only_what_changed(upgraded: dict[str, Any]) -> None:
    applied = {f.name for f in upgraded["result"].applied}
    ledger = upgraded["ledger_before"]
    # versioned files of the release are not applied again
    assert not any(re.match(r"^\d{4}_", n) and n in ledger for n in applied)
    repeatables = [f for f in upgraded["result"].applied if f.kind == "repeatable"]
    if any(f.kind == "versioned" for f in upgraded["result"].applied):
        # a new versioned file may drop or change what functions and policies use: the runner
        # re-applies every repeatable file after it (py_admin/migrate.py)
        from py_admin.migrate import repeatable_files

        assert {f.name for f in repeatables} == {f.name for f in repeatable_files()}
    else:
        # otherwise only repeatables whose checksum differs from the release's ledger (or new)
        for f in repeatables:
            assert ledger.get(f.name) != f.sha256, f.name


def _suite_files() -> list[Path]:
    base = ROOT / "tests" / "sql"
    if HEAVY:
        return sorted(base.rglob("*.test.sql"))
    files: list[Path] = []
    for sub in SUITE_CI:
        files += sorted((base / sub).glob("*.test.sql"))
    return files


OURS = "('tutela', 'tutela_private', 'tutela_hidden', 'public', 'private')"
CATALOG = """
select 'schema', n.nspname::text, coalesce(n.nspacl::text, '')
from pg_namespace n where n.nspname in OURS
union all
select 'rel', c.oid::regclass::text, c.relkind::text || c.relrowsecurity::text
  -- no ACL and the owner's ACL alone are the same grants
  || coalesce(
    c.relacl, acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner)
  )::text
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname in OURS and c.relname <> 'tutela_migrations_pkey'
union all
select 'col', a.attrelid::regclass::text || '.' || a.attname,
  format_type(a.atttypid, a.atttypmod) || a.attnotnull::text
  || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || coalesce(a.attacl::text, '')
from pg_attribute a join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where n.nspname in OURS and a.attnum > 0 and not a.attisdropped
union all
select 'fn', p.oid::regprocedure::text, md5(p.prosrc) || p.prosecdef::text
  || p.provolatile::text || coalesce(p.proconfig::text, '') || coalesce(p.proacl::text, '')
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname in OURS
union all
select 'policy', pol.polrelid::regclass::text || '.' || pol.polname,
  pol.polcmd::text || pol.polroles::text || coalesce(pg_get_expr(pol.polqual, pol.polrelid), '')
  || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
from pg_policy pol
union all
select 'con', con.conrelid::regclass::text || '.' || con.conname, pg_get_constraintdef(con.oid)
from pg_constraint con join pg_namespace n on n.oid = con.connamespace
where n.nspname in OURS
union all
select 'trg', t.tgrelid::regclass::text || '.' || t.tgname, pg_get_triggerdef(t.oid)
from pg_trigger t join pg_class c on c.oid = t.tgrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname in OURS || ('auth',) and not t.tgisinternal
union all
select 'idx', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class c on c.oid = i.indrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname in OURS
order by 1, 2
""".replace("OURS || ('auth',)", OURS[:-1] + ", 'auth')").replace("OURS", OURS)


def test_upgraded_schema_equals_a_fresh_one(upgraded: dict[str, Any], empty_db: str) -> None:
    """Tables, columns, defaults, constraints, indexes, triggers, functions (body, definer,
    search_path, grants) and policies: the upgraded database is the schema of head."""
    migrate(empty_db, root=ROOT)
    with psycopg.connect(upgraded["url"]) as a, psycopg.connect(empty_db) as b:
        up, fresh = a.execute(CATALOG).fetchall(), b.execute(CATALOG).fetchall()
    assert len(fresh) > 1000
    assert set(up) ^ set(fresh) == set()
    # nothing of Tutela's is left where 0.1 kept it, and the sign-up trigger carries the prefix
    assert not [r for r in up if r[1].startswith(("public.", "private."))]
    assert ("schema", "private", "") not in {(r[0], r[1], "") for r in up}
    assert any(r[0] == "trg" and r[1] == "auth.users.tutela_on_auth_user_created" for r in up)


@pytest.fixture(scope="module")
def upgraded_empty(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The release migrated to head without data: the pgTAP files count rows globally (e.g.
    "the refused calls added no student"), so they run where only they write."""
    old = release_project(tmp_path_factory.mktemp("release_empty") / "project")
    with scratch_database(server_url, prefix="tutela_pytest_upgrade_tap") as url:
        migrate(url, root=old)
        migrate(url, root=ROOT)
        install_test_support(url, root=ROOT)
        yield url


def test_pgtap_suite_passes_on_an_upgraded_database(upgraded_empty: str) -> None:
    files = _suite_files()
    assert len(files) >= 60
    failed = []
    for path in files:
        res = run_file(upgraded_empty, path)
        if not res.ok:
            failed.append(f"{path.relative_to(ROOT)}: " + "; ".join(res.problems[:3]))
    assert failed == []


# ---- faults ---------------------------------------------------------------------------------
SLOW = (
    "-- tutela:created 20991231000000\n"
    "create table tutela.half_done (id int primary key);\n"
    "alter table tutela.half_done enable row level security;\n"
    "insert into tutela.half_done values (1);\n"
    # seconds to sleep: the setting tutela.slow (PGOPTIONS of the run), else none
    "select pg_sleep(coalesce(nullif(current_setting('tutela.slow', true), '')::float8, 0));\n"
)


def _tutela(*args: str, root: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = dict(os.environ, NO_COLOR="1", COLUMNS="200", TUTELA_PROJECT_ROOT=str(root))
    full.pop("DATABASE_URL", None)
    full.update(env or {})
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "tutela"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full,
    )


def _wait_for(conn: Any, query: str, params: tuple[Any, ...], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(query, params).fetchone()
        if row and row[0]:
            return row[0]
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {query}")


def _state(conn: Any) -> tuple[Any, ...]:
    objects = conn.execute(
        "select c.oid::regclass::text from pg_class c join pg_namespace n "
        "on n.oid = c.relnamespace where n.nspname in ('tutela', 'tutela_private', "
        "'tutela_hidden') "
        "order by 1"
    ).fetchall()
    functions = conn.execute(
        "select p.oid::regprocedure::text, md5(p.prosrc) from pg_proc p join pg_namespace n "
        "on n.oid = p.pronamespace where n.nspname in ('tutela', 'tutela_private', "
        "'tutela_hidden') "
        "order by 1"
    ).fetchall()
    ledger = conn.execute(f"select name, sha256 from {LEDGER} order by 1").fetchall()
    return objects, functions, ledger


@pytest.fixture
def migrated_copy(empty_db: str, project_copy: Path) -> tuple[str, Path]:
    migrate(empty_db, root=project_copy)
    (project_copy / "migrations" / "0099_slow.sql").write_text(SLOW)
    rpc = project_copy / "rpc" / "profiles.sql"
    rpc.write_text(rpc.read_text() + "\n-- changed by the fault tests\n")
    return empty_db, project_copy


def test_killed_migration_changes_nothing_and_a_rerun_succeeds(
    migrated_copy: tuple[str, Path], conn_factory: Any,
) -> None:
    url, root = migrated_copy
    conn = conn_factory(url, autocommit=True)
    before = _state(conn)
    proc = _tutela("migrate", "--database-url", url, root=root,
                   env={"PGOPTIONS": "-c tutela.slow=60", "PGAPPNAME": "tutela-kill-me"})
    try:
        pid = _wait_for(conn, "select pid from pg_stat_activity where application_name = %s "
                              "and query like %s", ("tutela-kill-me", "%pg_sleep%"))
        assert conn.execute("select pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert "error:" in err and "Traceback" not in err, err
    assert _state(conn) == before  # not the table, not the function, not the ledger
    rerun = _tutela("migrate", "--database-url", url, root=root)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, out + err
    assert "0099_slow.sql" in out
    assert conn.execute("select count(*) from tutela.half_done").fetchone() == (1,)


def test_killed_first_migration_leaves_an_empty_database(
    empty_db: str, project_copy: Path, conn_factory: Any,
) -> None:
    """Killed during the very first run (bootstrap, ledger and schemas in the same
    transaction): nothing at all is left, and a rerun builds everything."""
    (project_copy / "migrations" / "0099_slow.sql").write_text(SLOW)
    conn = conn_factory(empty_db, autocommit=True)
    before = conn.execute(
        "select count(*) from pg_namespace n where n.nspname in ('tutela_private', 'auth', "
        "'extensions')"
    ).fetchone()
    proc = _tutela("migrate", "--database-url", empty_db, root=project_copy,
                   env={"PGOPTIONS": "-c tutela.slow=60", "PGAPPNAME": "tutela-kill-first"})
    try:
        pid = _wait_for(conn, "select pid from pg_stat_activity where application_name = %s "
                              "and query like %s", ("tutela-kill-first", "%pg_sleep%"))
        conn.execute("select pg_terminate_backend(%s)", (pid,))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1 and "Traceback" not in err, out + err
    # the harness's databases have Supabase's auth and extensions already (plain PostgreSQL has
    # neither, and the bootstrap's are rolled back too): nothing of Tutela's is left either way
    assert conn.execute(
        "select count(*) from pg_namespace n where n.nspname in ('tutela_private', 'auth', "
        "'extensions')"
    ).fetchone() == before
    assert conn.execute(
        "select count(*) from pg_namespace n where n.nspname like 'tutela%'").fetchone() == (0,)
    assert conn.execute("select to_regclass('tutela.profiles')").fetchone() == (None,)
    rerun = _tutela("migrate", "--database-url", empty_db, root=project_copy)
    out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, out + err
    assert conn.execute("select to_regclass(%s) is not null", (LEDGER,)).fetchone() == (True,)


def test_two_migrate_processes_one_applies_the_other_waits(
    migrated_copy: tuple[str, Path], conn_factory: Any,
) -> None:
    url, root = migrated_copy
    conn = conn_factory(url, autocommit=True)
    first = _tutela("migrate", "--database-url", url, root=root,
                    env={"PGOPTIONS": "-c tutela.slow=3", "PGAPPNAME": "tutela-first"})
    second = None
    try:
        _wait_for(conn, "select pid from pg_stat_activity where application_name = %s "
                        "and query like %s", ("tutela-first", "%pg_sleep%"))
        second = _tutela("migrate", "--database-url", url, root=root,
                         env={"PGAPPNAME": "tutela-second"})
        # the second run waits on the runner's advisory lock while the first one works
        _wait_for(conn, "select pid from pg_stat_activity where application_name = %s "
                        "and wait_event_type = 'Lock' and query like %s",
                  ("tutela-second", "%pg_advisory_xact_lock%"))
        assert second.poll() is None
        out1, err1 = first.communicate(timeout=120)
        out2, err2 = second.communicate(timeout=120)
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.kill()
    assert first.returncode == 0, out1 + err1
    assert "applied" in out1 and "0099_slow.sql" in out1
    assert second.returncode == 0, out2 + err2
    assert "nothing to apply" in out2
    names = [r[0] for r in conn.execute(f"select name from {LEDGER}").fetchall()]
    assert len(names) == len(set(names))


# ---- a 0.1 database pushed with the Supabase CLI --------------------------------------------
OLD_SNAPSHOTS = ("20261122022413", "20261122043835", "20261207194546")  # 0.1's supabase/ history


def test_a_release_pushed_with_the_supabase_cli_moves_in_place(
    server_url: str, empty_db: str, tmp_path: Path,
) -> None:
    """`supabase db push` of 0.1 left no Tutela ledger, only Supabase's history: `tutela
    migrate` recognises it, moves the database with 0016 (every row kept, the schema of a fresh
    install), and puts Tutela's rows of the history on the files of supabase/ it now equals,
    leaving the app's own rows alone."""
    old = release_project(tmp_path / "release")
    with scratch_database(server_url, prefix="tutela_pytest_cli_push") as url:
        migrate(url, root=old)
        apply_seed(url, "demo", root=old)
        with psycopg.connect(url) as conn:
            conn.execute(f"drop table {LEGACY_LEDGER}")
            conn.execute("create schema supabase_migrations")
            conn.execute("create table supabase_migrations.schema_migrations "
                         "(version text primary key, statements text[], name text)")
            pushed = [(f.read_text().split("\n", 1)[0].split()[-1], f.stem)
                      for f in sorted((old / "migrations").glob("*.sql"))]
            rows = [*pushed, *((v, "tutela_repeatables") for v in OLD_SNAPSHOTS),
                    ("20250101000000", "app_init"), ("20270101000000", "app_later")]
            for version, name in rows:
                conn.execute("insert into supabase_migrations.schema_migrations "
                             "(version, name, statements) values (%s, %s, '{}')", (version, name))
            conn.commit()
            before, columns = fingerprints(conn)
        result = migrate(url, root=ROOT)
        assert "0016_own_schemas.sql" in {f.name for f in result.applied}
        assert "baseline" not in {f.kind for f in result.applied}
        with psycopg.connect(url) as conn:
            after, _ = fingerprints(conn, {to_head_name(t): c for t, c in columns.items()})
            history = conn.execute("select version, name from supabase_migrations."
                                   "schema_migrations order by 1").fetchall()
            up = conn.execute(CATALOG).fetchall()
        before = {to_head_name(t): v for t, v in before.items()}
        changed = {t for t in before if after.get(t) != before[t]
                   and t != "tutela_private.jobs"}  # job commands name the new schemas
        assert changed == set()
        local = sorted((p.stem.split("_", 1)[0], p.stem.split("_", 1)[1])
                       for p in (ROOT / "supabase" / "migrations").glob("*.sql"))
        assert history == sorted([("20250101000000", "app_init"),
                                  ("20270101000000", "app_later"), *local])
        migrate(empty_db, root=ROOT)
        with psycopg.connect(empty_db) as conn:
            fresh = conn.execute(CATALOG).fetchall()
        assert set(up) ^ set(fresh) == set()
        assert migrate(url, root=ROOT).plan.empty


def test_upgraded_privileges_are_the_ones_a_fresh_install_states(
    upgraded: dict[str, Any],
) -> None:
    """0.1 kept its API in `public`, where the harness's (and an older project's) default
    privileges granted every new table, sequence and function to the API roles; after the
    move, the repeatable files state every privilege whole, so the upgraded database holds
    exactly what Tutela's SQL grants on a fresh install (the `privileges` lint)."""
    from py_admin.lint import check_privileges

    with psycopg.connect(upgraded["url"]) as conn:
        assert [str(v) for v in check_privileges(conn, ROOT)] == []
