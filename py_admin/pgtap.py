"""The pgTAP runner: fresh database, helpers, one psql per file, TAP parsed.

Each ``tests/sql/**/*.test.sql`` file is run by ``psql`` exactly as ``pg_prove`` runs it
(``--no-psqlrc --no-align --tuples-only --quiet``, ``ON_ERROR_STOP``). The file opens its own
transaction and rolls it back, so files are independent and can run in any order.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from py_admin.errors import TutelaError
from py_admin.paths import project_root
from py_admin.pgbin import find_install

PLAN_RE = re.compile(r"^1\.\.(\d+)")
TEST_RE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
DIRECTIVE_RE = re.compile(r"#\s*(SKIP|TODO)\b", re.IGNORECASE)


@dataclass
class Assertion:
    ok: bool
    number: int
    description: str
    directive: str | None = None  # SKIP | TODO
    diagnostics: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    path: Path
    planned: int | None = None
    assertions: list[Assertion] = field(default_factory=list)
    stderr: str = ""
    exit_code: int = 0
    seconds: float = 0.0
    diagnostics: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for a in self.assertions if a.ok and a.directive is None)

    @property
    def skipped(self) -> int:
        return sum(1 for a in self.assertions if a.directive == "SKIP")

    @property
    def failed(self) -> list[Assertion]:
        return [a for a in self.assertions if not a.ok and a.directive != "TODO"]

    @property
    def problems(self) -> list[str]:
        """Why this file fails; empty when it passes."""
        out: list[str] = []
        if self.exit_code != 0:
            err = self.stderr.strip() or f"psql exited with {self.exit_code}"
            out.append(f"SQL error: {err}")
        for a in self.failed:
            detail = "\n".join(f"    {d}" for d in a.diagnostics)
            out.append(f"not ok {a.number} - {a.description}" + (f"\n{detail}" if detail else ""))
        if self.planned is None:
            out.append("no plan: the file must call plan(n) (or no_plan) and finish()")
        elif self.planned != len(self.assertions):
            out.append(f"planned {self.planned} tests but ran {len(self.assertions)}")
        if not self.assertions:
            out.append("no assertions ran")
        if self.skipped:
            out.append(f"{self.skipped} assertion(s) skipped: a skipped check is not a pass")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_tap(text: str, result: FileResult) -> None:
    current: Assertion | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line:
            continue
        stripped = line.lstrip()
        if m := PLAN_RE.match(stripped):
            result.planned = int(m.group(1))
            current = None
            continue
        if m := TEST_RE.match(stripped):
            desc = m.group(3).strip()
            directive = None
            if d := DIRECTIVE_RE.search(desc):
                directive = d.group(1).upper()
            number = int(m.group(2)) if m.group(2) else len(result.assertions) + 1
            current = Assertion(m.group(1) == "ok", number, desc, directive)
            result.assertions.append(current)
            continue
        if stripped.startswith("#"):
            note = stripped[1:].strip()
            if current is not None:
                current.diagnostics.append(note)
            else:
                result.diagnostics.append(note)


def psql_path() -> str:
    install = find_install()
    if install is not None:
        try:
            return install.tool("psql")
        except FileNotFoundError:
            pass
    found = shutil.which("psql")
    if found is None:
        raise TutelaError("psql not found", hint="install the PostgreSQL client (make setup)")
    return found


def run_file(url: str, path: Path) -> FileResult:
    result = FileResult(path=path)
    started = time.monotonic()
    # pgTAP lives in extensions: the files call it unqualified (as on Supabase, whose roles
    # have extensions on their search_path); set per session, never on the database
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning "
               "-c search_path=public,extensions", PGAPPNAME="tutela-test")
    proc = subprocess.run(
        [
            psql_path(), "--no-psqlrc", "--no-align", "--tuples-only", "--quiet",
            "--pset", "pager=off", "--set", "ON_ERROR_STOP=1", "--dbname", url,
            "--file", str(path),
        ],
        capture_output=True, text=True, env=env, check=False,
    )
    result.seconds = time.monotonic() - started
    result.exit_code = proc.returncode
    result.stderr = proc.stderr
    parse_tap(proc.stdout, result)
    return result


def discover(paths: Iterable[Path] | None = None, root: Path | None = None) -> list[Path]:
    root = root or project_root()
    targets = list(paths) if paths else [root / "tests" / "sql"]
    files: list[Path] = []
    for t in targets:
        if t.is_dir():
            files.extend(sorted(t.rglob("*.test.sql")))
        elif t.is_file():
            files.append(t)
        else:
            raise TutelaError(f"{t}: no such test file or folder")
    return files


def install_test_support(url: str, root: Path | None = None) -> None:
    """pgTAP (schema extensions) and the `tests` helpers, into a migrated database."""
    from py_admin.db import connect

    root = root or project_root()
    helpers = (root / "tests" / "sql" / "helpers.sql").read_text()
    with connect(url) as conn:
        try:
            conn.execute("create extension if not exists pgtap with schema extensions")
        except Exception as exc:
            raise TutelaError(
                f"cannot install pgTAP: {str(exc).strip()}",
                hint="install pgTAP for this server (make setup does on Debian)",
            ) from None
        with conn.cursor() as cur:
            cur.execute(helpers.encode())
        conn.commit()


def prepare_database(url: str, root: Path | None = None) -> None:
    """Migrate from scratch and install test support."""
    from py_admin.migrate import migrate

    migrate(url, root=root)
    install_test_support(url, root=root)


def run_files(
    url: str,
    files: list[Path],
    jobs: int = 1,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    results: list[FileResult] = []
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        for res in pool.map(lambda p: run_file(url, p), files):
            results.append(res)
            if on_result:
                on_result(res)
    return results
