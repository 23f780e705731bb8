"""`tutela lint` catalog checks: clean on the project, and each check catches a bad object."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from py_admin.errors import TutelaError
from py_admin.lint import calls_outside_select, catalog_checks, read_allowlist

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tx(migrated_db: str, conn_factory: Any) -> Iterator[Any]:
    """A connection to the migrated database; everything is rolled back afterwards."""
    conn = conn_factory(migrated_db)
    yield conn
    conn.rollback()


def _found(conn: Any, check: str) -> list[str]:
    return [v.obj for v in catalog_checks(conn, ROOT) if v.check == check]


def test_project_is_clean(tx: Any) -> None:
    assert [str(v) for v in catalog_checks(tx, ROOT)] == []


def test_table_without_rls(tx: Any) -> None:
    tx.execute("create table tutela.lint_no_rls (id int primary key)")
    tx.execute("create table tutela_private.lint_private_no_rls (id int primary key)")
    assert _found(tx, "rls") == ["tutela.lint_no_rls", "tutela_private.lint_private_no_rls"]


def test_definer_without_search_path(tx: Any) -> None:
    tx.execute(
        "create function tutela.lint_definer() returns int language sql security definer "
        "as 'select 1'"
    )
    tx.execute(
        "create function tutela_private.lint_definer_public_path() returns int language sql "
        "security definer set search_path = public as 'select 1'"
    )
    tx.execute(
        "create function tutela_private.lint_definer_ok() returns int language sql "
        "security definer set search_path = '' as 'select 1'"
    )
    assert _found(tx, "definer-search-path") == [
        "tutela.lint_definer()", "tutela_private.lint_definer_public_path()"
    ]


def test_function_executable_by_public_or_anon(tx: Any) -> None:
    tx.execute("create function tutela_private.lint_exec(p int) returns int language sql as "
               "'select p'")
    tx.execute("grant execute on function tutela_private.lint_exec(int) to public")
    # Supabase's default grants make a new public function executable by anon
    tx.execute("create function tutela.lint_anon() returns int language sql as 'select 1'")
    tx.execute("create function tutela.lint_ok() returns int language sql as 'select 1'")
    tx.execute("revoke all on function tutela.lint_ok() from public, anon")
    found = _found(tx, "public-execute")
    assert "tutela_private.lint_exec(integer)" in found
    assert "tutela.lint_anon()" in found
    assert "tutela.lint_ok()" not in found


def test_allowlist_exempts_a_listed_function(tx: Any, tmp_path: Path) -> None:
    tx.execute("create function tutela.lint_anon() returns int language sql as 'select 1'")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "anon_allowlist.txt").write_text(
        "# comment\ntutela.lint_anon(): health check for load balancers\n"
    )
    found = [v.obj for v in catalog_checks(tx, tmp_path) if v.check == "public-execute"]
    assert "tutela.lint_anon()" not in found


def test_allowlist_entry_needs_a_reason(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "anon_allowlist.txt").write_text("tutela.f()\n")
    with pytest.raises(TutelaError):
        read_allowlist(tmp_path)


def test_policy_with_bare_auth_uid(tx: Any) -> None:
    tx.execute("create table tutela.lint_pol (id int primary key, owner uuid)")
    tx.execute("alter table tutela.lint_pol enable row level security")
    tx.execute(
        "create policy bare on tutela.lint_pol for select to authenticated "
        "using (owner = auth.uid())"
    )
    tx.execute(
        "create policy bare_setting on tutela.lint_pol for update to authenticated "
        "using (true) with check (current_setting('request.jwt.claims', true) is not null)"
    )
    tx.execute(
        "create policy wrapped on tutela.lint_pol for insert to authenticated "
        "with check (owner = (select auth.uid()) and (select auth.jwt()) ->> 'aal' = 'aal2')"
    )
    assert _found(tx, "policy-initplan") == [
        "bare on tutela.lint_pol", "bare_setting on tutela.lint_pol"
    ]


def test_foreign_key_without_index(tx: Any) -> None:
    tx.execute("create table tutela.lint_parent (id int primary key, k int, unique (id, k))")
    tx.execute(
        "create table tutela.lint_child (id int primary key, parent_id int "
        "references tutela.lint_parent (id), a int, b int, "
        "foreign key (a, b) references tutela.lint_parent (id, k))"
    )
    tx.execute("alter table tutela.lint_parent enable row level security")
    tx.execute("alter table tutela.lint_child enable row level security")
    tx.execute("create index on tutela.lint_child (b, a, id)")  # leads with both FK columns
    found = _found(tx, "fk-index")
    assert found == ["lint_child_parent_id_fkey on tutela.lint_child"]
    tx.execute("create index on tutela.lint_child (parent_id)")
    assert _found(tx, "fk-index") == []


@pytest.mark.parametrize(
    ("expr", "bad"),
    [
        ("(owner = auth.uid())", ["auth.uid"]),
        ("(owner = ( SELECT auth.uid() AS uid))", []),
        ("((( SELECT auth.jwt() AS jwt) ->> 'role'::text) = 'x'::text)", []),
        ("(current_setting('a'::text) = 'auth.uid()'::text)", ["current_setting"]),
        ("(x IN ( SELECT s.id FROM t s WHERE (s.u = auth.uid())))", []),
        ("(AUTH.ROLE() = 'x')", ["AUTH.ROLE"]),
    ],
)
def test_calls_outside_select(expr: str, bad: list[str]) -> None:
    assert calls_outside_select(expr) == bad


def test_lint_command_reports_violations(cli: Any, project_copy: Path, server_url: str) -> None:
    clean = cli("lint", "--no-sqlfluff", "--no-python", "--database-url", server_url,
                root=project_copy)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (project_copy / "migrations" / "0099_bad.sql").write_text(
        "-- tutela:created 20991231000000\ncreate table tutela.lint_bad (id int);\n"
    )
    proc = cli("lint", "--no-sqlfluff", "--no-python", "--database-url", server_url,
               root=project_copy)
    assert proc.returncode == 1
    assert "[rls] tutela.lint_bad" in proc.stdout


def test_table_missing_from_registry(tx: Any) -> None:
    tx.execute("create table tutela.lint_unregistered (id int primary key)")
    tx.execute("alter table tutela.lint_unregistered enable row level security")
    assert _found(tx, "registry") == ["tutela.lint_unregistered"]


def test_registered_table_that_does_not_exist(tx: Any, tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    registry = (ROOT / "policies" / "registry.toml").read_text()
    (tmp_path / "policies" / "registry.toml").write_text(
        registry + '\n[[table]]\nname = "ghost"\nkind = "catalog"\nowner = "organization_id"\n'
        'row = "select 1"\nupdate_set = "x = 1"\n'
    )
    found = [v.obj for v in catalog_checks(tx, tmp_path) if v.check == "registry"]
    assert found == ["tutela.ghost"]
