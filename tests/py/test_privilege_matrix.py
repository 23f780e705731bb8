"""The privilege matrix: every table in `public` x 11 actors x select/insert/update/delete.

Expectations: policies/registry.toml (student-data tables) and tests/privilege_matrix.toml (the
rest). The table list comes from the catalog, so a new table without an expectation fails.
`tutela lint --matrix` prints the same matrix.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from py_admin.errors import TutelaError
from py_admin.matrix import ACTORS, COMMANDS, EXPECTATIONS, format_text, load_specs, run_matrix

ROOT = Path(__file__).resolve().parents[2]


def _with_expectations(project_copy: Path) -> Path:
    (project_copy / "tests").mkdir(exist_ok=True)
    shutil.copy(ROOT / EXPECTATIONS, project_copy / EXPECTATIONS)
    return project_copy


def test_every_public_table_every_actor_every_command(migrated_db: str) -> None:
    result = run_matrix(migrated_db)
    report = format_text(result)
    print(report)  # shown with -s or -rA: the whole matrix at a glance
    assert result.unexpected_tables == [], (
        f"tables in public without an expectation: {result.unexpected_tables}\n{report}"
    )
    assert result.missing_tables == []
    assert len(result.tables) >= 50
    assert len(result.cells) == len(result.tables) * len(ACTORS) * len(COMMANDS)
    bad = [f"{c.table}: {c.command} as {c.actor}: expected {c.expected}, got {c.observed}"
           for c in result.mismatches]
    assert not bad, "\n".join(bad) + "\n" + report


def test_anon_reads_only_the_price_list_and_writes_nothing(migrated_db: str) -> None:
    result = run_matrix(migrated_db)
    anon = [c for c in result.cells if c.actor == "anon" and c.observed != "denied"]
    assert [(c.table, c.command, c.observed) for c in anon] == [("plans", "select", "row")]


def test_revoked_and_pending_guardians_and_strangers_read_no_student_data(
    migrated_db: str,
) -> None:
    result = run_matrix(migrated_db)
    catalog_free = {"achievements", "plans"}  # readable by every signed-in user
    for actor in ("guardian_pending", "guardian_revoked", "stranger", "other_staff"):
        seen = {c.table for c in result.cells if c.actor == actor and c.command == "select"
                and c.observed in ("row", "own", "all")}  # the world's target row
        assert seen == catalog_free, (actor, seen)
        wrote = [(c.table, c.command) for c in result.cells
                 if c.actor == actor and c.command != "select" and c.observed == "ok"]
        assert wrote == [], (actor, wrote)


def test_guardians_never_write_student_data(migrated_db: str) -> None:
    result = run_matrix(migrated_db)
    own_data = {"guardian_mood_entries", "alert_thresholds", "messages"}  # their own rows
    for actor in ("guardian", "guardian_noperm"):
        wrote = {c.table for c in result.cells if c.actor == actor
                 and c.command != "select" and c.observed == "ok"}
        assert wrote <= own_data, (actor, wrote - own_data)


def test_a_new_table_without_expectation_fails(migrated_db: str, conn_factory: Any) -> None:
    conn = conn_factory(migrated_db, autocommit=True)
    conn.execute("create table tutela.roster_imports (id uuid primary key)")
    conn.execute("alter table tutela.roster_imports enable row level security")
    try:
        result = run_matrix(migrated_db)
    finally:
        conn.execute("drop table tutela.roster_imports")
    assert result.unexpected_tables == ["roster_imports"]
    assert not result.ok
    assert "(no expectation)" in format_text(result)


def test_a_wrong_expectation_is_a_mismatch(migrated_db: str, project_copy: Path) -> None:
    root = _with_expectations(project_copy)
    path = root / EXPECTATIONS
    text = path.read_text()
    # claim that the stranger sees the student's guardian links (it sees only its own link,
    # to another student)
    old = ('select = { default = "none", own = ["student", "guardian"], other = ["stranger"], '
           'all = ["staff", "admin", "service_role"], denied = ["anon"] }')
    assert text.count(old) == 1
    wrong = ('select = { default = "none", own = ["student", "guardian"], '
             'all = ["stranger", "staff", "admin", "service_role"], denied = ["anon"] }')
    path.write_text(text.replace(old, wrong))
    result = run_matrix(migrated_db, root=root)
    assert [(c.table, c.command, c.actor, c.observed) for c in result.mismatches] == [
        ("guardian_links", "select", "stranger", "other")
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('denied = ["anon", "nobody"]', "unknown actor"),
        ('maybe = ["anon"]', "not an outcome"),
    ],
)
def test_expectation_file_is_validated(project_copy: Path, snippet: str, message: str) -> None:
    root = _with_expectations(project_copy)
    path = root / EXPECTATIONS
    text = path.read_text().replace(
        'select = { default = "row" }', 'select = { default = "row", ' + snippet + " }", 1
    )
    path.write_text(text)
    with pytest.raises(TutelaError) as err:
        load_specs(root)
    assert message in err.value.message


def test_every_actor_is_named_for_every_command(project_copy: Path) -> None:
    root = _with_expectations(project_copy)
    path = root / EXPECTATIONS
    path.write_text(path.read_text().replace(
        'insert = { default = "denied", ok = ["service_role"] }',
        'insert = { ok = ["service_role"] }', 1))
    with pytest.raises(TutelaError) as err:
        load_specs(root)
    assert "says nothing about" in err.value.message


def test_cli_prints_the_matrix(cli: Any, server_url: str) -> None:
    proc = cli("lint", "--matrix", "--database-url", server_url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "guardian_links" in proc.stdout and "g-rev" in proc.stdout
    assert "0 problem(s)" in proc.stdout
