"""`tutela lint` catalog checks and the ownership lint: clean on the project, and each check
catches a bad object."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from py_admin.errors import TutelaError
from py_admin.lint import (
    bootstrap_and_snapshot,
    calls_outside_select,
    catalog_checks,
    check_ownership_catalog,
    check_ownership_statements,
    check_ownership_text,
    ownership_files,
    ownership_snapshot,
    read_allowlist,
)
from py_admin.migrate import migrate

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


def test_function_without_search_path(tx: Any) -> None:
    tx.execute("create function tutela.lint_mutable() returns int language sql as 'select 1'")
    tx.execute("create function tutela.lint_pinned() returns int language sql "
               "set search_path = '' as 'select 1'")
    assert _found(tx, "search-path") == ["tutela.lint_mutable()"]


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


# ---- ownership: Tutela owns its schemas and touches nothing else -----------------------------
def _ownership(root: Path) -> list[str]:
    return [str(v) for v in check_ownership_statements(root)]


def test_ownership_statements_clean_on_the_project() -> None:
    assert _ownership(ROOT) == []


def test_ownership_reads_the_baseline_and_new_migrations_not_the_legacy_ones() -> None:
    names = [str(p.relative_to(ROOT)) for p in ownership_files(ROOT)]
    assert "migrations/baseline/0016_own_schemas.sql" in names
    assert "rpc/profiles.sql" in names and "policies/profiles.sql" in names
    # 0001-0015 built the 0.1 layout in public/private; 0016 moves it (names it on purpose);
    # what came after the baseline is read (0018 on)
    later = sorted(n for n in names if n.startswith("migrations/00"))
    assert "migrations/0018_personal_spaces.sql" in later
    assert all(int(n.removeprefix("migrations/")[:4]) > 16 for n in later), later


def _bad_file(project_copy: Path, where: str, sql: str) -> list[str]:
    (project_copy / where).write_text(sql)
    return _ownership(project_copy)


def test_ownership_table_in_public(project_copy: Path) -> None:
    found = _bad_file(project_copy, "rpc/zz_bad.sql",
                      "-- an app's table\n\ncreate table public.x (id int primary key);\n")
    assert len(found) == 1, found
    assert found[0].startswith("[ownership] rpc/zz_bad.sql:3: create table public.x: ")
    assert "(fix: " in found[0]


def test_ownership_unprefixed_trigger_on_auth_users(project_copy: Path) -> None:
    found = _bad_file(
        project_copy, "policies/zz_bad.sql",
        "create trigger on_auth_user_created after insert on auth.users\n"
        "  for each row execute function tutela_private.handle_new_user();\n"
        "create trigger tutela_on_auth_user_created_2 after insert on auth.users\n"
        "  for each row execute function tutela_private.handle_new_user();\n",
    )
    assert len(found) == 1, found
    assert "policies/zz_bad.sql:1: create trigger on_auth_user_created on auth.users" in found[0]


def test_ownership_database_wide_default_privileges(project_copy: Path) -> None:
    found = _bad_file(
        project_copy, "migrations/0099_bad.sql",
        "-- tutela:created 20991231000000\n"
        "alter default privileges revoke execute on functions from public;\n"
        "alter default privileges in schema tutela, tutela_private\n"
        "  revoke execute on functions from public;\n",
    )
    assert len(found) == 1, found
    assert "migrations/0099_bad.sql:2: alter default privileges (no schema)" in found[0]


def test_ownership_dynamic_ddl_in_a_do_block(project_copy: Path) -> None:
    found = _bad_file(
        project_copy, "rpc/zz_bad.sql",
        "do $$\nbegin\n  execute pg_catalog.format(\n"
        "    'create policy %I on public.%I for select to authenticated using (true)',\n"
        "    'p', 'profiles');\n"
        "  execute pg_catalog.format('create policy %I on tutela.%I using (true)', 'p', 't');\n"
        "end;\n$$;\n",
    )
    assert len(found) == 1, found
    assert found[0].startswith("[ownership] rpc/zz_bad.sql:4: dynamic DDL create policy")
    assert "names schema public" in found[0]


def test_ownership_legacy_migrations_are_not_read(project_copy: Path) -> None:
    (project_copy / "migrations" / "0015_delivery.sql").write_text(
        "create table public.legacy (id int);\n"
    )
    assert _ownership(project_copy) == []


@pytest.mark.parametrize(
    "sql",
    [
        "create schema app",
        "create extension if not exists pg_trgm with schema extensions",
        "alter database postgres set pgrst.db_schemas = 'tutela'",
        "alter role authenticator set pgrst.db_schemas = 'tutela'",
        "alter system set work_mem = '64MB'",
        "create event trigger tutela_ddl on ddl_command_end execute function tutela.f()",
        "create publication app_changes for table tutela.alerts",
        "alter publication supabase_realtime add table public.messages",
        "select cron.schedule('nightly', '0 3 * * *', 'select 1')",
        "select cron.unschedule('nightly')",
        "create table profiles (id int)",
        "create or replace function public.f() returns int language sql as 'select 1'",
        "grant execute on function auth.uid() to authenticated",
        "revoke usage on schema public from anon",
        "comment on table auth.users is 'x'",
        "create policy guardian_read on public.grades for select to authenticated using (true)",
        "drop trigger on_auth_user_created on auth.users",
        "alter table tutela.alerts set schema public",
        "create index grades_idx on public.grades (student_id)",
        "insert into storage.buckets (id, name) values ('avatars', 'avatars')",
        "create function tutela.f() returns void language plpgsql as $$ begin "
        "perform cron.schedule('nightly', '0 3 * * *', 'select 1'); end $$",
        "create function tutela.f() returns void language plpgsql as $$ begin "
        "execute 'alter default privileges grant all on tables to anon'; end $$",
    ],
)
def test_ownership_flags_each_statement_once(sql: str) -> None:
    found = check_ownership_text(sql + ";\n", "rpc/zz.sql")
    assert len(found) == 1, [str(v) for v in found]
    assert found[0].check == "ownership" and found[0].remediation


@pytest.mark.parametrize(
    "sql",
    [
        "create schema tutela_private",
        "grant usage on schema tutela, tutela_hidden to authenticated",
        "revoke all on schema tutela_private from public, anon, authenticated",
        "alter default privileges in schema tutela revoke execute on functions from public",
        "create trigger tutela_on_auth_user_created after insert on auth.users "
        "for each row execute function tutela_private.handle_new_user()",
        "drop trigger if exists tutela_on_auth_user_created on auth.users",
        "create publication tutela_changes for table tutela.alerts",
        "alter publication supabase_realtime add table tutela.alerts",
        "select cron.schedule('tutela_nightly', '0 3 * * *', 'select 1')",
        "create temporary table scratch (id int)",
        "create function tutela.f() returns void language plpgsql as $$ begin "
        "execute pg_catalog.format('create index on tutela.%I (id)', 'x'); end $$",
    ],
)
def test_ownership_accepts_what_is_tutelas(sql: str) -> None:
    assert [str(v) for v in check_ownership_text(sql + ";\n", "rpc/zz.sql")] == []


def test_ownership_catalog_trips_once_per_object(tx: Any) -> None:
    before = ownership_snapshot(tx)
    tx.execute("create table public.lint_app_table (id int primary key)")
    tx.execute(
        "create trigger tutela_lint_ok after insert on auth.users "
        "for each row execute function suppress_redundant_updates_trigger()"
    )
    tx.execute(
        "create trigger on_auth_user_created after insert on auth.users "
        "for each row execute function suppress_redundant_updates_trigger()"
    )
    tx.execute("alter default privileges revoke execute on functions from public")
    tx.execute("alter default privileges in schema tutela revoke execute on functions from anon")
    found = [v.obj for v in check_ownership_catalog(tx, before)]
    assert len(found) == 3, found
    assert found[0].startswith("default privileges of ")
    assert "database-wide on functions" in found[0]
    assert found[1:] == ["table public.lint_app_table",
                         "trigger on_auth_user_created on auth.users"]


def test_ownership_catalog_sees_grants_and_settings(tx: Any) -> None:
    before = ownership_snapshot(tx)
    tx.execute("grant select on auth.users to authenticated")
    # a custom setting (pgrst.*) on a role needs a superuser: one postgres may set on Supabase
    tx.execute("alter role authenticator set lock_timeout = '5s'")
    found = [v.obj for v in check_ownership_catalog(tx, before)]
    assert len(found) == 2, found
    assert found[0].startswith("privileges on relation auth.users: ")
    assert found[1] == "setting in every database for authenticator: lock_timeout=5s"


def test_ownership_catalog_clean_after_a_fresh_migration(empty_db: str, conn_factory: Any) -> None:
    before = bootstrap_and_snapshot(empty_db)
    migrate(empty_db, root=ROOT)
    conn = conn_factory(empty_db)
    assert [str(v) for v in catalog_checks(conn, ROOT, before)] == []


# The catalog layer's first real finding was the runner writing its ledger into an app's own
# `private` schema (fixed in the runner: `_record(legacy=...)`); this test keeps it fixed.
def test_ownership_catalog_does_not_blame_the_apps_objects(
    empty_db: str, conn_factory: Any
) -> None:
    before_app = bootstrap_and_snapshot(empty_db)
    app = conn_factory(empty_db, autocommit=True)
    app.execute("create schema private")
    app.execute("create table public.profiles (id uuid primary key references auth.users)")
    app.execute("create function public.handle_new_user() returns trigger language plpgsql "
                "as 'begin return new; end'")
    app.execute("create trigger on_auth_user_created after insert on auth.users "
                "for each row execute function public.handle_new_user()")
    app.execute("alter default privileges revoke execute on functions from public")
    with_app = ownership_snapshot(app)
    assert len(with_app.keys() - before_app.keys()) >= 5  # the app's, seen by the rule
    migrate(empty_db, root=ROOT)
    conn = conn_factory(empty_db)
    assert [str(v) for v in check_ownership_catalog(conn, with_app)] == []
    conn.rollback()


def test_lint_command_catalog_layer_catches_what_statements_miss(
    cli: Any, project_copy: Path, server_url: str
) -> None:
    # a name built at run time: the statement layer cannot read it, the catalog layer sees it
    (project_copy / "rpc" / "zz_sneaky.sql").write_text(
        "do $$\nbegin\n  execute 'create view ' || 'pub' || 'lic.lint_sneaky as select 1';\n"
        "end;\n$$;\n"
    )
    assert _ownership(project_copy) == []
    proc = cli("lint", "--no-sqlfluff", "--no-python", "--database-url", server_url,
               root=project_copy)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("[ownership]")]
    assert len(lines) == 1, proc.stdout
    assert lines[0].startswith("[ownership] view public.lint_sneaky: ")
