"""Supabase's own database linter (splinter), run by the pinned Supabase CLI
(`supabase db advisors`), on a freshly migrated database whose `tutela` schema is exposed as on a
project that ran `tutela init` (`pgrst.db_schemas`): no ERROR and no WARN, but the exceptions
that docs/security.md ("Splinter's findings") lists with their justification.

The CLI is installed by `make setup` (node_modules/.bin/supabase); without it these tests skip.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from py_admin.db import connect, scratch_database
from py_admin.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "node_modules" / ".bin" / "supabase"
DOC = ROOT / "docs" / "security.md"
EXPOSED = "public,graphql_public,tutela"
ROW_RE = re.compile(r"^\|\s*(ERROR|WARN|INFO)\s*\|\s*`([a-z0-9_]+)`\s*\|\s*`([^`]*)`\s*\|")

pytestmark = pytest.mark.skipif(
    not CLI.exists(), reason=f"{CLI.relative_to(ROOT)} is absent: `make setup` installs the "
    "pinned Supabase CLI, which runs splinter",
)


def documented_exceptions() -> set[tuple[str, str, str]]:
    """(level, lint, cache_key) rows of the table between the splinter-exceptions markers."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- splinter-exceptions -->", 1)[1].split(
        "<!-- /splinter-exceptions -->", 1)[0]
    return {(m.group(1), m.group(2), m.group(3))
            for m in (ROW_RE.match(line) for line in block.splitlines()) if m}


def expose_tutela(url: str) -> str:
    """Expose `tutela` to splinter: the database setting where this role may set it, else the
    same setting for the CLI's session (a non-superuser owner may not set a custom parameter
    database-wide, as on a hosted project). Returns the URL for the CLI."""
    dbname = url.rsplit("/", 1)[1].split("?", 1)[0]
    try:
        with connect(url, autocommit=True) as conn:
            conn.execute(f'alter database "{dbname}" set pgrst.db_schemas = \'{EXPOSED}\'')
        return f"{url}?sslmode=disable"
    except psycopg.errors.InsufficientPrivilege:
        return f"{url}?sslmode=disable&options=" + quote(f"-c pgrst.db_schemas={EXPOSED}")


def advisors(cli_url: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as workdir:  # the CLI keeps state in ./supabase/.temp
        proc = subprocess.run(
            [str(CLI), "db", "advisors", "--db-url", cli_url, "--type", "all", "--level",
             "info", "-o", "json"],
            cwd=workdir, capture_output=True, text=True, timeout=180, check=False,
        )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip()
    start = out.find("[")
    return list(json.loads(out[start:])) if start >= 0 else []


def serious(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    allowed = documented_exceptions()
    return sorted(
        (str(f["level"]), str(f["name"]), str(f["cache_key"])) for f in findings
        if f["level"] in ("ERROR", "WARN")
        and (str(f["level"]), str(f["name"]), str(f["cache_key"])) not in allowed
    )


@pytest.fixture
def exposed_db(server_url: str) -> Iterator[tuple[str, str]]:
    """(database URL, URL for the CLI) of a fresh migrated database exposing `tutela`."""
    with scratch_database(server_url, prefix="tutela_splinter") as url:
        migrate(url, root=ROOT)
        yield url, expose_tutela(url)


def test_splinter_finds_no_error_and_no_warning(exposed_db: tuple[str, str]) -> None:
    findings = advisors(exposed_db[1])
    assert findings, "splinter reported nothing at all: is it running?"
    assert serious(findings) == [], json.dumps(
        [f for f in findings if f["level"] != "INFO"], indent=1)


def test_the_documented_exceptions_are_errors_or_warnings_with_a_reason() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "<!-- splinter-exceptions -->" in text
    for level, lint, _key in documented_exceptions():
        assert level in ("ERROR", "WARN", "INFO") and lint


def test_splinter_sees_a_mutable_search_path_and_an_exposed_table_without_rls(
    exposed_db: tuple[str, str],
) -> None:
    """The check can fail: a Tutela function losing its search_path is a WARN, and a table of
    `tutela` (exposed) readable by anon without RLS an ERROR."""
    url, cli_url = exposed_db
    with connect(url) as conn:
        fn = conn.execute(
            "select p.oid::regprocedure::text from pg_proc p "
            "where p.pronamespace = 'tutela'::regnamespace and p.prosecdef order by 1 limit 1"
        ).fetchone()
        assert fn is not None
        conn.execute(f"alter function {fn[0]} reset search_path")
        conn.execute("create table tutela.splinter_probe (id int primary key)")
        conn.execute("grant select on tutela.splinter_probe to anon")
        conn.commit()
    found = {(level, name) for level, name, _ in serious(advisors(cli_url))}
    assert ("WARN", "function_search_path_mutable") in found, found
    assert ("ERROR", "rls_disabled_in_public") in found, found
