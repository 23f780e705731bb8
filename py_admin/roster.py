"""`tutela import`: roster sync from a school's CSV exports into tutela.import_roster.

The CSV is read and checked here (encoding, header, line numbers); every rule about rows lives
in the database function, so an edge function calling it with JSON gets the same behaviour.
docs/roster-sync.md describes the formats.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError

# the columns of each kind, required ones first
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "students": (("sis_id", "display_name"), ("email", "birth_date")),
    "staff": (("email",), ("role", "title", "sis_id", "status")),
    "guardian-links": (
        ("student", "guardian_email"),
        ("relation", "primary", "status", "permissions", "guardian_name", "sis_id"),
    ),
}
ACTIONS = ("create", "update", "revoke", "invite", "unchanged", "error")


@dataclass
class ImportReport:
    kind: str
    organization: str
    dry_run: bool
    full: bool
    rows: int = 0
    batches: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    changes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: dict[str, Any]) -> None:
        for action in ACTIONS:
            self.counts[action] += int(result["counts"].get(action, 0))
        self.changes.extend(result["changes"])
        self.errors.extend(result["errors"])

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "organization": self.organization, "dry_run": self.dry_run,
            "full": self.full, "rows": self.rows, "batches": self.batches,
            "seconds": round(self.seconds, 3), "counts": self.counts,
            "changes": self.changes, "errors": self.errors,
        }


def read_rows(path: Path, kind: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The file's rows as column -> text (with their line numbers), and the lines that are not
    rows at all (too many fields). A bad header is an error before anything is sent."""
    if kind not in COLUMNS:
        raise TutelaError(f"unknown roster kind {kind!r}", hint="students, staff, guardian-links")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TutelaError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TutelaError(
            f"{path} is not UTF-8 (byte {exc.start})", hint="export the file as CSV UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise TutelaError(f"{path} is empty", hint="the first line names the columns") from None
    names = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    required, optional = COLUMNS[kind]
    known = set(required) | set(optional)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise TutelaError(
            f"{path}: unknown column(s) {', '.join(unknown)}",
            hint=f"{kind} columns: {', '.join(required + optional)}",
        )
    missing = [n for n in required if n not in names]
    if missing:
        raise TutelaError(f"{path}: missing column(s) {', '.join(missing)}",
                          hint=f"required for {kind}: {', '.join(required)}")
    if len(set(names)) != len(names):
        raise TutelaError(f"{path}: a column is named twice")
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    line = reader.line_num
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) > len(names):
                bad.append({"line": start, "code": "TU422", "detail": None,
                            "reason": f"{len(values)} fields where the header has {len(names)}"})
                continue
            row: dict[str, Any] = dict(zip(names, values, strict=False))
            row["line"] = start
            rows.append(row)
    except csv.Error as exc:
        raise TutelaError(f"{path}, line {reader.line_num}: {exc}") from None
    return rows, bad


def find_organization(conn: psycopg.Connection[Any], slug: str) -> str:
    row = conn.execute("select id from tutela.organizations where slug = %s", (slug,)).fetchone()
    if row is None:
        raise TutelaError(f"no organisation with slug {slug!r}",
                          hint="see tutela.organizations (slug)")
    return str(row[0])


def run_import(
    url: str,
    kind: str,
    path: Path,
    organization: str,
    *,
    dry_run: bool = False,
    strict: bool = False,
    full: bool = False,
    batch_size: int = 2000,
    commit_batches: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one CSV file. One transaction (or one per batch with commit_batches); a dry run
    applies everything inside the transaction and rolls it back, so the plan is exact.
    on_start gets the number of rows once the file is read; on_progress each batch's size."""
    rows, bad = read_rows(path, kind)
    if on_start:
        on_start(len(rows))
    report = ImportReport(kind=kind, organization=organization, dry_run=dry_run, full=full,
                          rows=len(rows) + len(bad))
    if bad and strict:
        first = bad[0]
        raise TutelaError(f"line {first['line']}: {first['reason']}; nothing was imported",
                          hint="without --strict, bad rows are reported and skipped")
    for b in bad:
        report.errors.append(b)
        report.counts["error"] += 1
    started = time.monotonic()
    keys: list[str] = []
    batches = [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)] or [[]]
    try:
        _import_batches(url, kind, organization, batches, report, keys, dry_run=dry_run,
                        strict=strict, full=full, commit_batches=commit_batches,
                        on_progress=on_progress)
    except psycopg.Error as exc:
        if not _connection_lost(exc):
            raise
        done = (f"{report.batches} of {len(batches)} batch(es) were committed"
                if commit_batches and not dry_run else "nothing was imported (one transaction)")
        raise TutelaError(
            f"the connection to the database was lost during the import: {done}",
            hint="run the same import again once the server is back: it is idempotent (rows "
            "already imported report unchanged)",
        ) from None
    report.errors.sort(key=lambda e: (e["line"] is None, e["line"] or 0))
    report.seconds = time.monotonic() - started
    return report


def _connection_lost(exc: psycopg.Error) -> bool:
    """A server that went away (killed, shut down, terminated the backend), not a refusal."""
    state = exc.sqlstate or ""
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) and (
        not state or state.startswith(("08", "57")))


def _import_batches(
    url: str, kind: str, organization: str, batches: list[list[dict[str, Any]]],
    report: ImportReport, keys: list[str], *, dry_run: bool, strict: bool, full: bool,
    commit_batches: bool, on_progress: Callable[[int], None] | None,
) -> None:
    with connect(url) as conn:
        org_id = find_organization(conn, organization)
        conn.commit()

        def call(c: psycopg.Connection[Any], batch: list[dict[str, Any]],
                 opts: dict[str, Any]) -> dict[str, Any]:
            try:
                got = c.execute(
                    "select tutela.import_roster(%s, %s, %s, %s)",
                    (org_id, kind, Jsonb(batch), Jsonb(opts)),
                ).fetchone()
            except psycopg.Error as exc:
                if _connection_lost(exc):
                    raise  # told with the committed batches below
                diag = exc.diag
                raise TutelaError(
                    f"the import was refused: {diag.message_primary} "
                    f"(SQLSTATE {diag.sqlstate}); nothing "
                    + ("more " if commit_batches and report.batches else "")
                    + "was imported",
                    hint=diag.message_hint,
                ) from None
            assert got is not None
            result: dict[str, Any] = got[0]
            report.add(result)
            return result

        # the steps: each batch, then (full sync) the revocations of what no batch listed
        def send(c: psycopg.Connection[Any], batch: list[dict[str, Any]]) -> None:
            keys.extend(call(c, batch, {"strict": strict, "full": False})["keys"])
            report.batches += 1
            if on_progress:
                on_progress(len(batch))

        def finish(c: psycopg.Connection[Any]) -> None:
            call(c, [], {"strict": strict, "full": True, "keep": keys})

        if commit_batches and not dry_run:
            for batch in batches:
                with acting_as(conn, None, role="service_role") as c:
                    send(c, batch)
            if full:
                with acting_as(conn, None, role="service_role") as c:
                    finish(c)
        else:
            with acting_as(conn, None, role="service_role") as c:
                for batch in batches:
                    send(c, batch)
                if full:
                    finish(c)
                if dry_run:
                    raise psycopg.Rollback()
