"""Which Tutela this package installs, and which one a database is on.

A schema version is the number of the newest versioned migration (``migrations/NNNN_*.sql``)
a database has. The release is derived from it: ``RELEASES`` lists each landed release with the
newest schema version it installs; a schema version after the last of them, up to this
package's own newest migration, is this package's release (``py_admin.__version__``). Cutting a
release adds its row to ``RELEASES``.

A database knows its schema version from Tutela's ledger (``tutela migrate``: the versioned
files and the baseline it recorded) or, when Tutela was pushed with the Supabase CLI (no ledger),
from Supabase's migration history: the rows whose version is a Tutela file's
``-- tutela:created`` stamp, or whose name ends with a Tutela file's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from py_admin import __version__

# (newest schema version, release) of each landed release, oldest first
RELEASES: tuple[tuple[int, str], ...] = ((15, "0.1"),)

_NUMBER_RE = re.compile(r"^(?:baseline/)?(\d{4})_[a-z0-9_]+\.sql$")


def schema_label(number: int | None) -> str:
    return "none" if number is None else f"{number:04d}"


def package_schema(root: Path | None = None) -> int | None:
    """The schema version this package installs: its newest versioned migration (or baseline)."""
    from py_admin.migrate import baseline_file, versioned_files

    numbers = [int(f.name[:4]) for f in versioned_files(root)]
    baseline = baseline_file(root)
    if baseline is not None:
        numbers.append(int(baseline.path.name[:4]))
    return max(numbers, default=None)


def release_of(schema: int, head: int | None) -> str | None:
    """The release that installs schema version ``schema``; None when it is newer than this
    package's newest migration ``head`` (a later Tutela migrated the database)."""
    for last, name in RELEASES:
        if schema <= last:
            return name
    if head is None or schema <= head:
        return __version__
    return None


def version_line(root: Path | None = None) -> str:
    """`tutela --version`: the package version and the schema version it installs."""
    return f"tutela {__version__} (schema {schema_label(package_schema(root))})"


@dataclass(frozen=True)
class DatabaseVersion:
    schema: int | None  # None: no Tutela found
    release: str | None  # None: no Tutela, or newer than this package
    source: str | None  # the table the schema version was read from
    package_release: str
    package_schema: int | None

    @property
    def installed(self) -> bool:
        return self.schema is not None

    @property
    def state(self) -> str:
        """not installed | current | behind (tutela migrate upgrades it) | ahead (a newer
        Tutela migrated it)"""
        if self.schema is None:
            return "not installed"
        if self.package_schema is None or self.schema == self.package_schema:
            return "current"
        return "behind" if self.schema < self.package_schema else "ahead"

    def describe(self) -> str:
        ours = f"{self.package_release} (schema {schema_label(self.package_schema)})"
        if self.schema is None:
            return f"no Tutela in this database; `tutela migrate` installs {ours}"
        name = f"Tutela {self.release}" if self.release else "a newer Tutela than this one"
        text = f"{name} (schema {schema_label(self.schema)}, from {self.source})"
        if self.state == "behind":
            text += f"; `tutela migrate` upgrades it to {ours}"
        elif self.state == "ahead":
            text += f"; this tutela is {ours}: upgrade the package"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "version": self.release,
            "schema": schema_label(self.schema) if self.schema is not None else None,
            "source": self.source,
            "state": self.state,
        }


def _ledger_schema(conn: psycopg.Connection[tuple[object, ...]], table: str) -> int | None:
    names = [str(r[0]) for r in conn.execute(
        f"select name from {table} where kind in ('versioned', 'baseline')")]
    numbers = [int(m.group(1)) for n in names if (m := _NUMBER_RE.match(n))]
    return max(numbers, default=None)


def _supabase_schema(
    conn: psycopg.Connection[tuple[object, ...]], root: Path | None
) -> int | None:
    from py_admin.migrate import (
        SUPABASE_HISTORY,
        baseline_file,
        created_stamp,
        versioned_files,
    )

    row = conn.execute("select to_regclass(%s) is not null", (SUPABASE_HISTORY,)).fetchone()
    if not row or not row[0]:
        return None
    files = versioned_files(root)
    baseline = baseline_file(root)
    if baseline is not None:
        files.append(baseline)
    stamps = {s: int(f.path.name[:4]) for f in files if (s := created_stamp(f))}
    stems = {f.path.stem: int(f.path.name[:4]) for f in files}
    numbers: list[int] = []
    query = f"select version, coalesce(name, '') from {SUPABASE_HISTORY}"
    for version, name in conn.execute(query):
        if str(version) in stamps:
            numbers.append(stamps[str(version)])
            continue
        numbers.extend(n for stem, n in stems.items()
                       if name == stem or str(name).endswith(f"_{stem}"))
    return max(numbers, default=None)


def database_version(url: str, root: Path | None = None) -> DatabaseVersion:
    """Which Tutela the database at ``url`` is on (read only)."""
    from py_admin.db import connect
    from py_admin.migrate import SUPABASE_HISTORY, ledger_table

    head = package_schema(root)
    with connect(url) as conn:
        table = ledger_table(conn)
        schema = _ledger_schema(conn, table) if table else None
        source = table
        if schema is None:
            schema = _supabase_schema(conn, root)
            source = SUPABASE_HISTORY if schema is not None else None
        conn.rollback()
    release = release_of(schema, head) if schema is not None else None
    return DatabaseVersion(schema, release, source, __version__, head)
