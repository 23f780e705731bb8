"""`tutela init` in an app's Supabase CLI project.

config.toml: "tutela" joins [api] schemas and nothing else changes. Each case runs the real
`tutela` program on a config.toml of a shape apps have and compares the whole resulting file
with the exact text expected.

Migrations and tests (below): Tutela's files are added after the app's, the app's stay byte for
byte, a later Tutela adds only its new files, and the result pushes with the Supabase CLI and
passes pg_prove.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import psycopg
import pytest

from py_admin.paths import SQL_DIR

# The shape `supabase init` writes (comments between keys, [api] then [api.tls], other tables
# with arrays of their own); the comments here are ours.
GENERATED = """\
# Settings of the local Supabase stack.
project_id = "acme-school"

[api]
enabled = true
# Where the API listens.
port = 54321
# The schemas the API serves; each needs grants and RLS of its own.
schemas = ["public", "graphql_public"]
# Added to the search_path of every request.
extra_search_path = ["public", "extensions"]
# Upper bound on the rows one request returns.
max_rows = 1000

[api.tls]
enabled = false

[db]
port = 54322
major_version = 15

[db.seed]
enabled = true
sql_paths = ["./seed.sql"]

[auth]
site_url = "http://127.0.0.1:3000"
additional_redirect_urls = ["https://127.0.0.1:3000"]
"""


def _run(cli: Any, tmp_path: Path, text: str | bytes) -> tuple[Any, Path]:
    folder = tmp_path / "supabase"
    folder.mkdir()
    path = folder / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return cli("init", "--supabase-dir", str(folder)), path


def _ok(res: Any) -> None:
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr


def test_generated_config_changes_in_the_schemas_line_only(cli: Any, tmp_path: Path) -> None:
    res, path = _run(cli, tmp_path, GENERATED)
    _ok(res)
    assert path.read_text() == GENERATED.replace(
        'schemas = ["public", "graphql_public"]',
        'schemas = ["public", "graphql_public", "tutela"]',
    )
    assert 'added "tutela" to [api] schemas' in res.stdout
    assert '- schemas = ["public", "graphql_public"]' in res.stdout
    assert '+ schemas = ["public", "graphql_public", "tutela"]' in res.stdout
    assert "Project Settings > Data API" in res.stdout
    assert "Exposed schemas: add tutela" in res.stdout
    assert "db: { schema: 'tutela' }" in res.stdout


def test_already_there_changes_nothing(cli: Any, tmp_path: Path) -> None:
    text = GENERATED.replace('"graphql_public"]', '"graphql_public", "tutela"]')
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == text
    assert 'already has "tutela"; nothing changed' in res.stdout


def test_a_second_run_changes_nothing(cli: Any, tmp_path: Path) -> None:
    res, path = _run(cli, tmp_path, GENERATED)
    _ok(res)
    once = path.read_bytes()
    again = cli("init", "--supabase-dir", str(path.parent))
    _ok(again)
    assert path.read_bytes() == once
    assert "nothing changed" in again.stdout


def test_no_api_table_appends_one_with_supabase_defaults(cli: Any, tmp_path: Path) -> None:
    text = 'project_id = "app"\n\n[db]\nport = 54322\n\n[auth]\nenabled = true\n'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        text + "\n[api]\n"
        "# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`).\n"
        'schemas = ["public", "graphql_public", "tutela"]\n'
    )


def test_no_api_table_and_no_final_newline(cli: Any, tmp_path: Path) -> None:
    text = '[db]\nport = 54322'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        '[db]\nport = 54322\n\n[api]\n'
        "# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`).\n"
        'schemas = ["public", "graphql_public", "tutela"]\n'
    )


def test_api_sub_table_only_gets_api_appended(cli: Any, tmp_path: Path) -> None:
    text = '[api.tls]\nenabled = false\n'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        text + "\n[api]\n"
        "# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`).\n"
        'schemas = ["public", "graphql_public", "tutela"]\n'
    )
    parsed = tomllib.loads(path.read_text())
    assert parsed["api"] == {"tls": {"enabled": False},
                             "schemas": ["public", "graphql_public", "tutela"]}


def test_api_without_schemas_keeps_what_supabase_exposed(cli: Any, tmp_path: Path) -> None:
    text = '[api]  # the REST API\nenabled = true\nmax_rows = 500\n\n[db]\nport = 54322\n'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        "[api]  # the REST API\n"
        "# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`).\n"
        'schemas = ["public", "graphql_public", "tutela"]\n'
        "enabled = true\nmax_rows = 500\n\n[db]\nport = 54322\n"
    )


def test_multi_line_array_with_trailing_commas_and_comments(cli: Any, tmp_path: Path) -> None:
    text = (
        "[api]\n"
        "schemas = [\n"
        '    "public",          # the app\n'
        '    "graphql_public",  # pg_graphql\n'
        '    "billing",\n'
        "]\n"
        'extra_search_path = ["public", "extensions"]\n'
    )
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        "[api]\n"
        "schemas = [\n"
        '    "public",          # the app\n'
        '    "graphql_public",  # pg_graphql\n'
        '    "billing",\n'
        '    "tutela",\n'
        "]\n"
        'extra_search_path = ["public", "extensions"]\n'
    )
    assert '+     "tutela",' in res.stdout


def test_multi_line_array_without_trailing_comma(cli: Any, tmp_path: Path) -> None:
    text = '[api]\nschemas = [\n\t"public",\n\t"graphql_public" # last\n]\nmax_rows = 1000\n'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        '[api]\nschemas = [\n\t"public",\n\t"graphql_public", # last\n\t"tutela"\n]\n'
        "max_rows = 1000\n"
    )


def test_empty_array_and_single_quotes(cli: Any, tmp_path: Path) -> None:
    res, path = _run(cli, tmp_path, "[api]\nschemas = []\n")
    _ok(res)
    assert path.read_text() == '[api]\nschemas = ["tutela"]\n'

    tmp2 = tmp_path / "two"
    tmp2.mkdir()
    res, path = _run(cli, tmp2, "[api]\nschemas = ['public','graphql_public' ] # exposed\n")
    _ok(res)
    assert path.read_text() == (
        "[api]\nschemas = ['public','graphql_public', \"tutela\" ] # exposed\n"
    )


def test_crlf_file_keeps_its_line_endings(cli: Any, tmp_path: Path) -> None:
    text = b'[api]\r\nenabled = true\r\n\r\n[db]\r\nport = 54322\r\n'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_bytes() == (
        b"[api]\r\n"
        b"# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`).\r\n"
        b'schemas = ["public", "graphql_public", "tutela"]\r\n'
        b"enabled = true\r\n\r\n[db]\r\nport = 54322\r\n"
    )


def test_schemas_of_another_table_are_not_touched(cli: Any, tmp_path: Path) -> None:
    text = '[other]\nschemas = ["x"]\n\n[api]\nport = 54321\n'
    res, path = _run(cli, tmp_path, text)
    _ok(res)
    assert path.read_text() == (
        '[other]\nschemas = ["x"]\n\n[api]\n'
        "# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`).\n"
        'schemas = ["public", "graphql_public", "tutela"]\n'
        "port = 54321\n"
    )


def test_malformed_file_is_a_clear_error_and_stays_as_it_was(cli: Any, tmp_path: Path) -> None:
    text = '[api]\nschemas = ["public", "graphql_public"\nmax_rows = 1000\n'
    res, path = _run(cli, tmp_path, text)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "error:" in res.stderr and "is not valid TOML" in res.stderr
    assert "nothing was changed" in res.stderr
    assert "hint:" in res.stderr
    assert path.read_text() == text


def test_schemas_not_a_list_is_refused(cli: Any, tmp_path: Path) -> None:
    text = '[api]\nschemas = "public"\n'
    res, path = _run(cli, tmp_path, text)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "[api] schemas is not a list of names" in res.stderr
    assert path.read_text() == text


def test_missing_config_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    res = cli("init", "--supabase-dir", str(tmp_path / "nowhere"))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "error: no config.toml in" in res.stderr
    assert "hint:" in res.stderr and "--supabase-dir" in res.stderr


def test_default_folder_is_supabase_under_the_current_one(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "supabase").mkdir()
    (tmp_path / "supabase" / "config.toml").write_text(GENERATED)
    exe = str(Path(sys.executable).parent / "tutela")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    res = subprocess.run([exe, "init"], cwd=tmp_path, capture_output=True, text=True,
                         env=dict(env, NO_COLOR="1", COLUMNS="200"), check=False, timeout=60)
    _ok(res)
    assert '"graphql_public", "tutela"]' in (tmp_path / "supabase" / "config.toml").read_text()


# ---- Tutela's migrations and tests in the app's project ----------------------------------------
# An app's Supabase CLI project as `supabase init` and the app's own work leave it: migrations
# named <UTC stamp>_<name>.sql, pgTAP tests in supabase/tests/ (the CLI's docs put them in
# tests/database/), and a file the CLI does not take as a migration.
ROOT = Path(__file__).resolve().parents[2]


def _n_tutela() -> int:
    """How many migrations Tutela's Supabase build holds (the baseline and its snapshots)."""
    return len(list((ROOT / "supabase" / "migrations").glob("*.sql")))
APP_FILES = {
    "config.toml": GENERATED,
    "migrations/20240101000000_create_todos.sql":
        "create table public.todos (id bigint generated always as identity primary key, "
        "title text not null);\nalter table public.todos enable row level security;\n",
    "migrations/20250615093000_add_done.sql":
        "alter table public.todos add column done boolean not null default false;\n",
    "migrations/README.md": "The app's notes.\n",
    "tests/database/todos.test.sql":
        "begin;\nselect plan(1);\n"
        "select has_column('public', 'todos', 'done', 'todos have done');\n"
        "select * from finish();\nrollback;\n",
    "tests/app_smoke.test.sql": "begin;\nselect plan(1);\nselect pass('the app');\n"
                                "select * from finish();\nrollback;\n",
    "seed.sql": "insert into public.todos (title) values ('x');\n",
}
STAMPED = re.compile(r"^(\d{14})_(.+)\.sql$")
SOURCE_LINE = re.compile(r"^-- tutela:source (\S+) sha256:([0-9a-f]{64})$")


def _app(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    sb = tmp_path / "app" / "supabase"
    for rel, text in (files or APP_FILES).items():
        (sb / rel).parent.mkdir(parents=True, exist_ok=True)
        (sb / rel).write_text(text)
    return sb


def _tutela(tmp_path: Path, name: str = "tutela-v1") -> Path:
    """A Tutela project root holding a copy of Tutela's Supabase build (TUTELA_PROJECT_ROOT)."""
    root = tmp_path / name
    shutil.copytree(ROOT / "supabase", root / "supabase")
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _init(cli: Any, sb: Path, tutela: Path, *args: str) -> Any:
    return cli("init", "--supabase-dir", str(sb), *args, root=tutela)


def _source(text: str) -> tuple[str, str]:
    """(Tutela's file it came from, Tutela's text) of a copy, checking its header."""
    first, note1, note2, body = text.split("\n", 3)
    m = SOURCE_LINE.match(first)
    assert m is not None, first
    assert note1.startswith("-- Added by `tutela init`") and note2.startswith("-- ")
    assert hashlib.sha256(body.encode()).hexdigest() == m.group(2)
    return m.group(1), body


def _tutela_migrations(sb: Path, before: dict[str, bytes]) -> list[tuple[str, str]]:
    """(app file name, Tutela's source) of the migrations added since `before`, by name."""
    added = sorted(p.name for p in (sb / "migrations").glob("*.sql")
                   if f"migrations/{p.name}" not in before)
    return [(n, _source((sb / "migrations" / n).read_text())[0]) for n in added]


def test_adds_tutela_after_the_apps_newest_and_leaves_the_apps_files_as_they_were(
    cli: Any, tmp_path: Path
) -> None:
    sb = _app(tmp_path)
    tutela = _tutela(tmp_path)
    before = _tree(sb)
    res = _init(cli, sb, tutela)
    _ok(res)
    after = _tree(sb)
    # the app's files, byte for byte (config.toml: only the schemas line, tested above)
    for rel, data in before.items():
        if rel != "config.toml":
            assert after[rel] == data, rel

    ours = sorted(p.name for p in (tutela / "supabase" / "migrations").glob("*.sql"))
    added = _tutela_migrations(sb, before)
    # every Tutela migration once, in Tutela's order, named as Tutela's, after the app's newest
    assert [src for _, src in added] == [f"migrations/{n}" for n in ours]
    stamps = [STAMPED.match(n).group(1) for n, _ in added]  # type: ignore[union-attr]
    assert stamps == sorted(set(stamps)) and stamps[0] > "20250615093000"
    for (name, src), stamp in zip(added, stamps, strict=True):
        tail = STAMPED.match(Path(src).name).group(2)  # type: ignore[union-attr]
        assert name == f"{stamp}_{tail if tail.startswith('tutela_') else 'tutela_' + tail}.sql"
        # Tutela's text below the header, byte for byte
        assert _source((sb / "migrations" / name).read_text())[1] == (
            tutela / "supabase" / src).read_text()
    assert ours[0].endswith("_0016_own_schemas.sql")
    assert added[0][0].endswith("_tutela_0016_own_schemas.sql")
    assert added[1][0].endswith("_tutela_repeatables.sql")

    # the tests: all of Tutela's under tests/tutela/, the setup file first in pg_prove's order
    src_tests = tutela / "supabase" / "tests"
    ours_t = sorted(p.relative_to(src_tests).as_posix() for p in src_tests.rglob("*.test.sql"))
    mine = sb / "tests" / "tutela"
    copied = sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*") if p.is_file())
    assert copied == ours_t and len(copied) > 300
    assert sorted(str(p) for p in mine.rglob("*.test.sql"))[0].endswith("/000_setup.test.sql")
    for rel in (copied[0], copied[-1]):
        src, body = _source((mine / rel).read_text())
        assert src == f"tests/{rel}" and body == (src_tests / rel).read_text()
    assert set(after) == set(before) | {f"migrations/{n}" for n, _ in added} | {
        f"tests/tutela/{r}" for r in copied}

    assert f"added {len(added)} of Tutela's migration(s) (after 20250615093000_add_done.sql" in (
        res.stdout)
    for name, src in added:
        assert name in res.stdout and Path(src).name in res.stdout
    assert f"{len(copied)} test file(s) added" in res.stdout
    assert "supabase test db" in res.stdout and "supabase db push" in res.stdout
    # `supabase init` leaves email confirmations off; Tutela's invites need them
    assert "enable_confirmations = true" in res.stderr


def test_stamps_follow_an_app_migration_dated_after_now(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path, {**APP_FILES, "migrations/20991231235959_future.sql": "select 1;\n"})
    res = _init(cli, sb, _tutela(tmp_path))
    _ok(res)
    names = sorted(p.name for p in (sb / "migrations").glob("*.sql"))
    assert names[:3] == ["20240101000000_create_todos.sql", "20250615093000_add_done.sql",
                         "20991231235959_future.sql"]
    assert names[3].startswith("21000101000000_tutela_")
    assert names[4].startswith("21000101000001_tutela_")


def test_a_second_run_adds_nothing(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path)
    tutela = _tutela(tmp_path)
    _ok(_init(cli, sb, tutela))
    once = _tree(sb)
    again = _init(cli, sb, tutela)
    _ok(again)
    assert _tree(sb) == once
    assert (f"supabase/migrations: nothing to add (Tutela's {_n_tutela()} migration(s) are "
            "there)") in again.stdout
    assert "up to date" in again.stdout and "next steps" not in again.stdout


def test_dry_run_lists_and_writes_nothing(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path)
    before = _tree(sb)
    res = _init(cli, sb, _tutela(tmp_path), "--dry-run")
    _ok(res)
    assert _tree(sb) == before
    assert 'would add "tutela" to [api] schemas' in res.stdout
    assert f"would add {_n_tutela()} of Tutela's migration(s)" in res.stdout
    assert re.search(r"^  \d{14}_tutela_0016_own_schemas\.sql +from Tutela's "
                     r"20261207210000_0016_own_schemas\.sql$", res.stdout, re.M)
    assert "test file(s) would be added" in res.stdout
    assert "dry run: nothing was written" in res.stdout


def _later_version(tmp_path: Path, v1: Path) -> Path:
    """Tutela v2: v1's build plus a migration, one test changed, one new, one dropped."""
    v2 = tmp_path / "tutela-v2"
    shutil.copytree(v1, v2)
    mig = v2 / "supabase" / "migrations"
    latest = sorted(p.name for p in mig.glob("*.sql"))[-1][:14]
    assert latest < "20300101000000"
    (mig / "20300101000000_0017_more.sql").write_text(
        "-- tutela:created 20300101000000\ncreate table tutela.more (id int);\n"
    )
    tests = v2 / "supabase" / "tests"
    profile = tests / "profiles" / "001_profile_rls.test.sql"
    profile.write_text(profile.read_text().replace("begin;", "begin;\n-- v2", 1))
    (tests / "profiles" / "003_more.test.sql").write_text(
        "begin;\nselect plan(1);\nselect has_table('tutela', 'more', 'v2');\n"
        "select * from finish();\nrollback;\n")
    (tests / "profiles" / "002_touch_last_seen.test.sql").unlink()
    return v2


def test_a_later_tutela_adds_only_its_new_migration_after_everything(
    cli: Any, tmp_path: Path
) -> None:
    sb = _app(tmp_path)
    v1 = _tutela(tmp_path)
    _ok(_init(cli, sb, v1))
    # the app goes on: a migration of its own after Tutela's
    (sb / "migrations" / "20991231235959_app_later.sql").write_text("select 1;\n")
    (sb / "tests" / "tutela" / "mine.test.sql").write_text("-- the app's, in Tutela's folder\n")
    before = _tree(sb)
    v2 = _later_version(tmp_path, v1)

    res = _init(cli, sb, v2)
    _ok(res)
    after = _tree(sb)
    new = sorted(set(after) - set(before))
    assert [n for n in new if n.startswith("migrations/")] == [
        "migrations/21000101000000_tutela_0017_more.sql"]
    assert _source(after[new[0]].decode())[0] == "migrations/20300101000000_0017_more.sql"
    # nothing present was renamed or rewritten, the app's files included
    for rel, data in before.items():
        if not rel.startswith("tests/tutela/profiles/"):
            assert after.get(rel) == data, rel
    # the tests are refreshed: changed, added, dropped; the app's file there stays
    assert [n for n in new if n.startswith("tests/")] == ["tests/tutela/profiles/003_more.test.sql"]
    assert "tests/tutela/profiles/002_touch_last_seen.test.sql" not in after
    assert b"\n-- v2\n" in after["tests/tutela/profiles/001_profile_rls.test.sql"]
    assert after["tests/tutela/mine.test.sql"] == before["tests/tutela/mine.test.sql"]
    assert "added 1 of Tutela's migration(s) (after 20991231235959_app_later.sql" in res.stdout
    assert "21000101000000_tutela_0017_more.sql  from Tutela's 20300101000000_0017_more.sql" in (
        res.stdout)
    assert "1 test file(s) added, 1 updated, 1 removed" in res.stdout
    _ok(_init(cli, sb, v2))
    assert _tree(sb) == after


def test_an_edited_copy_is_refused_and_nothing_changes(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path)
    v1 = _tutela(tmp_path)
    _ok(_init(cli, sb, v1))
    snap = next((sb / "migrations").glob("*_tutela_repeatables.sql"))
    snap.write_text(snap.read_text() + "\n-- the app's hotfix\n")
    test = sb / "tests" / "tutela" / "profiles" / "001_profile_rls.test.sql"
    test.write_text(test.read_text().replace("select plan(", "select plan(0 + ", 1))
    before = _tree(sb)
    v2 = _later_version(tmp_path, v1)
    res = _init(cli, sb, v2)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    err = " ".join(res.stderr.split())  # long temporary paths wrap
    assert "error: Tutela's files in the app's project no longer match Tutela's" in err
    assert f"supabase/migrations/{snap.name} (Tutela's migrations/" in err
    assert "tests/tutela/profiles/001_profile_rls.test.sql (Tutela's tests/profiles/" in err
    assert err.count("it was edited after it was added") == 2
    assert "nothing was changed" in err and "--allow-edited" in err
    assert _tree(sb) == before  # not even the new migration

    kept = _init(cli, sb, v2, "--allow-edited")
    _ok(kept)
    after = _tree(sb)
    assert after[f"migrations/{snap.name}"] == before[f"migrations/{snap.name}"]
    assert after["tests/tutela/profiles/001_profile_rls.test.sql"] == (
        before["tests/tutela/profiles/001_profile_rls.test.sql"])
    assert [n for n in set(after) - set(before) if n.startswith("migrations/")] == [
        "migrations/" + next((sb / "migrations").glob("*_tutela_0017_more.sql")).name]
    assert "warning: kept as edited: " in kept.stderr and snap.name in kept.stderr


def test_a_hand_copy_of_tutelas_build_counts_as_added(cli: Any, tmp_path: Path) -> None:
    """An app that copied Tutela's supabase/migrations by hand (before `tutela init` did it)
    has them under Tutela's own names: they count as added."""
    sb = _app(tmp_path)
    tutela = _tutela(tmp_path)
    for p in (tutela / "supabase" / "migrations").glob("*.sql"):
        shutil.copy(p, sb / "migrations" / p.name)
    before = _tree(sb)
    res = _init(cli, sb, tutela)
    _ok(res)
    assert {n for n in _tree(sb) if n.startswith("migrations/")} == {
        n for n in before if n.startswith("migrations/")}
    assert f"nothing to add (Tutela's {_n_tutela()} migration(s) are there)" in res.stdout


def test_an_app_file_where_a_tutela_test_goes_is_refused(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path, {**APP_FILES, "tests/tutela/000_setup.test.sql": "-- the app's\n"})
    before = _tree(sb)
    res = _init(cli, sb, _tutela(tmp_path))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "supabase/tests/tutela/000_setup.test.sql is not Tutela's" in " ".join(
        res.stderr.split())
    assert _tree(sb) == before


def test_a_folder_that_is_not_a_supabase_project_gets_nothing(cli: Any, tmp_path: Path) -> None:
    files = {k: v for k, v in APP_FILES.items() if k != "config.toml"}
    sb = _app(tmp_path, files)
    before = _tree(sb)
    res = _init(cli, sb, _tutela(tmp_path))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    err = " ".join(res.stderr.split())
    assert "error: no config.toml in" in err and "not a Supabase CLI project" in err
    assert _tree(sb) == before


def test_unreadable_copy_and_missing_build_are_clear_errors(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path)
    (sb / "migrations" / "20250701000000_tutela_x.sql").write_bytes(
        b"-- tutela:source migrations/x.sql sha256:" + b"0" * 64 + b"\n\xff\xfe\n")
    before = _tree(sb)
    res = _init(cli, sb, _tutela(tmp_path))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "20250701000000_tutela_x.sql is not UTF-8 text; nothing was changed" in " ".join(
        res.stderr.split())
    assert _tree(sb) == before

    (sb / "migrations" / "20250701000000_tutela_x.sql").unlink()
    res = _init(cli, sb, tmp_path / "no-tutela-here")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "Tutela's Supabase build is not at" in " ".join(res.stderr.split())
    assert "hint:" in res.stderr


def test_app_migrations_in_other_encodings_are_not_read(cli: Any, tmp_path: Path) -> None:
    sb = _app(tmp_path, {**APP_FILES})
    latin = sb / "migrations" / "20250701000000_latin1.sql"
    latin.write_bytes("-- caf\u00e9\nselect 1;\n".encode("latin-1"))
    res = _init(cli, sb, _tutela(tmp_path))
    _ok(res)
    assert "after 20250701000000_latin1.sql" in res.stdout


def test_adopted_project_pushes_with_the_cli_and_passes_pg_prove(
    empty_db: str, tmp_path: Path
) -> None:
    """End to end, as an app adopts Tutela: `supabase init`, the app's migration and test, then
    `tutela init`, `supabase db push` and pg_prove over supabase/tests as `supabase test db`
    runs it (pgTAP created first, `pg_prove --ext .pg --ext .sql -r supabase/tests`)."""
    cli_bin = ROOT / "node_modules" / ".bin" / "supabase"
    assert cli_bin.exists(), "run `make setup`: it installs the Supabase CLI (npm ci)"
    if shutil.which("pg_prove") is None:
        pytest.fail("pg_prove is not installed (make setup installs it)")
    app = tmp_path / "app"
    app.mkdir()
    proc = subprocess.run([str(cli_bin), "init", "--yes"], cwd=app, capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sb = app / "supabase"
    # a typical app (tests/fixtures/app): its own profiles, students, sign-up trigger...
    (sb / "migrations").mkdir(exist_ok=True)
    (sb / "migrations" / "20240101000000_app.sql").write_text(
        (ROOT / "tests" / "fixtures" / "app" / "typical_supabase_app.sql").read_text())
    (sb / "tests" / "database").mkdir(parents=True)
    (sb / "tests" / "database" / "app.test.sql").write_text(
        "begin;\nselect plan(2);\n"
        "select has_table('public', 'students', 'the app keeps its students');\n"
        "select hasnt_table('public', 'guardian_links', 'Tutela is not in public');\n"
        "select * from finish();\nrollback;\n")
    before = _tree(sb)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",
                                                             "TUTELA_PROJECT_ROOT")}
    exe = str(Path(sys.executable).parent / "tutela")
    proc = subprocess.run([exe, "init"], cwd=app, capture_output=True, text=True, check=False,
                          env=dict(env, TUTELA_PROJECT_ROOT=str(ROOT), NO_COLOR="1"),
                          timeout=120)
    _ok(proc)
    added = _tutela_migrations(sb, before)
    assert len(added) >= 2 and added[0][0].endswith("_tutela_0016_own_schemas.sql")

    # the database has Supabase's parts, as a Supabase project's has
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute((SQL_DIR / "supabase_compat.sql").read_bytes())
        dbname = conn.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(f'alter database "{dbname}" set search_path = "$user", public, extensions')
    push = subprocess.run(
        [str(cli_bin), "db", "push", "--db-url", f"{empty_db}?sslmode=disable", "--yes"],
        cwd=app, capture_output=True, text=True, check=False, timeout=300)
    out = push.stdout + push.stderr
    assert push.returncode == 0, out
    assert "Applying migration 20240101000000_app.sql" in out
    for name, _ in added:
        assert f"Applying migration {name}" in out
    with psycopg.connect(empty_db, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations order by version")]
        assert versions == ["20240101000000", *(n[:14] for n, _ in added)]
        # what `supabase test db` does before pg_prove
        conn.execute("create extension if not exists pgtap with schema extensions")
    prove = subprocess.run(
        ["pg_prove", "--ext", ".pg", "--ext", ".sql", "-r", "--dbname", empty_db,
         "supabase/tests"], cwd=app, capture_output=True, text=True, check=False, timeout=900)
    assert prove.returncode == 0, prove.stdout[-5000:] + prove.stderr[-5000:]
    assert "Result: PASS" in prove.stdout
    n_tests = len(list((sb / "tests").rglob("*.test.sql")))
    assert re.search(rf"^Files={n_tests},", prove.stdout, re.M), prove.stdout[-500:]
    assert n_tests > 300
    assert "supabase/tests/database/app.test.sql .." in prove.stdout
    assert "supabase/tests/tutela/000_setup.test.sql .." in prove.stdout
