"""`tutela init`, the files: Tutela's migrations and tests in an app's own Supabase CLI project.

The source is Tutela's Supabase build (``project_root() / "supabase"``, written by
`tutela build supabase`): ``migrations/<stamp>_<name>.sql`` and ``tests/**/*.test.sql``.

Migrations go to the app's ``supabase/migrations/`` as ``<stamp>_tutela_<name>.sql`` (a name
that already starts with ``tutela_`` keeps it as it is). The stamps are new: after every
migration the folder holds (and not before the current UTC time, so they also follow whatever
the app pushed from elsewhere), one second apart, in Tutela's own order. Once added, a file is
never renamed or rewritten: the Supabase CLI records its stamp as applied. Each copy starts
with a header naming Tutela's file and the SHA-256 of the text under it::

    -- tutela:source migrations/20261207210000_0016_own_schemas.sql sha256:<hex>
    -- Added by `tutela init` ... (one line of explanation)
    <Tutela's file, byte for byte>

so a later Tutela version knows which of its files the app has (whatever their stamps) and
adds only the others, after everything present. A copy whose text no longer matches Tutela's
file is refused (the app edited it, or this Tutela's history differs from the one it came
from): nothing is written. A file named exactly like one of Tutela's (the app copied Tutela's
``supabase/migrations`` by hand) counts as that file.

Tests go to ``supabase/tests/tutela/`` (``supabase test db`` runs ``pg_prove -r`` over
``supabase/tests``, in path order, so ``tutela/000_setup.test.sql`` comes before Tutela's other
files). They are not history: a later version refreshes them (rewrites, adds, and removes its
own copies it no longer ships). A file there without Tutela's header is the app's and is never
touched; a copy the app edited is refused like a migration.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from py_admin.app_access import AccessPlan, plan_access
from py_admin.errors import TutelaError

TS_FMT = "%Y%m%d%H%M%S"
MIGRATION_RE = re.compile(r"^(\d+)_(.*)\.sql$")  # what the Supabase CLI takes as a migration
TUTELA_MIGRATION_RE = re.compile(r"^(\d{14})_(.+)\.sql$")
HEADER_RE = re.compile(r"^-- tutela:source (\S+) sha256:([0-9a-f]{64})[ \t]*$")
NOTE = (
    "-- Added by `tutela init`: Tutela's file, unchanged below this header. Do not edit or "
    "rename it;\n-- a later `tutela init` adds Tutela's new files after it. Change Tutela only "
    "in migrations of your own.\n"
)
TESTS_SUBDIR = "tutela"


@dataclass(frozen=True)
class Planned:
    dest: str  # path under the app's supabase/ folder, e.g. migrations/2026..._tutela_x.sql
    source: str  # path under Tutela's supabase/ folder
    text: str  # what is written


@dataclass
class Plan:
    supabase_dir: Path
    source_dir: Path
    migrations_add: list[Planned] = field(default_factory=list)
    migrations_present: int = 0
    app_latest: str | None = None  # the newest migration file before this run (any owner)
    tests_add: list[Planned] = field(default_factory=list)
    tests_update: list[Planned] = field(default_factory=list)
    tests_remove: list[str] = field(default_factory=list)
    tests_present: int = 0
    kept_edited: list[str] = field(default_factory=list)  # with allow_edited: kept as they are
    access: AccessPlan | None = None  # supabase/tutela.toml rendered (py_admin/app_access.py)

    @property
    def changes(self) -> bool:
        return bool(self.migrations_add or self.tests_add or self.tests_update or self.tests_remove
                    or (self.access is not None and self.access.changes))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _norm(text: str) -> str:
    """Compare texts as git would check them out on any platform."""
    return text.replace("\r\n", "\n")


def copy_text(source: str, body: str) -> str:
    """The text of a copy: the header, then Tutela's file as it is."""
    return f"-- tutela:source {source} sha256:{_sha(body)}\n{NOTE}{body}"


def split_copy(text: str) -> tuple[str, str, str] | None:
    """(source, recorded sha256, body) of a copy made by `copy_text`; None for another file."""
    text = _norm(text)
    first, _, rest = text.partition("\n")
    m = HEADER_RE.match(first)
    if m is None:
        return None
    body = rest
    for line in NOTE.splitlines(keepends=True):
        if body.startswith(line):
            body = body[len(line):]
        else:
            break
    return m.group(1), m.group(2), body


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TutelaError(f"cannot read {path}: {exc.strerror}; nothing was changed") from None


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TutelaError(f"{path} is not UTF-8 text; nothing was changed") from None


def _read(path: Path) -> str:
    return _decode(_read_bytes(path), path)


MARK = b"-- tutela:source "


def _source_files(source_dir: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Tutela's migrations (in stamp order) and tests (in path order): (relative path, text)."""
    mig_dir = source_dir / "migrations"
    tests_dir = source_dir / "tests"
    if not mig_dir.is_dir() or not tests_dir.is_dir():
        raise TutelaError(
            f"Tutela's Supabase build is not at {source_dir} (no migrations/ or tests/)",
            hint="in a checkout of Tutela run `tutela build supabase` first; an installed "
            "tutela carries it (or set TUTELA_PROJECT_ROOT to a Tutela checkout)",
        )
    migrations = []
    for p in sorted(mig_dir.glob("*.sql")):
        if TUTELA_MIGRATION_RE.match(p.name) is None:
            raise TutelaError(f"{p}: not a migration of Tutela's Supabase build (<14 digits>_"
                              "<name>.sql)")
        migrations.append((f"migrations/{p.name}", _read(p)))
    if not migrations:
        raise TutelaError(f"Tutela's Supabase build at {source_dir} has no migrations",
                          hint="run `tutela build supabase` in the Tutela checkout")
    tests = [
        (f"tests/{p.relative_to(tests_dir).as_posix()}", _read(p))
        for p in sorted(tests_dir.rglob("*.test.sql"))
    ]
    return migrations, tests


def _parse_stamp(version: str, name: str) -> datetime:
    try:
        return datetime.strptime(version, TS_FMT).replace(tzinfo=UTC)
    except ValueError:
        raise TutelaError(
            f"{name}: {version} is not a UTC timestamp (YYYYMMDDHHMMSS); "
            "nothing was changed",
            hint="Tutela's migrations go after the app's newest one: name the app's files as "
            "`supabase migration new` does",
        ) from None


def _dest_name(stamp: datetime, source_name: str) -> str:
    m = TUTELA_MIGRATION_RE.match(source_name)
    assert m is not None
    name = m.group(2)
    if not name.startswith("tutela_"):
        name = f"tutela_{name}"
    return f"{stamp.strftime(TS_FMT)}_{name}.sql"


def plan(
    supabase_dir: Path, source_dir: Path, *, now: datetime | None = None,
    allow_edited: bool = False,
) -> Plan:
    """What `tutela init` adds, updates and removes; raises TutelaError (nothing planned) when
    a copy was edited (unless `allow_edited`: then it is kept as it is and listed in
    `kept_edited`), a name is taken, or the history does not line up."""
    if not (supabase_dir / "config.toml").is_file():
        raise TutelaError(
            f"no config.toml in {supabase_dir}: not a Supabase CLI project",
            hint="run it in the app's folder that holds supabase/ (made by `supabase init`), or "
            "pass --supabase-dir PATH to the folder holding config.toml",
        )
    if supabase_dir.resolve() == source_dir.resolve():
        raise TutelaError(
            f"{supabase_dir} is where Tutela's own Supabase build was looked for, not an app's "
            "project; nothing was changed",
            hint="run `tutela init` in the app's folder, outside Tutela's checkout (or set "
            "TUTELA_PROJECT_ROOT to Tutela's folder)",
        )
    migrations, tests = _source_files(source_dir)
    result = Plan(supabase_dir=supabase_dir, source_dir=source_dir)
    edited: list[str] = []

    # -- migrations: which of Tutela's the app has (by header, or by Tutela's own name) --------
    source_text = dict(migrations)
    order = [name for name, _ in migrations]
    present: dict[str, str] = {}  # Tutela's source -> the app's file
    names: list[str] = []
    mig_dir = supabase_dir / "migrations"
    files = sorted(p for p in mig_dir.glob("*.sql") if p.is_file()) if mig_dir.is_dir() else []
    latest: datetime | None = None
    for p in files:
        m = MIGRATION_RE.match(p.name)
        if m is None:
            continue  # the Supabase CLI skips it too
        names.append(p.name)
        if len(m.group(1)) == 14:
            ts = _parse_stamp(m.group(1), p.as_posix())
            latest = ts if latest is None or ts > latest else latest
        raw = _read_bytes(p)
        if not raw.startswith(MARK) and f"migrations/{p.name}" not in source_text:
            continue  # the app's own: not even decoded
        text = _decode(raw, p)
        copy = split_copy(text)
        if copy is not None:
            source, recorded, body = copy
        elif f"migrations/{p.name}" in source_text:
            source, recorded, body = f"migrations/{p.name}", "", _norm(text)
        else:
            continue  # the app's own
        if source in present:
            raise TutelaError(
                f"{p.as_posix()} and {present[source]} are both Tutela's "
                f"{source}; nothing was changed",
                hint="keep the one the database has applied (`supabase migration list`)",
            )
        present[source] = p.as_posix()
        expected = source_text.get(source)
        if expected is None:
            raise TutelaError(
                f"{p.as_posix()} was added from Tutela's {source}, which this "
                "Tutela does not ship; nothing was changed",
                hint="this Tutela's history does not continue the one the app has: use the "
                "Tutela release the app came from, or a later one",
            )
        if body != _norm(expected):
            why = ("Tutela's file differs (this Tutela's history is not the one it came from)"
                   if recorded and _sha(body) == recorded else "it was edited after it was added")
            edited.append(f"{p.as_posix()} (Tutela's {source}): {why}")
    result.app_latest = names[-1] if names else None
    result.migrations_present = len(present)
    last_present = max((order.index(s) for s in present), default=-1)
    missing = [s for s in order if s not in present]
    early = [s for s in missing if order.index(s) < last_present]
    if early:
        raise TutelaError(
            "Tutela's " + ", ".join(early) + " come(s) before migrations of Tutela's the app "
            "already has; adding them after would change Tutela's order; nothing was changed",
            hint="use the Tutela release the app came from, or a later one",
        )
    start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    if latest is not None and latest >= start:
        start = latest + timedelta(seconds=1)
    for i, source in enumerate(missing):
        dest = _dest_name(start + timedelta(seconds=i), Path(source).name)
        if names and dest <= names[-1]:
            raise TutelaError(
                f"cannot name Tutela's migrations so that they sort after the app's "
                f"{(mig_dir / names[-1]).as_posix()}; nothing was changed",
                hint="the Supabase CLI applies files in name order: name the app's migrations "
                "<YYYYMMDDHHMMSS>_name.sql, as `supabase migration new` does",
            )
        if (mig_dir / dest).exists():
            raise TutelaError(f"{(mig_dir / dest).as_posix()} exists; nothing was changed")
        result.migrations_add.append(
            Planned(f"migrations/{dest}", source, copy_text(source, _norm(source_text[source])))
        )

    # -- the app's own tables: supabase/tutela.toml, rendered after everything else ----------
    free = start + timedelta(seconds=len(missing))
    result.access = plan_access(supabase_dir, free.strftime(TS_FMT))
    if result.access is not None and result.access.migration is not None:
        dest = result.access.migration[0]
        if names and Path(dest).name <= names[-1]:
            raise TutelaError(f"cannot name {dest} so that it sorts after the app's "
                              f"{(mig_dir / names[-1]).as_posix()}; nothing was changed")

    # -- tests: supabase/tests/tutela/, refreshed ---------------------------------------------
    tests_dir = supabase_dir / "tests" / TESTS_SUBDIR
    wanted: dict[str, tuple[str, str]] = {}  # dest -> (source, body)
    for source, text in tests:
        rel = source.removeprefix("tests/")
        wanted[f"tests/{TESTS_SUBDIR}/{rel}"] = (source, _norm(text))
    existing = sorted(p for p in tests_dir.rglob("*") if p.is_file()) if tests_dir.is_dir() else []
    seen: set[str] = set()
    for p in existing:
        dest = p.relative_to(supabase_dir).as_posix()
        raw = _read_bytes(p)
        copy = split_copy(_decode(raw, p)) if raw.startswith(MARK) else None
        if copy is None:
            if dest in wanted:
                raise TutelaError(
                    f"{p.as_posix()} is not Tutela's (it has no `-- tutela:source` header) but "
                    "Tutela's test of that name goes there; nothing was changed",
                    hint=f"move the app's own tests out of {tests_dir.as_posix()}/: that "
                    "folder is Tutela's",
                )
            continue  # the app's own file: never touched
        source, recorded, body = copy
        if _sha(body) != recorded:
            edited.append(f"{p.as_posix()} (Tutela's {source}): it was edited after it was added")
            seen.add(dest)
            continue
        if dest not in wanted:
            result.tests_remove.append(dest)
            continue
        seen.add(dest)
        want_source, want_body = wanted[dest]
        if body == want_body and source == want_source:
            result.tests_present += 1
        else:
            result.tests_update.append(
                Planned(dest, want_source, copy_text(want_source, want_body))
            )
    for dest, (source, body) in wanted.items():
        if dest not in seen:
            result.tests_add.append(Planned(dest, source, copy_text(source, body)))

    if edited and allow_edited:
        result.kept_edited = edited
    elif edited:
        raise TutelaError(
            "Tutela's files in the app's project no longer match Tutela's:\n  "
            + "\n  ".join(edited) + "\nnothing was changed",
            hint="restore each from the file its first line names (in Tutela's supabase/) and "
            "change Tutela's objects in migrations of the app's own; or keep them as they are "
            "with --allow-edited",
        )
    return result


def apply(p: Plan) -> None:
    """Write what `plan` found: new files first written beside, then renamed into place."""
    for item in [*p.migrations_add, *p.tests_add, *p.tests_update]:
        path = p.supabase_dir / item.dest
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tutela-init")
            tmp.write_bytes(item.text.encode("utf-8"))
            os.replace(tmp, path)
        except OSError as exc:
            raise TutelaError(f"cannot write {path}: {exc.strerror}",
                              hint="files listed before this one were written; fix the folder's "
                              "permissions and run `tutela init` again") from None
    access = p.access
    writes = []
    if access is not None:
        writes = [*([access.migration] if access.migration else []),
                  *access.tests_write.items()]
    for dest, text in writes:
        path = p.supabase_dir / dest
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tutela-init")
            tmp.write_bytes(text.encode("utf-8"))
            os.replace(tmp, path)
        except OSError as exc:
            raise TutelaError(f"cannot write {path}: {exc.strerror}") from None
    for dest in [*p.tests_remove, *(access.tests_remove if access else [])]:
        path = p.supabase_dir / dest
        try:
            path.unlink()
            folder = path.parent
            tests_root = p.supabase_dir / "tests" / TESTS_SUBDIR
            while folder != tests_root and folder.is_relative_to(tests_root) and not any(
                folder.iterdir()
            ):
                folder.rmdir()
                folder = folder.parent
        except OSError as exc:
            raise TutelaError(f"cannot remove {path}: {exc.strerror}") from None
