"""`tutela init`: "tutela" joins [api] schemas of an app's config.toml; nothing else changes.

Each case runs the real `tutela` program on a config.toml of a shape apps have and compares the
whole resulting file with the exact text expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

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
