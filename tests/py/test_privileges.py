"""The privilege lint (py_admin/privileges.py, `tutela lint`'s `privileges` check): the API
roles' privileges in the catalog are exactly those Tutela's SQL states, whatever the database's
default privileges.

Two databases: one migrated as today's Supabase makes them (no default privileges for the API
roles), one migrated after the migrating role's default privileges were set to grant ALL on new
tables and sequences and EXECUTE on new functions to anon, authenticated and service_role, both
database-wide and in `public` (an older Supabase project). Both must lint clean and hold the
same privileges, and the privilege matrix must be the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from py_admin import privileges
from py_admin.db import connect, scratch_database
from py_admin.lint import catalog_checks, check_privileges
from py_admin.matrix import format_text, run_matrix
from py_admin.migrate import _apply, bootstrap_file, migrate

ROOT = Path(__file__).resolve().parents[2]

# what an older Supabase project's default privileges grant (the widest case: database-wide,
# so they reach Tutela's schemas, and in public)
OLD_PROJECT_DEFAULTS = [
    f"alter default privileges{scope} grant {privs} on {kind} "
    "to anon, authenticated, service_role"
    for scope in ("", " in schema public")
    for privs, kind in (("all", "tables"), ("all", "sequences"), ("execute", "functions"))
]


@pytest.fixture(scope="module")
def clean_db(server_url: str) -> Iterator[str]:
    """Migrated with no default privileges for the API roles."""
    with scratch_database(server_url, prefix="tutela_privs_clean") as url:
        migrate(url, root=ROOT)
        yield url


@pytest.fixture(scope="module")
def defaults_db(server_url: str) -> Iterator[str]:
    """Migrated after the migrating role's default privileges grant everything new to the API
    roles (the Supabase bootstrap first: it makes those roles)."""
    with scratch_database(server_url, prefix="tutela_privs_defaults") as url:
        with connect(url) as conn:
            _apply(conn, bootstrap_file())
            for statement in OLD_PROJECT_DEFAULTS:
                conn.execute(statement)
            conn.commit()
        migrate(url, root=ROOT)
        yield url


@pytest.fixture
def tx(clean_db: str, conn_factory: Any) -> Iterator[Any]:
    conn = conn_factory(clean_db)
    yield conn
    conn.rollback()


def _problems(conn: Any) -> list[str]:
    return [str(v) for v in check_privileges(conn, ROOT)]


def test_fresh_database_is_clean(tx: Any) -> None:
    assert _problems(tx) == []


def test_the_default_privileges_were_really_set(defaults_db: str) -> None:
    """The fixture is what it claims: a table made after it is granted to anon."""
    with connect(defaults_db) as conn:
        conn.execute("create table tutela.privs_probe (id int)")
        row = conn.execute(
            "select has_table_privilege('anon', 'tutela.privs_probe', 'insert'), "
            "has_function_privilege('anon', 'tutela_private.deny(text)', 'execute')"
        ).fetchone()
        conn.rollback()
    assert row is not None and row[0] is True
    # Tutela's source revoked what the default privileges gave its own function
    assert row[1] is False


def test_default_privileged_database_is_clean(defaults_db: str) -> None:
    with connect(defaults_db) as conn:
        assert _problems(conn) == []
        assert [str(v) for v in catalog_checks(conn, ROOT)] == []


def test_both_databases_hold_the_same_privileges(clean_db: str, defaults_db: str) -> None:
    with connect(clean_db) as a, connect(defaults_db) as b:
        objects_a, entries_a = privileges.catalog(a)
        objects_b, entries_b = privileges.catalog(b)
    assert objects_a == objects_b
    assert sorted(entries_b - entries_a) == []
    assert sorted(entries_a - entries_b) == []


def test_the_matrix_is_the_same_on_both(clean_db: str, defaults_db: str) -> None:
    a = run_matrix(clean_db)
    b = run_matrix(defaults_db)
    assert b.ok, format_text(b)
    assert [(c.table, c.command, c.actor, c.observed) for c in a.cells] == [
        (c.table, c.command, c.actor, c.observed) for c in b.cells
    ]
    assert format_text(a) == format_text(b)


def test_an_extra_grant_fails(tx: Any) -> None:
    tx.execute("grant insert on tutela.plans to anon")
    tx.execute("grant execute on function tutela_private.deny(text) to authenticated")
    tx.execute("grant update (name) on tutela.organizations to authenticated")
    tx.execute("grant usage on sequence tutela.messages_id_seq to service_role")
    found = _problems(tx)
    assert any(p.startswith("[privileges] relation tutela.plans: anon has INSERT")
               for p in found), found
    assert any("function tutela_private.deny(text): authenticated has EXECUTE" in p
               for p in found), found
    assert any("column tutela.organizations.name: authenticated has UPDATE" in p
               for p in found), found
    assert any("sequence tutela.messages_id_seq: service_role has USAGE" in p
               for p in found), found
    assert len(found) == 4, found


def test_a_missing_grant_fails(tx: Any) -> None:
    tx.execute("revoke select on tutela.plans from anon")
    tx.execute("revoke usage on schema tutela_hidden from authenticated")
    found = _problems(tx)
    assert sorted(found) == sorted([
        "[privileges] relation tutela.plans: anon lacks SELECT, which Tutela's SQL grants "
        "(fix: find what revoked it outside the source)",
        "[privileges] schema tutela_hidden: authenticated lacks USAGE, which Tutela's SQL "
        "grants (fix: find what revoked it outside the source)",
    ])


def test_an_object_the_source_does_not_make_fails(tx: Any) -> None:
    tx.execute("create function tutela.privs_unknown() returns int language sql "
               "set search_path = '' as 'select 1'")
    found = _problems(tx)
    assert len(found) == 1 and "function tutela.privs_unknown()" in found[0], found


def test_a_function_without_search_path_fails(tx: Any) -> None:
    definer = tx.execute(
        "select p.oid::regprocedure::text from pg_proc p "
        "where p.pronamespace = 'tutela'::regnamespace and p.prosecdef order by 1 limit 1"
    ).fetchone()[0]
    invoker = tx.execute(
        "select p.oid::regprocedure::text from pg_proc p "
        "where p.pronamespace = 'tutela_hidden'::regnamespace and not p.prosecdef "
        "order by 1 limit 1"
    ).fetchone()[0]
    tx.execute(f"alter function {definer} reset search_path")
    tx.execute(f"alter function {invoker} reset search_path")
    found = {(v.check, v.obj) for v in catalog_checks(tx, ROOT)}
    assert ("definer-search-path", definer) in found
    assert ("search-path", invoker) in found


# ---- the source side, without a database ---------------------------------------------------
def test_the_source_depends_on_no_default_privileges() -> None:
    assert privileges.default_dependent(ROOT) == []


def test_a_function_revoked_only_from_public_depends_on_defaults(project_copy: Path) -> None:
    rpc = project_copy / "rpc" / "profiles.sql"
    rpc.write_text(rpc.read_text() + """
create or replace function tutela.privs_half() returns int
language sql stable set search_path = '' as $$ select 1 $$;
revoke all on function tutela.privs_half() from public;
grant execute on function tutela.privs_half() to authenticated;
""")
    found = privileges.default_dependent(project_copy)
    assert [(o, d.split(" ")[0] + " " + d.split(" ")[2]) for o, d, _ in found] == [
        ("function tutela.privs_half()", "anon EXECUTE"),
        ("function tutela.privs_half()", "service_role EXECUTE"),
    ]


def test_alter_default_privileges_in_the_source_is_reported(project_copy: Path) -> None:
    pol = project_copy / "policies" / "profiles.sql"
    pol.write_text(pol.read_text() + "\nalter default privileges in schema tutela "
                   "grant select on tables to authenticated;\n")
    model = privileges.declared(project_copy)
    assert [p.where.split(":")[0] for p in model.problems] == ["policies/profiles.sql"]


SCENARIO = """
create schema tutela_private;
create table tutela_private.t (id bigint generated always as identity, a int, b int);
grant select (a, b), update (a) on table tutela_private.t to authenticated;
revoke update on table tutela_private.t from authenticated;
grant select on all tables in schema tutela_private to service_role;
create function tutela_private.f(p_x integer, out o text, p_t timestamptz default null)
language sql as $$ select 'x' $$;
revoke all on function tutela_private.f(int4, timestamp with time zone) from public;
grant execute on function tutela_private.f to anon;
create or replace function tutela_private.f(p_x integer, out o text, p_t timestamptz default null)
language sql as $$ select 'y' $$;
create view tutela_private.v as select 1 as one;
grant select on tutela_private.v to anon;
create or replace view tutela_private.v as select 1 as one;
grant select on tutela_private.v to authenticated with grant option;
revoke grant option for select on tutela_private.v from authenticated;
create table tutela_private.gone (id serial);
drop table tutela_private.gone;
"""


def test_the_replay_follows_postgresql() -> None:
    model = privileges.Model()
    model.apply_text(SCENARIO, "scenario.sql")
    assert sorted(model.objects) == [
        "tutela_private", "tutela_private.f(integer, timestamp with time zone)",
        "tutela_private.t", "tutela_private.t_id_seq", "tutela_private.v",
    ]
    assert model.entries() == {
        # the table revoke reached the column grant; `all tables` skipped the sequence
        ("column", "tutela_private.t.a", "authenticated", "SELECT"),
        ("column", "tutela_private.t.b", "authenticated", "SELECT"),
        ("relation", "tutela_private.t", "service_role", "SELECT"),
        # create or replace kept the ACLs
        ("function", "tutela_private.f(integer, timestamp with time zone)", "anon", "EXECUTE"),
        ("relation", "tutela_private.v", "anon", "SELECT"),
        # `revoke grant option for` leaves the privilege
        ("relation", "tutela_private.v", "authenticated", "SELECT"),
    }


def test_the_replay_matches_postgresql(empty_db: str) -> None:
    """The same scenario, run by PostgreSQL, gives the same catalog. The replay models a
    database without default privileges (what the default-dependence check assumes the worst
    of): on an older project's database (`TUTELA_SUPABASE_MODE=legacy`) the connecting role's
    defaults are taken back first, in this database only."""
    with connect(empty_db) as conn:
        for where in ("", " in schema public"):
            for what in ("tables", "sequences", "functions"):
                conn.execute(f"alter default privileges{where} revoke all on {what} "
                             "from anon, authenticated, service_role")
        _apply(conn, bootstrap_file())
        conn.execute(SCENARIO.replace("create schema tutela_private;",
                                      "create schema tutela_private; create schema tutela;"
                                      " create schema tutela_hidden;"))
        objects, entries = privileges.catalog(conn)
        conn.rollback()
    model = privileges.Model()
    model.apply_text("create schema tutela; create schema tutela_hidden;" + SCENARIO, "s.sql")
    assert privileges.compare(model, objects, entries) == []
