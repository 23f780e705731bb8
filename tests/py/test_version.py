"""`tutela --version`, the Tutela version of a database in `tutela status`, shell completion,
and messages (never a traceback) where Tutela is missing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import py_admin
from py_admin.migrate import LEDGER, SUPABASE_HISTORY, migrate

ROOT = Path(__file__).resolve().parents[2]


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def _head() -> str:
    return max(p.name[:4] for p in (ROOT / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))


def _status(cli: Any, url: str) -> tuple[str, dict[str, Any]]:
    text = cli("status", "--database-url", url)
    assert text.returncode == 0, text.stderr
    doc = cli("status", "--json", "--database-url", url)
    assert doc.returncode == 0, doc.stderr
    return text.stdout, json.loads(doc.stdout)


# ---- the package ----------------------------------------------------------------------------
def test_version_prints_package_and_schema(cli: Any) -> None:
    proc = cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"tutela {_version()} (schema {_head()})\n"


def test_versions_agree() -> None:
    """pyproject, the package and the changelog's newest entry name the same release."""
    assert py_admin.__version__ == _version()
    first = next(line for line in (ROOT / "CHANGELOG.md").read_text().splitlines()
                 if line.startswith("## "))
    assert first.startswith(f"## {_version()} ")


# ---- which Tutela a database is on ------------------------------------------------------------
def test_status_of_a_current_database(cli: Any, empty_db: str) -> None:
    migrate(empty_db)
    text, doc = _status(cli, empty_db)
    assert f"database: Tutela {_version()} (schema {_head()}, from {LEDGER})\n" in text
    assert doc["database"] == {"version": _version(), "schema": _head(), "source": LEDGER,
                               "state": "current"}
    assert doc["tutela"] == {"version": _version(), "schema": _head()}
    # installed from the baseline: shown as applied, not as "missing"
    states = {f["name"]: f["state"] for f in doc["files"]}
    assert states[f"baseline/{next((ROOT / 'migrations' / 'baseline').glob('*.sql')).name}"] \
        == "applied"
    assert set(states.values()) == {"applied"}


def test_status_of_a_database_without_tutela(cli: Any, empty_db: str) -> None:
    text, doc = _status(cli, empty_db)
    assert (f"database: no Tutela in this database; `tutela migrate` installs {_version()} "
            f"(schema {_head()})") in text
    assert doc["database"] == {"version": None, "schema": None, "source": None,
                               "state": "not installed"}


def test_status_of_a_0_1_database(cli: Any, empty_db: str, conn_factory: Any) -> None:
    """0.1's ledger (private.tutela_migrations, migrations 0001-0015): release 0.1, behind."""
    conn = conn_factory(empty_db, autocommit=True)
    conn.execute("create schema private; create table private.tutela_migrations "
                 "(name text primary key, kind text, sha256 text, applied_at timestamptz "
                 "not null default now())")
    for p in sorted((ROOT / "migrations").glob("*.sql")):
        if int(p.name[:4]) <= 15:
            conn.execute("insert into private.tutela_migrations values (%s, 'versioned', '')",
                         (p.name,))
    text, doc = _status(cli, empty_db)
    assert ("database: Tutela 0.1 (schema 0015, from private.tutela_migrations); `tutela "
            f"migrate` upgrades it to {_version()} (schema {_head()})") in text
    assert doc["database"] == {"version": "0.1", "schema": "0015",
                               "source": "private.tutela_migrations", "state": "behind"}


def _supabase_history(conn: Any, rows: list[tuple[str, str]]) -> None:
    conn.execute("create schema supabase_migrations; create table " + SUPABASE_HISTORY +
                 " (version text primary key, statements text[], name text)")
    for version, name in rows:
        conn.execute(f"insert into {SUPABASE_HISTORY} (version, name) values (%s, %s)",
                     (version, name))


def test_status_of_a_database_pushed_with_the_supabase_cli(
    cli: Any, empty_db: str, conn_factory: Any
) -> None:
    """No ledger: the version comes from Supabase's history, by the files' created stamps
    (supabase/migrations) or by a name that ends with a Tutela file's name (files added to an
    app's project under other timestamps); the app's own rows count for nothing."""
    conn = conn_factory(empty_db, autocommit=True)
    # the newest of Tutela's migrations (the baseline, or one after it)
    head = max([*(ROOT / "migrations" / "baseline").glob("*.sql"),
                *(ROOT / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql")],
               key=lambda p: p.name[:4])
    stamp = re.search(r"tutela:created (\d{14})", head.read_text())
    assert stamp
    _supabase_history(conn, [("20250101000000", "app_init"), ("20250102000000", "0099_app"),
                             (stamp.group(1), "whatever")])
    text, doc = _status(cli, empty_db)
    assert f"database: Tutela {_version()} (schema {head.name[:4]}, from {SUPABASE_HISTORY})" \
        in text
    assert doc["database"]["state"] == "current"

    conn.execute(f"delete from {SUPABASE_HISTORY} where version = %s", (stamp.group(1),))
    assert _status(cli, empty_db)[1]["database"]["state"] == "not installed"
    conn.execute(f"insert into {SUPABASE_HISTORY} (version, name) values "
                 "('20270101000000', 'tutela_0015_delivery')")
    assert _status(cli, empty_db)[1]["database"] == {
        "version": "0.1", "schema": "0015", "source": SUPABASE_HISTORY, "state": "behind"}


def test_status_of_a_database_a_newer_tutela_migrated(
    cli: Any, empty_db: str, conn_factory: Any
) -> None:
    migrate(empty_db)
    conn_factory(empty_db, autocommit=True).execute(
        f"insert into {LEDGER} (name, kind, sha256) values ('9999_future.sql', 'versioned', '')")
    text, doc = _status(cli, empty_db)
    assert (f"database: a newer Tutela than this one (schema 9999, from {LEDGER}); "
            f"this tutela is {_version()} (schema {_head()}): upgrade the package") in text
    assert doc["database"] == {"version": None, "schema": "9999", "source": LEDGER,
                               "state": "ahead"}


# ---- messages, not tracebacks ---------------------------------------------------------------
def test_jobs_list_without_tutela(cli: Any, empty_db: str) -> None:
    proc = cli("jobs", "list", "--database-url", empty_db)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "error: Tutela is not installed in this database" in proc.stderr
    assert "tutela migrate" in proc.stderr


def test_a_server_error_is_a_message(cli: Any, empty_db: str) -> None:
    """Any statement the server refuses, in a command without its own message."""
    proc = cli("outbox", "list", "--database-url", empty_db)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: the database refused it: ")
    assert "(SQLSTATE 42P01)" in proc.stderr


def test_migrate_without_migrations_applies_nothing(
    cli: Any, empty_db: str, tmp_path: Path, conn_factory: Any
) -> None:
    conn = conn_factory(empty_db, autocommit=True)
    schemas = "select array_agg(nspname order by nspname) from pg_namespace"
    before = conn.execute(schemas).fetchone()
    proc = cli("migrate", "--database-url", empty_db, root=tmp_path)
    assert proc.returncode == 1
    assert f"error: no migrations found in {tmp_path}/migrations; nothing was applied" \
        in proc.stderr
    # not even the compat bootstrap (the harness's databases have Supabase's auth and
    # extensions already; plain PostgreSQL has neither)
    assert conn.execute(schemas).fetchone() == before
    assert conn.execute("select count(*) from pg_namespace where nspname like 'tutela%'"
                        ).fetchone() == (0,)


def _project_root_from(cwd: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if k != "TUTELA_PROJECT_ROOT"}
    proc = subprocess.run(
        [sys.executable, "-c", "from py_admin.paths import project_root; print(project_root())"],
        cwd=cwd, env=env, capture_output=True, text=True, check=True,
    )
    return Path(proc.stdout.strip())


def test_an_apps_own_migrations_folder_is_not_tutela(tmp_path: Path) -> None:
    """A folder with migrations/ and a pyproject.toml of another project is not a Tutela
    checkout: from inside it, Tutela's own folders are used; a Tutela checkout is found."""
    app = tmp_path / "app"
    (app / "migrations").mkdir(parents=True)
    (app / "pyproject.toml").write_text('[project]\nname = "my-app"\n')
    assert _project_root_from(app / "migrations") == ROOT
    (app / "pyproject.toml").write_text('[project]\nname = "tutela"\n')
    assert _project_root_from(app / "migrations") == app


# ---- shell completion -----------------------------------------------------------------------
def test_show_completion_prints_a_bash_script(cli: Any) -> None:
    proc = cli("--show-completion", "bash")
    assert proc.returncode == 0, proc.stderr
    assert "_TUTELA_COMPLETE=complete_bash" in proc.stdout
    assert "complete -o default -F _tutela_completion tutela" in proc.stdout


def test_completion_completes_commands(cli: Any) -> None:
    env = {"_TUTELA_COMPLETE": "complete_bash", "COMP_WORDS": "tutela jo", "COMP_CWORD": "1"}
    assert cli(env=env).stdout.split() == ["jobs"]
    env.update(COMP_WORDS="tutela jobs l", COMP_CWORD="2")
    assert cli(env=env).stdout.split() == ["list"]


def test_install_completion_writes_the_script(cli: Any, tmp_path: Path) -> None:
    proc = cli("--install-completion", "bash", env={"HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    script = tmp_path / ".bash_completions" / "tutela.sh"
    assert "_tutela_completion" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()
