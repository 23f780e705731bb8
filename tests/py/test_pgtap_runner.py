"""The pgTAP runner fails on every kind of broken file, and passes a good one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from py_admin.pgtap import run_file

GOOD = "begin;\nselect plan(2);\nselect ok(true, 'a');\nselect is(1, 1, 'b');\n" \
       "select * from finish();\nrollback;\n"

BROKEN = {
    "failing_assertion": (
        "begin;\nselect plan(2);\nselect ok(true, 'fine');\nselect is(1, 2, 'one is two');\n"
        "select * from finish();\nrollback;\n",
        "not ok 2 - one is two",
    ),
    "plan_mismatch": (
        "begin;\nselect plan(3);\nselect ok(true, 'only one');\n"
        "select * from finish();\nrollback;\n",
        "planned 3 tests but ran 1",
    ),
    "sql_error": (
        "begin;\nselect plan(2);\nselect ok(true, 'fine');\nselect * from no_such_table;\n"
        "select ok(true, 'never');\nselect * from finish();\nrollback;\n",
        "SQL error",
    ),
    "no_tests": ("begin;\nselect 1;\nrollback;\n", "no assertions ran"),
    "skipped": (
        "begin;\nselect plan(2);\nselect ok(true, 'fine');\nselect skip('not today', 1);\n"
        "select * from finish();\nrollback;\n",
        "skipped",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_file_fails(kind: str, tmp_path: Path, migrated_db: str) -> None:
    text, expected = BROKEN[kind]
    path = tmp_path / f"{kind}.test.sql"
    path.write_text(text)
    result = run_file(migrated_db, path)
    assert not result.ok
    assert any(expected in p for p in result.problems), result.problems


def test_good_file_passes(tmp_path: Path, migrated_db: str) -> None:
    path = tmp_path / "good.test.sql"
    path.write_text(GOOD)
    result = run_file(migrated_db, path)
    assert result.ok, result.problems
    assert result.passed == 2 and result.planned == 2


def test_failed_assertion_keeps_its_diagnostics(tmp_path: Path, migrated_db: str) -> None:
    path = tmp_path / "diag.test.sql"
    path.write_text(BROKEN["failing_assertion"][0])
    result = run_file(migrated_db, path)
    (failed,) = result.failed
    assert any("have: 1" in d for d in failed.diagnostics)
    assert any("want: 2" in d for d in failed.diagnostics)


def test_test_command_exit_codes(cli: Any, tmp_path: Path, server_url: str) -> None:
    good_dir = tmp_path / "good"
    good_dir.mkdir()
    (good_dir / "a.test.sql").write_text(GOOD)
    ok = cli("test", str(good_dir), "--database-url", server_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1 files, 2 assertions: 2 passed" in ok.stdout

    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    (bad_dir / "a.test.sql").write_text(GOOD)
    (bad_dir / "b.test.sql").write_text(BROKEN["failing_assertion"][0])
    bad = cli("test", str(bad_dir), "--database-url", server_url)
    assert bad.returncode == 1
    assert "FAIL" in bad.stdout and "not ok 2 - one is two" in bad.stdout

    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    none = cli("test", str(empty_dir), "--database-url", server_url)
    assert none.returncode == 1
    assert "no pgTAP files" in none.stderr
