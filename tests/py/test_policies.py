"""The policy registry: rendered files are current, every table is covered, and the rendered
policies cost one subquery per statement, never a function call per row (EXPLAIN)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from py_admin.errors import TutelaError
from py_admin.policies import load_registry, quote_ident, render, render_files

ROOT = Path(__file__).resolve().parents[2]
PER_ROW_CALL = re.compile(
    r"^\s*(?:->\s*)?(?:Filter|Join Filter|Index Cond|Recheck Cond|Hash Cond):.*"
    r"\b(?:tutela_private|tutela_hidden|tutela|auth)\.\w+\(",
)


def test_rendered_files_are_current() -> None:
    assert render_files(ROOT, check=True).stale == []


def test_render_is_deterministic() -> None:
    registry = load_registry(ROOT)
    assert render(registry) == render(registry)


def test_every_table_has_an_access_test() -> None:
    registry = load_registry(ROOT)
    files = {p.name for p in (ROOT / "tests/sql/learning/access").glob("*.test.sql")}
    for n, table in enumerate(registry.tables, start=1):
        assert f"{n:03d}_{table.name}_access.test.sql" in files


BROKEN = (
    '\n[[table]]\nname = "broken"\nkind = "{kind}"\nowner = "student_id"\n'
    'permission = "{permission}"\ninsert = [{insert}]\ninsert_row = "select 1"\n'
    'row = "select 1"\nupdate_set = "x = 1"\n'
)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "family"}, "kind must be one of"),
        ({"permission": "snacks"}, "permission must be one of"),
        ({"insert": '"parents"'}, "writers must be among"),
    ],
)
def test_bad_registry_entries_are_clear_errors(
    tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    values = {"kind": "student", "permission": "progress", "insert": '"staff"', **fields}
    (tmp_path / "policies").mkdir()
    text = (ROOT / "policies/registry.toml").read_text()
    (tmp_path / "policies/registry.toml").write_text(text + BROKEN.format(**values))
    with pytest.raises(TutelaError) as err:
        load_registry(tmp_path)
    assert message in err.value.message


def test_per_row_call_is_detected(guardian_session: Any) -> None:
    """The check above can fail: a policy calling a helper per row shows up as a Filter."""
    guardian_session.execute("select tutela_tests.clear_authentication()")
    guardian_session.execute("drop policy flashcards_select on tutela.flashcards")
    guardian_session.execute(
        "create policy flashcards_select on tutela.flashcards for select to authenticated "
        "using (tutela_private.role_for_student(student_id) is not null)"
    )
    guardian_session.execute(
        "grant execute on function tutela_private.role_for_student(uuid) to authenticated"
    )
    guardian_session.execute("set local role authenticated")
    plan = guardian_session.execute(
        "explain (costs off, verbose) select * from tutela.flashcards"
    ).fetchall()
    assert any(PER_ROW_CALL.search(str(r[0])) for r in plan)


def test_stale_render_is_detected(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    shutil.copytree(ROOT / "tests/sql/learning/access", tmp_path / "tests/sql/learning/access")
    assert render_files(tmp_path, check=True).stale == []
    reg = tmp_path / "policies/registry.toml"
    reg.write_text(reg.read_text().replace("answer = 'three quarters'", "answer = '3/4!'"))
    assert render_files(tmp_path, check=True).stale == [
        "tests/sql/learning/access/008_flashcards_access.test.sql"
    ]
    (tmp_path / "tests/sql/learning/access/999_orphan_access.test.sql").write_text("-- x\n")
    result = render_files(tmp_path)
    assert "tests/sql/learning/access/999_orphan_access.test.sql" in result.removed


def test_quote_ident() -> None:
    assert quote_ident("flashcards") == "flashcards"
    assert quote_ident("user") == '"user"'
    assert quote_ident('we"ird') == '"we""ird"'


@pytest.fixture
def guardian_session(migrated_db: str, conn_factory: Any) -> Iterator[Any]:
    """A transaction acting as an active guardian with every permission (rolled back)."""
    conn = conn_factory(migrated_db)
    g = conn.execute("select tutela_tests.create_user('explain-guardian@test')").fetchone()[0]
    org = conn.execute(
        "insert into tutela.organizations (name, slug) values ('X', 'explain-org') returning id"
    ).fetchone()[0]
    student = conn.execute(
        "insert into tutela.students (organization_id, display_name) values (%s, 'S') "
        "returning id", (org,)
    ).fetchone()[0]
    conn.execute(
        "insert into tutela.guardian_links (student_id, guardian_id, status, created_via, "
        "activated_at, permissions) values (%s, %s, 'active', 'staff', now(), "
        "tutela_hidden.default_link_permissions() || '{\"journal\": true}')", (student, g)
    )
    conn.execute("select tutela_tests.authenticate_as(%s)", (g,))
    yield conn
    conn.rollback()


@pytest.mark.parametrize("table", [t.name for t in load_registry(ROOT).tables])
def test_policies_make_no_per_row_calls(guardian_session: Any, table: str) -> None:
    """EXPLAIN of a read, an update and a delete: the helper runs once (a hashed subquery or a
    semi-join over a function scan), never as a filter function evaluated for every row."""
    registry = {t.name: t for t in load_registry(ROOT).tables}
    t = registry[table]
    statements = [f"select * from tutela.{table}"]
    if t.writers["update"]:
        statements.append(f"update tutela.{table} set {t.update_set}")
    if t.writers["delete"]:
        statements.append(f"delete from tutela.{table}")
    for sql in statements:
        plan = guardian_session.execute(f"explain (costs off, verbose) {sql}").fetchall()
        lines = [str(r[0]) for r in plan]
        bad = [line for line in lines if PER_ROW_CALL.search(line)]
        assert not bad, f"{sql}:\n" + "\n".join(lines)
        text = "\n".join(lines)
        assert "tutela_hidden." in text, f"{sql}: the policy helper does not appear:\n{text}"
    json_plan = guardian_session.execute(
        f"explain (format json) select * from tutela.{table}"
    ).fetchone()[0]
    assert json.dumps(json_plan)  # the plan serialises (sanity)
