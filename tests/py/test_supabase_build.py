"""`tutela build supabase`: deterministic output that the Supabase CLI and pg_prove can run."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from py_admin.db import connect
from py_admin.migrate import bootstrap_file
from py_admin.sqlsplit import split_statements
from py_admin.supabase_build import build

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(project_copy: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "sql", project_copy / "tests" / "sql", dirs_exist_ok=True)
    _git(project_copy, "init", "-q")
    _git(project_copy, "-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    _git(project_copy, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x")
    return project_copy


def _commit(root: Path) -> None:
    _git(root, "add", "-A")
    _git(root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "build")


def test_committed_output_is_current() -> None:
    assert build(ROOT, check=True).stale == []


def test_config_confirms_emails() -> None:
    """Invites are accepted by the signed-in user whose address matches: only proof of the
    address when Supabase Auth confirms it (docs/security.md, threat 44)."""
    import tomllib

    config = tomllib.loads((ROOT / "supabase" / "config.toml").read_text())
    assert config["auth"]["email"]["enable_confirmations"] is True


def test_build_then_check_is_clean_and_stable(repo: Path) -> None:
    first = build(repo, now=NOW)
    assert "config.toml" in first.written
    # a new project starts from the baseline, never from 0.1's files
    assert "migrations/20261207210000_0016_own_schemas.sql" in first.written
    assert not [n for n in first.written if "0001_foundation" in n]
    assert "tutela_uninstall.sql" in first.written
    assert "migrations/20300101120000_tutela_repeatables.sql" in first.written
    assert build(repo, check=True, now=NOW).stale == []
    later = datetime(2031, 1, 1, tzinfo=UTC)
    assert build(repo, check=True, now=later).stale == []  # time alone changes nothing


def test_changed_repeatable_makes_output_stale_and_adds_a_snapshot(repo: Path) -> None:
    build(repo, now=NOW)
    _commit(repo)
    rpc = repo / "rpc" / "profiles.sql"
    rpc.write_text(rpc.read_text() + "\n-- changed\n")
    assert build(repo, check=True, now=NOW).stale  # stale
    later = datetime(2030, 2, 1, tzinfo=UTC)
    result = build(repo, now=later)
    assert result.written == ["migrations/20300201000000_tutela_repeatables.sql"]
    snaps = sorted((repo / "supabase" / "migrations").glob("*_tutela_repeatables.sql"))
    assert len(snaps) == 2  # the landed snapshot stays as history
    # the new one is a delta a reviewer can read: only the file that changed
    assert re.findall(r"^-- >>> (\S+)$", snaps[1].read_text(), re.M) == ["rpc/profiles.sql"]
    assert len(re.findall(r"^-- >>> ", snaps[0].read_text(), re.M)) > 10  # the first: all
    # an uncommitted snapshot is rewritten in place, not followed by another
    rpc.write_text(rpc.read_text() + "\n-- changed again\n")
    result = build(repo, now=datetime(2030, 3, 1, tzinfo=UTC))
    assert result.written == ["migrations/20300201000000_tutela_repeatables.sql"]


def test_new_migration_needs_a_new_snapshot_after_it(repo: Path) -> None:
    build(repo, now=NOW)
    _commit(repo)
    (repo / "migrations" / "0099_more.sql").write_text(
        "-- tutela:created 20300105000000\ncreate table tutela.more (id int);\n"
    )
    stale = build(repo, check=True, now=NOW).stale
    assert "migrations/20300105000000_0099_more.sql" in stale
    result = build(repo, now=NOW)
    assert "migrations/20300105000001_tutela_repeatables.sql" in result.written
    # after a versioned migration every repeatable file goes again (as the runner does)
    after = (repo / "supabase" / "migrations" / "20300105000001_tutela_repeatables.sql").read_text()
    assert len(re.findall(r"^-- >>> ", after, re.M)) > 10


def test_unchanged_repeatables_add_no_snapshot_and_deltas_add_up(repo: Path,
                                                                   empty_db: str) -> None:
    """Deltas applied in order give the database what the runner gives it."""
    build(repo, now=NOW)
    _commit(repo)
    assert build(repo, check=True, now=datetime(2031, 1, 1, tzinfo=UTC)).stale == []
    rpc = repo / "rpc" / "profiles.sql"
    text = rpc.read_text()
    assert "'Trigger: creates" in text
    rpc.write_text(text.replace("'Trigger: creates", "'Delta test: creates"))
    build(repo, now=datetime(2030, 2, 1, tzinfo=UTC))
    with connect(empty_db, autocommit=True) as conn:
        for path in [bootstrap_file().path,
                     *sorted((repo / "supabase" / "migrations").glob("*.sql"))]:
            for _, statement in split_statements(path.read_text()):
                conn.execute(statement.encode())
        comment = conn.execute(
            "select obj_description('tutela_private.handle_new_user()'::regprocedure)"
        ).fetchone()
    assert comment is not None and str(comment[0]).startswith("Delta test:")


def test_stray_file_in_output_is_stale(repo: Path) -> None:
    build(repo, now=NOW)
    (repo / "supabase" / "migrations" / "20990101000000_hand_written.sql").write_text("select 1;")
    assert build(repo, check=True, now=NOW).stale == [
        "migrations/20990101000000_hand_written.sql"
    ]


def test_migration_without_created_header_is_refused(cli: Any, repo: Path) -> None:
    (repo / "migrations" / "0099_bare.sql").write_text("select 1;\n")
    proc = cli("build", "supabase", root=repo)
    assert proc.returncode == 1
    assert "0099_bare.sql" in proc.stderr and "tutela:created" in proc.stderr


def test_check_command_fails_when_stale(cli: Any, repo: Path) -> None:
    assert cli("build", "supabase", root=repo).returncode == 0
    _commit(repo)
    assert cli("build", "supabase", "--check", root=repo).returncode == 0
    pol = repo / "policies" / "profiles.sql"
    pol.write_text(pol.read_text() + "\n-- edit\n")
    proc = cli("build", "supabase", "--check", root=repo)
    assert proc.returncode == 1 and "stale" in proc.stderr


# Applying supabase/ with the real CLI and running supabase/tests with pg_prove, in both
# Supabase modes: tests/py/test_supabase_modes.py.


def test_helpers_live_once_in_the_setup_file() -> None:
    """supabase/tests holds the helpers once (000_setup, first in name order), not per file."""
    tests = sorted((ROOT / "supabase" / "tests").rglob("*.test.sql"))
    assert tests[0].name == "000_setup.test.sql"
    assert "create or replace function tutela_tests.authenticate_as" in tests[0].read_text()
    assert "commit;" in tests[0].read_text()
    others = [p for p in tests[1:] if "create or replace function tutela_tests." in p.read_text()]
    assert others == [] and len(tests) > 300
