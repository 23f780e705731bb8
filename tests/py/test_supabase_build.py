"""`tutela build supabase`: deterministic output that the Supabase CLI and pg_prove can run."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from py_admin.db import connect, scratch_database
from py_admin.errors import TutelaError
from py_admin.migrate import bootstrap_file, migrate
from py_admin.pgbin import find_install
from py_admin.sqlsplit import split_statements
from py_admin.supabase_build import build, only_additive

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
    # a comment of the source's own changes nothing in a database: no snapshot
    rpc.write_text(rpc.read_text() + "\n-- changed\n")
    assert build(repo, check=True, now=NOW).stale == []
    rpc.write_text(rpc.read_text().replace(
        "'Records that the signed-in user was active now", "'Records when the user was active"))
    assert build(repo, check=True, now=NOW).stale  # stale
    later = datetime(2030, 2, 1, tzinfo=UTC)
    result = build(repo, now=later)
    assert result.written == ["migrations/20300201000000_tutela_repeatables.sql"]
    snaps = sorted((repo / "supabase" / "migrations").glob("*_tutela_repeatables.sql"))
    assert len(snaps) == 2  # the landed snapshot stays as history
    # the new one is a delta a reviewer can read: only the object that changed
    delta = snaps[1].read_text()
    assert re.findall(r"^-- >>> (.+)$", delta, re.M) == ["rpc/profiles.sql (changed objects)"]
    assert re.findall(r"^(?:comment on|create|revoke|grant)\b.*", delta, re.M) == [
        "comment on function tutela.touch_last_seen() is"]
    assert len(re.findall(r"^-- >>> ", snaps[0].read_text(), re.M)) > 10  # the first: all
    # an uncommitted snapshot is rewritten in place, not followed by another
    rpc.write_text(rpc.read_text().replace("grant execute on function tutela.touch_last_seen() "
                                           "to authenticated, service_role;",
                                           "grant execute on function tutela.touch_last_seen() "
                                           "to authenticated;"))
    result = build(repo, now=datetime(2030, 3, 1, tzinfo=UTC))
    assert result.written == ["migrations/20300201000000_tutela_repeatables.sql"]
    delta = snaps[1].read_text()
    # a changed grant takes its object's whole privileges (the revoke-all first)
    assert re.findall(r"^(?:comment on|create|revoke|grant)\b.*", delta, re.M) == [
        "comment on function tutela.touch_last_seen() is",
        "revoke all on function tutela.touch_last_seen() from public, anon, authenticated, "
        "service_role;",
        "grant execute on function tutela.touch_last_seen() to authenticated;"]


def test_one_changed_function_adds_about_that_function(repo: Path) -> None:
    build(repo, now=NOW)
    _commit(repo)
    rpc = repo / "rpc" / "profiles.sql"
    text = rpc.read_text()
    body = text[text.index("create or replace function tutela.touch_last_seen()"):
                text.index("comment on function tutela.touch_last_seen()")]
    rpc.write_text(text.replace("returning p.last_seen_at into v_seen;",
                                "returning p.last_seen_at into v_seen; -- the time recorded"))
    build(repo, now=datetime(2030, 2, 1, tzinfo=UTC))
    delta = sorted((repo / "supabase" / "migrations").glob("*_tutela_repeatables.sql"))[-1]
    lines = delta.read_text().splitlines()
    assert len(lines) < len(body.splitlines()) + 12, "\n".join(lines)
    assert [ln for ln in lines if ln.startswith("create ")] == [
        "create or replace function tutela.touch_last_seen()"]
    assert "-- function tutela.touch_last_seen (rpc/profiles.sql:39)" in lines


def test_object_deltas_give_what_a_fresh_install_gives(repo: Path, server_url: str) -> None:
    """Landed history, then a delta of changed objects (a function body, a grant, a new
    function, a policy dropped) and of a file whose statement of no group changed (it goes
    whole): the same schema as `tutela migrate` on an empty database."""
    build(repo, now=NOW)
    _commit(repo)
    rpc, pol = repo / "rpc" / "profiles.sql", repo / "policies" / "profiles.sql"
    text = rpc.read_text()
    text = text.replace("returning p.last_seen_at into v_seen;",
                        "returning p.last_seen_at into v_seen;\n  v_seen := v_seen;")
    text = text.replace("to authenticated, service_role;\n\n-- An erased",
                        "to authenticated;\n\n-- An erased", 1)
    text += ("\ncreate or replace function tutela.delta_probe()\nreturns int\nlanguage sql\n"
             "immutable\nset search_path = ''\nas $$ select 1 $$;\n"
             "revoke all on function tutela.delta_probe() from public, anon, authenticated, "
             "service_role;\ngrant execute on function tutela.delta_probe() to authenticated;\n")
    # a group that moves to another file is not lost: both files stay changed objects
    moved = ("comment on function tutela.touch_last_seen() is\n"
             "'Records that the signed-in user was active now; returns the time recorded.';\n")
    assert moved in text
    text = text.replace(moved, "")
    rpc.write_text(text)
    ptext = pol.read_text() + "\n" + moved
    assert "using (user_id = (select auth.uid()))\nwith check" in ptext
    ptext = ptext.replace("drop policy if exists profiles_insert on tutela.profiles;\n", "")
    ptext = ptext.replace(
        "create policy profiles_insert on tutela.profiles\nfor insert to authenticated\n"
        "with check (user_id = (select auth.uid()));\n",
        "drop policy if exists profiles_insert on tutela.profiles;\n")
    pol.write_text(ptext)
    dash = repo / "rpc" / "dashboards.sql"
    assert "\nselect tutela.seed_plans();\n" in dash.read_text()
    dash.write_text(dash.read_text().replace("\nselect tutela.seed_plans();\n",
                                             "\nselect tutela.seed_plans() as seeded;\n"))
    build(repo, now=datetime(2030, 2, 1, tzinfo=UTC))
    # landed (committed), the history read back is the sources: nothing more to push
    _commit(repo)
    assert build(repo, check=True, now=datetime(2030, 3, 1, tzinfo=UTC)).stale == []
    delta = sorted((repo / "supabase" / "migrations").glob("*_tutela_repeatables.sql"))[-1]
    sections = re.findall(r"^-- >>> (.+)$", delta.read_text(), re.M)
    # a statement of no group that changed is a lost one: its file goes whole
    assert sorted(sections) == ["policies/profiles.sql (changed objects)", "rpc/dashboards.sql",
                                "rpc/profiles.sql (changed objects)"]
    with scratch_database(server_url, prefix="tutela_pytest_delta") as pushed, \
            scratch_database(server_url, prefix="tutela_pytest_delta") as fresh:
        apply_history(pushed, repo)
        migrate(fresh, root=repo)
        assert schema_dump(pushed) == schema_dump(fresh)
        with connect(pushed) as conn:
            assert conn.execute(
                "select count(*) from pg_policies where policyname = 'profiles_insert'"
            ).fetchone() == (0,)


def apply_history(url: str, root: Path) -> None:
    """What a Supabase project has: the compat bootstrap (Supabase's own parts), then
    `root`'s supabase/migrations in name order, as `supabase db push` applies them."""
    with connect(url, autocommit=True) as conn:
        for path in [bootstrap_file().path,
                     *sorted((root / "supabase" / "migrations").glob("*.sql"))]:
            for _, statement in split_statements(path.read_text()):
                conn.execute(statement.encode())


def schema_dump(url: str) -> str:
    """Tutela's schemas as pg_dump writes them (definitions, privileges, policies, comments),
    without the runner's own ledger."""
    pg = find_install()
    assert pg is not None
    proc = subprocess.run(
        [pg.tool("pg_dump"), "--schema-only", "--no-owner", "-n", "tutela", "-n",
         "tutela_hidden", "-n", "tutela_private", "-T", "tutela_private.tutela_migrations",
         url], capture_output=True, text=True, check=True)
    return "\n".join(ln for ln in proc.stdout.splitlines()
                     if not ln.startswith(("-- Dumped", "\\restrict", "\\unrestrict")))


def test_the_committed_history_gives_what_a_fresh_install_gives(server_url: str) -> None:
    """supabase/migrations as a Supabase project applies them, in order (the baseline, every
    snapshot and delta since), and a fresh `tutela migrate`: the same schema."""
    with scratch_database(server_url, prefix="tutela_pytest_history") as pushed, \
            scratch_database(server_url, prefix="tutela_pytest_history") as fresh:
        apply_history(pushed, ROOT)
        migrate(fresh, root=ROOT)
        assert schema_dump(pushed) == schema_dump(fresh)


def test_new_migration_needs_a_new_snapshot_after_it(repo: Path) -> None:
    """After a migration that may undo what the repeatable files made (a drop, here) every file
    goes again, as the runner re-applies them all; after one that only adds, nothing does."""
    build(repo, now=NOW)
    _commit(repo)
    (repo / "migrations" / "0099_more.sql").write_text(
        "-- tutela:created 20300105000000\ncreate table tutela.more (id int);\n"
        "comment on table tutela.more is 'more';\n"
    )
    result = build(repo, now=NOW)
    assert result.written == ["migrations/20300105000000_0099_more.sql"]  # no snapshot
    _commit(repo)
    (repo / "migrations" / "0100_less.sql").write_text(
        "-- tutela:created 20300106000000\ndrop table tutela.more;\n"
    )
    stale = build(repo, check=True, now=NOW).stale
    assert "migrations/20300106000000_0100_less.sql" in stale
    result = build(repo, now=NOW)
    assert "migrations/20300106000001_tutela_repeatables.sql" in result.written
    after = (repo / "supabase" / "migrations" / "20300106000001_tutela_repeatables.sql").read_text()
    assert len(re.findall(r"^-- >>> [^(]+$", after, re.M)) > 10  # every file, whole


def test_only_additive_migrations_are_told_apart() -> None:
    assert only_additive("create table tutela.t (id int);\ncreate index t_i on tutela.t (id);\n"
                         "alter table tutela.t add column b text;\ncomment on table tutela.t "
                         "is 'x';\ninsert into tutela.t values (1);\n")
    for undoing in ("drop function tutela.f()", "alter table tutela.t drop column b",
                    "alter table tutela.t add column c int, drop column b",
                    "alter table tutela.t rename to u", "revoke all on tutela.t from anon",
                    "grant select on tutela.t to anon", "create or replace function tutela.f() "
                    "returns int language sql as 'select 1'", "do $$ begin null; end $$",
                    "alter table tutela.t alter column b type int"):
        assert not only_additive(undoing + ";\n"), undoing


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
    apply_history(empty_db, repo)
    with connect(empty_db, autocommit=True) as conn:
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
    pol.write_text(pol.read_text() + "\n-- a comment of the source's: nothing to push\n")
    assert cli("build", "supabase", "--check", root=repo).returncode == 0
    pol.write_text(pol.read_text() + "\ncomment on table tutela.profiles is 'edited';\n")
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


def test_an_object_stated_in_two_files_is_refused(repo: Path) -> None:
    """A function's revoke-all in rpc/ and its grant in policies/: re-running only the first
    file (the runner after a change of it, a delta) would drop the grant."""
    pol = repo / "policies" / "profiles.sql"
    pol.write_text(pol.read_text() + "\ngrant execute on function tutela.touch_last_seen() "
                   "to anon;\n")
    with pytest.raises(TutelaError, match=r"privileges on function tutela\.touch_last_seen: "
                       r"rpc/profiles\.sql, policies/profiles\.sql"):
        build(repo, check=True, now=NOW)
