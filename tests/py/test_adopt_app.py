"""Tutela adopted over an existing app's own tables (docs/adopting.md), end to end.

The fixture tests/fixtures/flashcards_app is an app written before Tutela: its tables, indexes,
own-rows policies, a materialized view with a refresh, an RPC over it, seed rows and its own
pgTAP tests. It is pushed with the real Supabase CLI onto a fresh database, then adopted with
`tutela init` and its supabase/tutela.toml, pushed again, and checked: the app's tests and the
rendered ones pass, guardians read exactly their child's rows and write nothing, the MV wrapper
returns what the child's own RPC returns, a guardian's read over 100k rows uses the index, and
emptying tutela.toml renders a down path that leaves the app's catalog as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from py_admin.paths import SQL_DIR

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "flashcards_app"
CLI = ROOT / "node_modules" / ".bin" / "supabase"
ANA = "a0000000-0000-4000-8000-000000000001"  # seed users of the app
BEN = "a0000000-0000-4000-8000-000000000002"

# the app's objects as the catalog has them, privileges in a stable order (what adoption and
# its down path may not change)
ACL = "coalesce((select string_agg(x::text, ',' order by x::text) from unnest({}) as x), '-')"
SNAPSHOT = f"""
select 'rel ' || c.relname || ' ' || c.relkind::text || ' ' || {ACL.format("c.relacl")}
  || ' rls=' || c.relrowsecurity
from pg_class as c where c.relnamespace = 'public'::regnamespace
union all
select 'col ' || c.relname || '.' || a.attname || ' ' || {ACL.format("a.attacl")}
from pg_attribute as a join pg_class as c on c.oid = a.attrelid
where c.relnamespace = 'public'::regnamespace and a.attacl is not null
union all
select 'policy ' || c.relname || ' ' || p.polname || ' ' || p.polcmd::text || ' '
  || p.polroles::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '-') || ' '
  || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-')
from pg_policy as p join pg_class as c on c.oid = p.polrelid
where c.relnamespace = 'public'::regnamespace
union all
select 'func ' || p.oid::regprocedure::text || ' ' || p.prosecdef || ' '
  || {ACL.format("p.proacl")}
from pg_proc as p where p.pronamespace = 'public'::regnamespace
order by 1
"""


def _ok(proc: Any) -> str:
    out = str(proc.stdout + proc.stderr)
    assert proc.returncode == 0, out[-5000:]
    assert "Traceback" not in out
    return out


def _push(app: Path, url: str) -> str:
    return _ok(subprocess.run(
        [str(CLI), "db", "push", "--db-url", f"{url}?sslmode=disable", "--yes"],
        cwd=app, capture_output=True, text=True, check=False, timeout=300))


def _init(app: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",
                                                             "TUTELA_PROJECT_ROOT")}
    exe = str(Path(sys.executable).parent / "tutela")
    return _ok(subprocess.run([exe, "init"], cwd=app, capture_output=True, text=True,
                              check=False, timeout=120,
                              env=dict(env, TUTELA_PROJECT_ROOT=str(ROOT), NO_COLOR="1")))


def _snapshot(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(SNAPSHOT)]


def _as(cur: Any, uid: str | None) -> None:
    if uid is None:
        cur.execute("select tutela_tests.clear_authentication()")
    else:
        cur.execute("select tutela_tests.authenticate_as(%s)", (uid,))


def _ids(cur: Any, sql: str, *args: Any) -> set[str]:
    return {str(r[0]) for r in cur.execute(sql, args).fetchall()}


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_plan_nodes(child))
    return nodes


def test_an_existing_app_adopts_guardian_read_access(empty_db: str, tmp_path: Path) -> None:
    assert CLI.exists(), "run `make setup`: it installs the Supabase CLI (npm ci)"
    if shutil.which("pg_prove") is None:
        pytest.fail("pg_prove is not installed (make setup installs it)")
    app = tmp_path / "app"
    shutil.copytree(FIXTURE, app)
    sb = app / "supabase"
    registry = (sb / "tutela.toml").read_text()
    (sb / "tutela.toml").unlink()

    # -- the app as it runs today: its migrations, its seed --------------------------------------
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute((SQL_DIR / "supabase_compat.sql").read_bytes())
        dbname = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(f'alter database "{dbname}" set search_path = "$user", public, extensions')
    _push(app, empty_db)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute((sb / "seed.sql").read_bytes())
    before = _snapshot(empty_db)
    # the lint sees the MV every signed-in user (and anon) reads whole
    lint = subprocess.run([str(Path(sys.executable).parent / "tutela"), "lint", "--app",
                           "--supabase-dir", str(sb), "--database-url", empty_db],
                          capture_output=True, text=True, check=False, timeout=60,
                          env=dict(os.environ, NO_COLOR="1"))
    assert lint.returncode == 1 and "Traceback" not in lint.stderr, lint.stdout + lint.stderr
    assert "app_exposed_view: public.user_daily_study_stats_mv" in lint.stdout

    # -- adopt: tutela init with the registry, twice (the second run adds nothing) ---------------
    (sb / "tutela.toml").write_text(registry)
    out = _init(app)
    assert "tutela_app_access.sql" in out
    access = sorted((sb / "migrations").glob("*_tutela_app_access.sql"))
    assert len(access) == 1
    tree = sorted(p.relative_to(sb).as_posix() for p in sb.rglob("*") if p.is_file())
    out = _init(app)
    assert "guardian access up to date" in out
    assert sorted(p.relative_to(sb).as_posix() for p in sb.rglob("*") if p.is_file()) == tree
    assert sorted(p.name for p in (sb / "tests" / "tutela_app").iterdir()) == [
        "card_reviews.test.sql", "flashcards.test.sql", "user_daily_study_stats_mv.test.sql"]
    pushed = _push(app, empty_db)
    assert f"Applying migration {access[0].name}" in pushed
    lint = subprocess.run([str(Path(sys.executable).parent / "tutela"), "lint", "--app",
                           "--supabase-dir", str(sb), "--database-url", empty_db],
                          capture_output=True, text=True, check=False, timeout=60,
                          env=dict(os.environ, NO_COLOR="1"))
    assert lint.returncode == 0 and "app lint: clean" in lint.stdout, lint.stdout + lint.stderr

    # -- the app's tests, Tutela's helpers' and the rendered ones (supabase test db's pg_prove) --
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("create extension if not exists pgtap with schema extensions")
    files = ["supabase/tests/tutela/000_setup.test.sql",
             "supabase/tests/tutela/guardianship/100_app_access_helpers.test.sql",
             "supabase/tests/database/flashcards.test.sql",
             *sorted(f"supabase/tests/tutela_app/{p.name}"
                     for p in (sb / "tests" / "tutela_app").glob("*.test.sql"))]
    prove = subprocess.run(["pg_prove", "--dbname", empty_db, *files], cwd=app,
                           capture_output=True, text=True, check=False, timeout=300)
    assert prove.returncode == 0, prove.stdout[-5000:] + prove.stderr[-3000:]
    assert f"Files={len(files)}," in prove.stdout

    with psycopg.connect(empty_db) as conn, conn.cursor() as cur:
        # a school world over the app's seed users: ana is a student with a login, ben another
        cur.execute("select tutela_tests.create_user(x) from unnest(array["
                    "'mum@flash.test', 'nocards@flash.test', 'pending@flash.test', "
                    "'revoked@flash.test', 'stranger@flash.test', 'bens@flash.test']) as x")
        mum, nocards, pending, revoked, stranger, bens = (
            str(r[0]) for r in cur.execute(
                "select id from auth.users where email like any (array['mum@%%', 'nocards@%%', "
                "'pending@%%', 'revoked@%%', 'stranger@%%', 'bens@%%']) order by "
                "array_position(array['mum', 'nocards', 'pending', 'revoked', 'stranger', 'bens'],"
                " split_part(email, '@', 1))").fetchall())
        org = cur.execute("insert into tutela.organizations (name, slug, "
                          "max_guardians_per_student) values ('Flash', 'flash', 10) "
                          "returning id").fetchone()[0]  # type: ignore[index]
        s_ana, s_ben = (cur.execute(
            "insert into tutela.students (organization_id, display_name, user_id) "
            "values (%s, %s, %s) returning id", (org, n, u)).fetchone()[0]  # type: ignore[index]
            for n, u in (("Ana", ANA), ("Ben", BEN)))
        perms = {"card_content": True, "progress": True}
        links = {}
        for guardian, student, status, p in (
            (mum, s_ana, "active", perms), (nocards, s_ana, "active",
                                            {"card_content": False, "progress": False}),
            (pending, s_ana, "pending", perms), (revoked, s_ana, "active", perms),
            (bens, s_ben, "active", perms),
        ):
            links[guardian] = cur.execute(
                "insert into tutela.guardian_links (student_id, guardian_id, status, created_via,"
                " activated_at, permissions) values (%s, %s, %s, 'staff', now(), "
                "tutela_hidden.default_link_permissions() || %s::jsonb) returning id",
                (student, guardian, status, json.dumps(p))).fetchone()[0]  # type: ignore[index]
        ana_cards = _ids(cur, "select id from public.flashcards where user_id = %s", ANA)
        ana_reviews = _ids(cur, "select id from public.card_reviews where user_id = %s", ANA)
        assert len(ana_cards) == 2 and len(ana_reviews) == 3

        # a linked guardian with the permission reads exactly the child's rows
        _as(cur, mum)
        assert _ids(cur, "select id from public.flashcards") == ana_cards
        assert _ids(cur, "select id from public.card_reviews") == ana_reviews
        _as(cur, bens)
        assert _ids(cur, "select user_id from public.flashcards") == {BEN}
        # without the permission, pending, stranger: nothing
        for who in (nocards, pending, stranger):
            _as(cur, who)
            assert _ids(cur, "select id from public.flashcards") == set()
            assert _ids(cur, "select id from public.card_reviews") == set()
        # revoked: nothing, in the transaction that revokes
        _as(cur, revoked)
        assert _ids(cur, "select id from public.flashcards") == ana_cards
        _as(cur, ANA)
        cur.execute("select tutela.revoke_guardian_link(%s)", (links[revoked],))
        _as(cur, revoked)
        assert _ids(cur, "select id from public.flashcards") == set()

        # guardians' writes are refused or touch nothing
        _as(cur, mum)
        cur.execute("savepoint w")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("insert into public.flashcards (user_id, front, back) "
                        "values (%s, 'x', 'y')", (ANA,))
        cur.execute("rollback to savepoint w")
        assert cur.execute("update public.flashcards set back = 'hacked' where user_id = %s",
                           (ANA,)).rowcount == 0
        assert cur.execute("delete from public.flashcards where user_id = %s",
                           (ANA,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("update public.card_reviews set rating = 1")
        cur.execute("rollback to savepoint w")

        # the MV wrapper returns what the child's own RPC returns; the MV is closed to the API
        _as(cur, ANA)
        own = cur.execute("select * from public.get_user_daily_study_stats(60)").fetchall()
        assert own, "the seed gives ana study days"
        _as(cur, mum)
        assert cur.execute("select * from public.guardian_get_child_daily_study_stats(%s, 60)",
                           (ANA,)).fetchall() == own
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("select * from public.user_daily_study_stats_mv")
        cur.execute("rollback to savepoint w")
        with pytest.raises(psycopg.Error) as refused:
            cur.execute("select * from public.guardian_get_child_daily_study_stats(%s)", (BEN,))
        assert refused.value.sqlstate == "TU403"
        cur.execute("rollback to savepoint w")

        # a guardian's read over 100k rows uses an index (the plan, not the time)
        _as(cur, None)
        cur.execute("insert into auth.users (id, aud, role, email, created_at, updated_at) "
                    "select gen_random_uuid(), 'authenticated', 'authenticated', "
                    "'bulk' || g || '@flash.test', now(), now() from generate_series(1, 1000) g")
        cur.execute("insert into public.flashcards (user_id, front, back) "
                    "select u.id, 'f' || g, 'b' from auth.users as u, generate_series(1, 100) g "
                    "where u.email like 'bulk%%'")
        cur.execute("insert into public.card_reviews (user_id, flashcard_id, rating) "
                    "select f.user_id, f.id, 3 from public.flashcards as f "
                    "where f.front like 'f%%'")
        cur.execute("analyze public.flashcards; analyze public.card_reviews")
        _as(cur, mum)
        for sql in ("select * from public.flashcards",
                    f"select * from public.flashcards where user_id = '{ANA}'",
                    "select * from public.card_reviews order by reviewed_at desc limit 20"):
            plan = cur.execute(f"explain (format json) {sql}").fetchone()[0][0]["Plan"]  # type: ignore[index]
            nodes = _plan_nodes(plan)
            assert not any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") in (
                "flashcards", "card_reviews") for n in nodes), (sql, json.dumps(plan)[:3000])
            assert any("Index" in n["Node Type"] for n in nodes), sql
        conn.rollback()

    # -- the down path: an empty registry renders it; the app is as it was before -------------
    (sb / "tutela.toml").write_text("# no tables: guardians read nothing of the app's\n")
    out = _init(app)
    assert "down path for public.card_reviews, public.flashcards, " \
           "public.user_daily_study_stats_mv" in out
    down = sorted((sb / "migrations").glob("*_tutela_app_access.sql"))
    assert len(down) == 2
    assert not (sb / "tests" / "tutela_app").exists() or not any(
        (sb / "tests" / "tutela_app").iterdir())
    _push(app, empty_db)
    assert _snapshot(empty_db) == before
    with psycopg.connect(empty_db) as conn, conn.cursor() as cur:
        _as(cur, ANA)  # the app's own RPC still reads the MV after the grants came back
        assert cur.execute("select * from public.get_user_daily_study_stats(60)").fetchall()
        conn.rollback()


@pytest.mark.parametrize(("registry", "message"), [
    ('[[table]]\nname = "flashcards"\nstudent_user_column = "user_id"\npermission = "progress"\n',
     "is not a schema-qualified name"),
    ('[[table]]\nname = "public.flashcards"\nstudent_user_column = "user_id"\n'
     'permission = "everything"\n', "is not one of Tutela's link permissions"),
    ('[[table]]\nname = "public.flashcards"\nstudent_user_column = "user_id"\n'
     'student_column = "student_id"\npermission = "progress"\n', "give exactly one of"),
    ('[[table]]\nname = "public.flashcards"\nstudent_user_column = "user_id"\n'
     'permission = "progress"\nstaf = true\n', "unknown key(s) staf"),
    ('[[table]]\nname = "tutela.students"\nstudent_user_column = "user_id"\n'
     'permission = "progress"\n', "which is not the app's"),
    ('[[view]]\nname = "public.stats_mv"\nstudent_user_column = "user_id"\n'
     'permission = "progress"\n', "function is missing"),
    ('[[view]]\nname = "public.stats_mv"\nstudent_user_column = "user_id"\n'
     'permission = "progress"\nfunction = "public.f"\norder_by = "day; drop table x"\n',
     "each item is a column"),
    ('[[table]]\nname = "public.a"\nstudent_user_column = "user_id"\npermission = "progress"\n'
     '[[table]]\nname = "public.a"\nstudent_user_column = "user_id"\npermission = "grades"\n',
     "is named twice"),
    ('[[table]\n', "is not valid TOML"),
])
def test_a_bad_registry_is_a_clear_error_and_nothing_is_written(
    cli: Any, tmp_path: Path, registry: str, message: str
) -> None:
    sb = tmp_path / "supabase"
    shutil.copytree(FIXTURE / "supabase", sb)
    (sb / "tutela.toml").write_text(registry)
    before = sorted(p.relative_to(sb).as_posix() for p in sb.rglob("*"))
    res = cli("init", "--supabase-dir", str(sb), root=ROOT)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    assert message in " ".join(res.stderr.split()), res.stderr
    assert sorted(p.relative_to(sb).as_posix() for p in sb.rglob("*")) == before
