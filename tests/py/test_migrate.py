"""The migration runner on a real server: idempotent, all-or-nothing, drift refused."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from py_admin.errors import TutelaError
from py_admin.migrate import LEDGER, SUPERSEDED, migrate, new_migration, repeatable_files, status


def _ledger(conn: Any) -> list[tuple[Any, ...]]:
    if conn.execute("select to_regclass(%s)", (LEDGER,)).fetchone()[0] is None:
        return []
    return conn.execute(f"select name, sha256 from {LEDGER} order by name").fetchall()


def _objects(conn: Any) -> list[tuple[Any, ...]]:
    """Every relation, function and schema a migration could have made."""
    return conn.execute(
        """
        select 'rel', c.oid::regclass::text from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
        union all
        select 'fn', p.oid::regprocedure::text from pg_proc p
          join pg_namespace n on n.oid = p.pronamespace
          where n.nspname not in ('pg_catalog', 'information_schema')
        union all
        select 'schema', nspname from pg_namespace
        order by 1, 2
        """
    ).fetchall()


def test_migrate_empty_database_then_nothing(cli: Any, empty_db: str) -> None:
    first = cli("migrate", "--database-url", empty_db)
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout and "0001_foundation.sql" in first.stdout
    second = cli("migrate", "--database-url", empty_db)
    assert second.returncode == 0, second.stderr
    assert "nothing to apply" in second.stdout


def test_database_url_from_environment(cli: Any, empty_db: str) -> None:
    proc = cli("migrate", env={"DATABASE_URL": empty_db})
    assert proc.returncode == 0, proc.stderr
    st = cli("status", "--json", env={"DATABASE_URL": empty_db})
    assert st.returncode == 0
    assert '"state": "pending"' not in st.stdout


def test_edited_landed_migration_is_refused(
    cli: Any, empty_db: str, project_copy: Path, conn_factory: Any
) -> None:
    assert cli("migrate", "--database-url", empty_db, root=project_copy).returncode == 0
    conn = conn_factory(empty_db, autocommit=True)
    before_ledger, before_objects = _ledger(conn), _objects(conn)

    landed = project_copy / "migrations" / "0002_profiles.sql"
    landed.write_text(landed.read_text() + "\ncreate table tutela.sneaky (id int);\n")
    # and something else pending, which must not be applied either
    (project_copy / "migrations" / "0099_more.sql").write_text(
        "-- tutela:created 20991231000000\ncreate table tutela.more (id int);\n"
    )
    proc = cli("migrate", "--database-url", empty_db, root=project_copy)
    assert proc.returncode == 1
    assert "0002_profiles.sql" in proc.stderr and "edited" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _ledger(conn) == before_ledger
    assert _objects(conn) == before_objects

    rows = {r.name: r.state for r in status(empty_db, root=project_copy)}
    assert rows["0002_profiles.sql"] == "changed"
    assert rows["0099_more.sql"] == "pending"


def test_a_superseded_version_of_a_landed_migration_is_not_drift(
    empty_db: str, conn_factory: Any
) -> None:
    """0016 was fixed after it landed (SUPERSEDED): a database that recorded the first version
    is up to date; any other checksum is still drift."""
    migrate(empty_db)
    conn = conn_factory(empty_db, autocommit=True)
    (old,) = SUPERSEDED["0016_own_schemas.sql"]
    conn.execute(f"update {LEDGER} set sha256 = %s where name = '0016_own_schemas.sql'",
                 (old,))
    assert migrate(empty_db).applied == []
    rows = {r.name: r.state for r in status(empty_db)}
    assert rows["0016_own_schemas.sql"] == "applied"
    conn.execute(f"update {LEDGER} set sha256 = %s where name = '0016_own_schemas.sql'",
                 ("0" * 64,))
    with pytest.raises(TutelaError, match=r"0016_own_schemas\.sql"):
        migrate(empty_db)
    assert {r.name: r.state for r in status(empty_db)}["0016_own_schemas.sql"] == "changed"


def test_error_midway_leaves_no_trace_on_fresh_database(
    cli: Any, empty_db: str, project_copy: Path, conn_factory: Any
) -> None:
    conn = conn_factory(empty_db, autocommit=True)
    before = _objects(conn)
    (project_copy / "migrations" / "0099_broken.sql").write_text(
        "-- tutela:created 20991231000000\n"
        "create table tutela.half (id int);\n"
        "insert into tutela.half values (1);\n"
        "select 1 / 0;\n"
    )
    proc = cli("migrate", "--database-url", empty_db, root=project_copy)
    assert proc.returncode == 1
    assert "0099_broken.sql:4" in proc.stderr  # file and line of the failing statement
    assert "22012" in proc.stderr
    assert _objects(conn) == before  # not even the ledger, the schemas or the bootstrap
    assert _ledger(conn) == []


def test_error_midway_leaves_no_trace_on_migrated_database(
    empty_db: str, project_copy: Path, conn_factory: Any
) -> None:
    migrate(empty_db, root=project_copy)
    conn = conn_factory(empty_db, autocommit=True)
    before_ledger, before_objects = _ledger(conn), _objects(conn)
    # a good new migration, a changed repeatable, and a repeatable that fails at the end
    (project_copy / "migrations" / "0099_good.sql").write_text(
        "-- tutela:created 20991231000000\ncreate table tutela.good (id int);\n"
    )
    (project_copy / "rpc" / "profiles.sql").write_text(
        (project_copy / "rpc" / "profiles.sql").read_text() + "\n-- changed\n"
    )
    (project_copy / "policies" / "zz_broken.sql").write_text(
        "create policy nope on tutela.no_such_table for select to authenticated using (true);\n"
    )
    with pytest.raises(TutelaError) as err:
        migrate(empty_db, root=project_copy)
    assert "zz_broken.sql" in err.value.message
    assert _ledger(conn) == before_ledger
    assert _objects(conn) == before_objects


def test_dry_run_applies_nothing(cli: Any, empty_db: str, conn_factory: Any) -> None:
    proc = cli("migrate", "--dry-run", "--database-url", empty_db)
    assert proc.returncode == 0, proc.stderr
    assert "would apply" in proc.stdout and "baseline/0016_own_schemas.sql" in proc.stdout
    conn = conn_factory(empty_db, autocommit=True)
    assert _ledger(conn) == []
    assert conn.execute("select to_regclass('tutela.profiles')").fetchone()[0] is None


def test_concurrent_runs_apply_once(empty_db: str, conn_factory: Any) -> None:
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(migrate(empty_db))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    applied = [r for r in results if r.applied]
    # exactly one run applies; the others wait for the lock and find nothing to do
    assert len(applied) == 1
    conn = conn_factory(empty_db, autocommit=True)
    names = [r[0] for r in _ledger(conn)]
    assert len(names) == len(set(names))


def test_new_repeatable_change_applies_only_that_file(
    empty_db: str, project_copy: Path
) -> None:
    migrate(empty_db, root=project_copy)
    target = project_copy / "policies" / "profiles.sql"
    target.write_text(target.read_text() + "\n-- touched\n")
    result = migrate(empty_db, root=project_copy)
    assert [f.name for f in result.applied] == ["policies/profiles.sql"]


def test_new_versioned_migration_reapplies_repeatables(
    empty_db: str, project_copy: Path
) -> None:
    migrate(empty_db, root=project_copy)
    (project_copy / "migrations" / "0099_more.sql").write_text(
        "-- tutela:created 20991231000000\ncreate table tutela.more (id int primary key);\n"
        "alter table tutela.more enable row level security;\n"
    )
    result = migrate(empty_db, root=project_copy)
    kinds = [(f.kind, f.name) for f in result.applied]
    assert kinds[0] == ("versioned", "0099_more.sql")
    repeatables = {f.name for f in repeatable_files(project_copy)}
    assert len(repeatables) >= 2
    assert {n for k, n in kinds if k == "repeatable"} == repeatables


def test_status_lists_missing_files(empty_db: str, project_copy: Path) -> None:
    (project_copy / "migrations" / "0099_gone.sql").write_text(
        "-- tutela:created 20991231000000\nselect 1;\n"
    )
    migrate(empty_db, root=project_copy)
    (project_copy / "migrations" / "0099_gone.sql").unlink()
    rows = {r.name: r.state for r in status(empty_db, root=project_copy)}
    assert rows["0099_gone.sql"] == "missing"
    assert rows["0001_foundation.sql"] == "applied"


def test_bad_file_name_is_a_clear_error(cli: Any, empty_db: str, project_copy: Path) -> None:
    (project_copy / "migrations" / "add-things.sql").write_text("select 1;\n")
    proc = cli("migrate", "--database-url", empty_db, root=project_copy)
    assert proc.returncode == 1
    assert "add-things.sql" in proc.stderr and "Traceback" not in proc.stderr


def test_new_writes_next_numbered_file(cli: Any, project_copy: Path) -> None:
    proc = cli("new", "Add Goals!", root=project_copy)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.name for p in (project_copy / "migrations").glob("*.sql"))
    # the next number after the highest (a number left unused stays unused)
    highest = int(files[-2][:4])
    assert files[-1] == f"{highest + 1:04d}_add_goals.sql"
    text = (project_copy / "migrations" / files[-1]).read_text()
    assert text.startswith("-- tutela:created 2")
    path = new_migration("second one", root=project_copy)
    assert path.name == f"{highest + 2:04d}_second_one.sql"


def test_unreachable_database_is_a_clear_error(cli: Any) -> None:
    proc = cli("migrate", "--database-url", "postgresql://nobody@127.0.0.1:1/none")
    assert proc.returncode == 1
    assert "cannot connect" in proc.stderr and "Traceback" not in proc.stderr
