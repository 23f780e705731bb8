"""Tutela installs beside any app and leaves without a trace (issue 26).

Two apps, each loaded on a database that already has Supabase's parts (the compat bootstrap):
- the shadow app, generated from Tutela's own catalog (a fresh install read back): an object of
  the same name and kind as every object Tutela creates, in `public` and in a schema `private`
  (tables with their sequences and primary keys, every index, every function with its
  signature, triggers on auth.users by Tutela's names without the prefix, the test helpers'
  names in a schema `tests`), each table with a row;
- a hand-written typical Supabase app (tests/fixtures/app/typical_supabase_app.sql), with its
  own sign-up trigger (`on_auth_user_created` -> `private.handle_new_user()`), policies, a
  materialized view, default privileges and data.
Tutela is installed both ways an adopter does: `tutela migrate`, and `supabase db push` of the
supabase/ project with the pinned Supabase CLI (node_modules, from package-lock.json); removed
with `tutela uninstall`, or with supabase/tutela_uninstall.sql through psql.
The install must succeed, the app's schemas must be identical (`pg_dump
--schema-only` and `--data-only` of public, private and tests before and after), the app's
triggers on auth.users, its default privileges and the database's settings untouched, and a
new sign-up must fire both the app's trigger and Tutela's. `tutela uninstall` must then leave the
database as it was before the install: the same dumps, and auth (where Tutela's trigger sat)
byte for byte as before.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from py_admin.db import scratch_database
from py_admin.migrate import migrate
from py_admin.paths import SQL_DIR
from py_admin.pgbin import find_install
from py_admin.pgtap import install_test_support
from py_admin.uninstall import SCHEMAS, read_manifest, uninstall

ROOT = Path(__file__).resolve().parents[2]
APP_SCHEMAS = ("public", "private", "tests")
TYPICAL_APP = ROOT / "tests" / "fixtures" / "app" / "typical_supabase_app.sql"
OURS = ("tutela", "tutela_hidden", "tutela_private")


# ---- Tutela's catalog, read from a fresh install ---------------------------------------------
def tutela_catalog(url: str) -> dict[str, Any]:
    with psycopg.connect(url, options="-c search_path=") as conn:
        tables = conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = any(%s) and c.relkind in ('r', 'p') order by 1",
            (list(OURS),),
        ).fetchall()
        indexes = conn.execute(
            "select c.relname, t.relname from pg_index i join pg_class c on c.oid = i.indexrelid "
            "join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = any(%s) order by 1",
            (list(OURS),),
        ).fetchall()
        functions = conn.execute(
            "select p.proname, pg_get_function_identity_arguments(p.oid), "
            "p.prorettype = 'trigger'::regtype from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace where n.nspname = any(%s) order by 1, 2",
            (list(OURS),),
        ).fetchall()
        triggers = conn.execute(
            "select t.tgname from pg_trigger t where t.tgrelid = 'auth.users'::regclass "
            "and not t.tgisinternal order by 1"
        ).fetchall()
        jobs = conn.execute("select name from tutela_private.jobs order by 1").fetchall()
    helpers = re.findall(r"create or replace function tutela_tests\.(\w+)\(([^)]*)\)",
                         (ROOT / "tests" / "sql" / "helpers.sql").read_text())
    return {
        "tables": [r[0] for r in tables],
        "indexes": [(r[0], r[1]) for r in indexes],
        "functions": [(r[0], r[1], r[2]) for r in functions],
        "triggers": [r[0] for r in triggers],
        "jobs": [r[0] for r in jobs],
        "helpers": helpers,
    }


def shadow_app_sql(cat: dict[str, Any]) -> str:
    """SQL making, in public and private, an object of the name and kind of each of Tutela's."""
    out = ["create schema private;", "create table public.signups (user_id uuid primary key);"]
    assert "profiles" in cat["tables"] and "handle_new_user" in {f[0] for f in cat["functions"]}
    for schema in ("public", "private"):
        for t in cat["tables"]:
            out.append(
                f"create table {schema}.{t} (id bigint generated always as identity primary key, "
                f"app_note text not null default 'app {schema}.{t}');"
            )
            out.append(f"alter table {schema}.{t} enable row level security;")
            out.append(f"create policy {t}_app_select on {schema}.{t} for select "
                       "to authenticated using (true);")
            out.append(f"insert into {schema}.{t} default values;")
        for index, table in cat["indexes"]:
            if index.endswith("_pkey"):
                continue  # the tables above have primary keys of the same names
            out.append(f"create index {index} on {schema}.{table} (app_note);")
        made: set[tuple[str, str]] = set()
        for name, args, is_trigger in cat["functions"]:
            # Tutela's row types become the shadow tables of the same name in this schema
            sig = re.sub(r"\btutela(?:_private|_hidden)?\.", f"{schema}.", args)
            if (name, sig) in made:
                continue  # the same name and arguments in two of Tutela's schemas
            made.add((name, sig))
            if is_trigger:
                if schema == "private" and name == "handle_new_user":
                    body = "begin insert into public.signups values (new.id); return new; end"
                else:
                    body = "begin return new; end"
                out.append(f"create function {schema}.{name}({sig}) returns trigger "
                           f"language plpgsql as $fn$ {body} $fn$;")
            else:
                if "OUT " in sig:  # OUT parameters make the result a record
                    outs = re.findall(r"\bOUT \w+ ([^,]+)", sig)
                    body = "select " + ", ".join(f"null::{t}" for t in outs)
                    out.append(f"create function {schema}.{name}({sig}) returns record "
                               f"language sql as $fn$ {body} $fn$;")
                else:
                    out.append(f"create function {schema}.{name}({sig}) returns text "
                               f"language sql as $fn$ select 'app {schema}.{name}' $fn$;")
    out.append("create schema tests;")
    for name, params in cat["helpers"]:
        types = ", ".join(p.split()[1] for p in params.split(",") if p.strip())
        out.append(f"create function tests.{name}({types}) returns text "
                   f"language sql as $fn$ select 'app tests.{name}' $fn$;")
    for trigger in cat["triggers"]:
        # the names Tutela's triggers would have without the prefix: the app's own
        name = trigger.removeprefix("tutela_")
        func = "private.handle_new_user" if name == "on_auth_user_created" else \
            f"private.{next(f[0] for f in cat['functions'] if f[2])}"
        out.append(f"create trigger {name} after insert on auth.users "
                   f"for each row execute function {func}();")
    # the app's own default privileges and settings (one `postgres` may set on Supabase: a
    # custom `app.*` setting needs a superuser since PostgreSQL 15)
    out.append("alter default privileges in schema public grant select on tables to anon;")
    out.append("do $$ begin execute format('alter database %I set default_text_search_config "
               "= %L', current_database(), 'pg_catalog.simple'); end $$;")
    return "\n".join(out)


# ---- the comparison -------------------------------------------------------------------------
def pg_dump(url: str, *args: str) -> str:
    pg = find_install()
    assert pg is not None
    proc = subprocess.run([pg.tool("pg_dump"), "--no-owner", *args, url],
                          capture_output=True, text=True, check=True)
    # the dump names the server's version and a random restrict key in \restrict lines
    return "\n".join(line for line in proc.stdout.splitlines()
                     if not line.startswith(("\\restrict", "\\unrestrict")))


def snapshot(url: str) -> dict[str, Any]:
    schemas = [a for s in APP_SCHEMAS for a in ("--schema", s)]
    with psycopg.connect(url) as conn:
        triggers = conn.execute(
            "select tgname, pg_get_triggerdef(oid) from pg_trigger "
            "where tgrelid = 'auth.users'::regclass and not tgisinternal "
            "and tgname not like 'tutela\\_%%' order by 1").fetchall()
        default_acl = conn.execute(
            "select defaclrole::regrole::text, defaclnamespace::regnamespace::text, "
            "defaclobjtype, defaclacl::text from pg_default_acl order by 1, 2, 3").fetchall()
        settings = conn.execute(
            "select setrole, setconfig::text from pg_db_role_setting "
            "where setdatabase = (select oid from pg_database where datname = current_database()) "
            "order by 1").fetchall()
    return {
        "schema": pg_dump(url, "--schema-only", *schemas),
        "data": pg_dump(url, "--data-only", *schemas),
        "auth": pg_dump(url, "--schema-only", "--schema", "auth"),
        "auth_data": pg_dump(url, "--data-only", "--schema", "auth"),
        "triggers": triggers,
        "default_acl": default_acl,
        "settings": settings,
    }


def sign_up(url: str) -> str:
    uid = str(uuid.uuid4())
    with psycopg.connect(url) as conn:
        conn.execute("insert into auth.users (id, aud, role, email, created_at) "
                     "values (%s, 'authenticated', 'authenticated', %s, now())",
                     (uid, f"{uid[:8]}@signup.test"))
    return uid


def psql_file(url: str, path: Path) -> None:
    pg = find_install()
    assert pg is not None
    subprocess.run([pg.tool("psql"), "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path),
                    url], capture_output=True, text=True, check=True)


# ---- the two apps ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def catalog(server_url: str) -> dict[str, Any]:
    with scratch_database(server_url, prefix="tutela_pytest_catalog") as url:
        migrate(url, root=ROOT)
        return tutela_catalog(url)


def _app_database(server_url: str, app_sql: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_app") as url:
        with psycopg.connect(url) as conn:
            conn.execute((SQL_DIR / "supabase_compat.sql").read_bytes())  # Supabase's parts
            conn.execute(app_sql.encode())
        yield url


@pytest.fixture(params=["shadow", "typical"])
def app_db(request: pytest.FixtureRequest, server_url: str,
           catalog: dict[str, Any]) -> Iterator[tuple[str, str]]:
    app_sql = shadow_app_sql(catalog) if request.param == "shadow" else TYPICAL_APP.read_text()
    for url in _app_database(server_url, app_sql):
        yield request.param, url


@pytest.fixture
def history_free(app_db: tuple[str, str]) -> tuple[str, str]:
    """On Supabase, the CLI's history schema is there before Tutela (the app pushed before)."""
    with psycopg.connect(app_db[1]) as conn:
        conn.execute("create schema if not exists supabase_migrations")
    return app_db


def test_the_shadow_app_shadows_every_object(catalog: dict[str, Any]) -> None:
    assert len(catalog["tables"]) >= 60 and len(catalog["functions"]) >= 250
    assert catalog["triggers"] == ["tutela_on_auth_user_created"]
    assert len(catalog["jobs"]) >= 6 and len(catalog["helpers"]) >= 5
    sql = shadow_app_sql(catalog)
    for t in ("profiles", "students", "guardian_links", "notification_outbox", "jobs"):
        assert f"create table public.{t} " in sql and f"create table private.{t} " in sql
    assert "create trigger on_auth_user_created after insert on auth.users" in sql
    assert "create function tests.clear_authentication() " in sql


@pytest.mark.parametrize("installer", ["tutela", "supabase"])
def test_install_beside_the_app_and_uninstall_leave_it_as_it_was(
    history_free: tuple[str, str], installer: str, tmp_path: Path, supabase_push: Any,
) -> None:
    kind, url = history_free
    before = snapshot(url)
    app_trigger_rows = "public.signups" if kind == "shadow" else "public.user_settings"

    if installer == "tutela":
        result = migrate(url, root=ROOT)
        assert result.applied, "tutela migrate installed nothing"
    else:
        out = supabase_push(url, tmp_path)
        assert "_0016_own_schemas.sql" in out and "Finished supabase db push" in out, out
    installed = snapshot(url)
    for key in ("schema", "data", "triggers", "default_acl", "settings"):
        assert installed[key] == before[key], f"{kind}: migrate changed the app's {key}"
    # the app's objects are where they were, and Tutela's are in its own schemas
    with psycopg.connect(url) as conn:
        assert conn.execute("select count(*) from pg_namespace where nspname = any(%s)",
                            (list(OURS),)).fetchone() == (3,)
        assert conn.execute("select to_regclass('tutela.profiles') is not null, "
                            "to_regclass('public.profiles') is not null").fetchone() == (True, True)

    # a sign-up fires the app's trigger and Tutela's
    uid = sign_up(url)
    with psycopg.connect(url) as conn:
        key = "user_id"
        assert conn.execute(f"select count(*) from {app_trigger_rows} where {key} = %s",
                            (uid,)).fetchone() == (1,), f"{kind}: the app's sign-up trigger"
        assert conn.execute("select count(*) from tutela.profiles where user_id = %s",
                            (uid,)).fetchone() == (1,), "Tutela's sign-up trigger"
        conn.execute("delete from auth.users where id = %s", (uid,))
        if kind == "shadow":
            conn.execute("delete from public.signups where user_id = %s", (uid,))

    # the test helpers install into tutela_tests, not the app's tests schema
    install_test_support(url, root=ROOT)
    assert snapshot(url)["schema"] == before["schema"]

    found = read_manifest(url)
    assert set(found.schemas) == set(SCHEMAS)
    assert found.outside == ["trigger tutela_on_auth_user_created on auth.users"]
    if installer == "tutela":
        uninstall(url)
    else:
        psql_file(url, ROOT / "supabase" / "tutela_uninstall.sql")
    after = snapshot(url)
    assert after == before, f"{kind}: uninstall did not leave the database as it was"
    assert read_manifest(url).empty


def test_uninstall_refuses_while_the_app_depends_on_tutela(empty_db: str) -> None:
    from py_admin.errors import TutelaError

    migrate(empty_db, root=ROOT)
    with psycopg.connect(empty_db) as conn:
        conn.execute("create view public.my_students as select id, display_name "
                     "from tutela.students")
        conn.execute("create table public.notes (student_id uuid "
                     "references tutela.students (id))")
    # the SQL itself (supabase/tutela_uninstall.sql) refuses with TU409, changing nothing
    with psycopg.connect(empty_db) as conn, pytest.raises(psycopg.Error) as raw:
        conn.execute((SQL_DIR / "uninstall.sql").read_bytes())
    assert raw.value.sqlstate == "TU409"
    with pytest.raises(TutelaError) as err:
        uninstall(empty_db)
    assert "my_students" in str(err.value) and "notes_student_id_fkey" in str(err.value)
    assert "nothing was removed" in str(err.value)
    found = read_manifest(empty_db)
    assert found.schemas.get("tutela", 0) > 100  # nothing was removed
    with psycopg.connect(empty_db) as conn:
        conn.execute("drop view public.my_students")
        conn.execute("drop table public.notes")
    uninstall(empty_db)
    assert read_manifest(empty_db).empty


def test_uninstall_cli_asks_first_and_says_what_goes(empty_db: str, cli: Any) -> None:
    migrate(empty_db, root=ROOT)
    refused = cli("uninstall", "--database-url", empty_db)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "--yes" in refused.stderr and "schema tutela" in refused.stdout
    assert not read_manifest(empty_db).empty
    done = cli("uninstall", "--database-url", empty_db, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert read_manifest(empty_db).empty
    again = cli("uninstall", "--database-url", empty_db, "--yes")
    assert again.returncode == 0 and "nothing to remove" in again.stdout
