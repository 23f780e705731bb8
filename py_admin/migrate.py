"""The migration runner: versioned files once, repeatable files when they change.

Order of one run, all in ONE transaction under ``pg_advisory_xact_lock``:
  1. the Supabase compat bootstrap (``py_admin/sql/supabase_compat.sql``) when its checksum changed;
  2. pending ``migrations/NNNN_name.sql`` in number order; on a database without Tutela, the
     baseline ``migrations/baseline/NNNN_name.sql`` instead of every file up to its number (it
     installs the layout those files build up to, in Tutela's own schemas; files 0001-0015 built
     the 0.1 layout in public/private and 0016 moves an existing 0.1 database into the new one);
  3. repeatable files: ``rpc/*.sql`` then ``policies/*.sql``; in each folder the modules named in
     its ``ORDER`` file come first, in that order, then the rest by name. A repeatable file is
     applied when its checksum changed, and every repeatable file is re-applied after a run that
     applied a versioned migration (so that functions and policies are back on changed tables).
A landed versioned file whose checksum changed stops the run before anything is applied.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from py_admin.errors import TutelaError
from py_admin.paths import SQL_DIR, TEMPLATES_DIR, project_root
from py_admin.sqlsplit import split_statements

LOCK_KEY = 7_231_045_118  # pg_advisory_xact_lock key of the migration runner
LEDGER = "tutela_private.tutela_migrations"
# where Tutela 0.1 (migrations 0001-0015) kept the ledger; 0016 moves it to LEDGER
LEGACY_LEDGER = "private.tutela_migrations"
VERSIONED_RE = re.compile(r"^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$")
CREATED_RE = re.compile(r"^--\s*tutela:created\s+(\d{14})\s*$", re.MULTILINE)
BOOTSTRAP_NAME = "supabase_compat.sql"

# created in the schema the baseline (or 0016) made; never before it, so that a schema of that
# name that is not Tutela's stops the install with "already exists"
LEDGER_DDL = """
create table if not exists {table} (
  name text primary key,
  kind text not null check (kind in ('bootstrap', 'baseline', 'versioned', 'repeatable')),
  sha256 text not null,
  applied_at timestamptz not null default now()
);
alter table {table} enable row level security;
revoke all on table {table} from public, anon, authenticated, service_role;
"""


@dataclass(frozen=True)
class SqlFile:
    name: str  # ledger key: "0001_foundation.sql", "rpc/profiles.sql", "bootstrap/..."
    kind: str  # bootstrap | versioned | repeatable
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class Plan:
    apply: list[SqlFile] = field(default_factory=list)
    drifted: list[tuple[SqlFile, str]] = field(default_factory=list)  # (file, recorded sha)
    missing: list[str] = field(default_factory=list)  # in the ledger, not on disk
    covered: list[SqlFile] = field(default_factory=list)  # recorded with the baseline

    @property
    def empty(self) -> bool:
        return not self.apply


# ---- discovery ------------------------------------------------------------------------------
def bootstrap_file() -> SqlFile:
    return SqlFile(f"bootstrap/{BOOTSTRAP_NAME}", "bootstrap", SQL_DIR / BOOTSTRAP_NAME)


def baseline_file(root: Path | None = None) -> SqlFile | None:
    """The newest install script in migrations/baseline/ (NNNN_name.sql: the layout migrations
    0001..NNNN build), or None."""
    root = root or project_root()
    found = sorted(
        p for p in (root / "migrations" / "baseline").glob("*.sql") if VERSIONED_RE.match(p.name)
    )
    if not found:
        return None
    return SqlFile(f"baseline/{found[-1].name}", "baseline", found[-1])


def baseline_number(f: SqlFile) -> int:
    return int(f.path.name[:4])


def versioned_files(root: Path | None = None) -> list[SqlFile]:
    root = root or project_root()
    files: list[SqlFile] = []
    seen: dict[str, str] = {}
    for path in sorted((root / "migrations").glob("*.sql")):
        m = VERSIONED_RE.match(path.name)
        if not m:
            raise TutelaError(
                f"migrations/{path.name}: not a migration name",
                hint="versioned migrations are named NNNN_lower_snake_name.sql",
            )
        if m.group(1) in seen:
            raise TutelaError(
                f"migrations/{path.name}: number {m.group(1)} is also used by {seen[m.group(1)]}"
            )
        seen[m.group(1)] = path.name
        files.append(SqlFile(path.name, "versioned", path))
    return files


def _ordered(folder: Path) -> list[Path]:
    files = {p.stem: p for p in folder.glob("*.sql")}
    order_file = folder / "ORDER"
    first: list[Path] = []
    if order_file.exists():
        for line in order_file.read_text().splitlines():
            name = line.split("#", 1)[0].strip()
            if not name:
                continue
            if name not in files:
                raise TutelaError(f"{folder.name}/ORDER names {name!r}, which has no {name}.sql")
            first.append(files.pop(name))
    return first + [files[k] for k in sorted(files)]


def repeatable_files(root: Path | None = None) -> list[SqlFile]:
    root = root or project_root()
    out: list[SqlFile] = []
    for folder in ("rpc", "policies"):
        d = root / folder
        if d.is_dir():
            out.extend(SqlFile(f"{folder}/{p.name}", "repeatable", p) for p in _ordered(d))
    return out


def all_files(root: Path | None = None) -> list[SqlFile]:
    return [bootstrap_file(), *versioned_files(root), *repeatable_files(root)]


# ---- ledger and plan ------------------------------------------------------------------------
def ledger_table(conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
    """The ledger's table: Tutela's own, the 0.1 one, or None on a database without Tutela."""
    row = conn.execute("select to_regclass(%s) is not null", (LEDGER,)).fetchone()
    if row and row[0]:
        return LEDGER
    # 0.1's ledger, told apart from an app's table of the same name by its columns and its
    # first migration
    row = conn.execute(
        """
        select count(*) = 3 from pg_attribute
        where attrelid = to_regclass(%s) and attname in ('name', 'kind', 'sha256')
          and not attisdropped
        """,
        (LEGACY_LEDGER,),
    ).fetchone()
    if row and row[0]:
        first = conn.execute(
            f"select exists (select 1 from {LEGACY_LEDGER} where name = '0001_foundation.sql')"
        ).fetchone()
        if first and first[0]:
            return LEGACY_LEDGER
    return None


def read_ledger(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, tuple[str, str]]:
    """name -> (kind, sha256); empty when the ledger does not exist yet."""
    table = ledger_table(conn)
    if table is None:
        return {}
    rows = conn.execute(f"select name, kind, sha256 from {table}").fetchall()
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def make_plan(
    ledger: dict[str, tuple[str, str]],
    files: Sequence[SqlFile],
    baseline: SqlFile | None = None,
) -> Plan:
    """What to apply. On an empty ledger with a baseline, the baseline replaces the versioned
    files it covers (they are recorded as applied with it)."""
    plan = Plan()
    on_disk = {f.name for f in files}
    plan.missing = sorted(
        n for n, (k, _) in ledger.items() if k == "versioned" and n not in on_disk
    )
    if not ledger and baseline is not None:
        covered = [
            f for f in files
            if f.kind == "versioned" and int(f.name[:4]) <= baseline_number(baseline)
        ]
        plan.covered = covered
        plan.apply.append(baseline)
        files = [f for f in files if f not in covered]
    versioned_pending = bool(plan.covered)
    for f in files:
        recorded = ledger.get(f.name)
        if f.kind == "versioned":
            if recorded is None:
                plan.apply.append(f)
                versioned_pending = True
            elif not same_version(f, recorded[1]):
                plan.drifted.append((f, recorded[1]))
    for f in files:
        if f.kind == "versioned":
            continue
        recorded = ledger.get(f.name)
        changed = recorded is None or recorded[1] != f.sha256
        if changed or (versioned_pending and f.kind == "repeatable"):
            plan.apply.append(f)
    # bootstrap first, then versioned, then repeatables (stable within each kind)
    rank = {"bootstrap": 0, "baseline": 1, "versioned": 1, "repeatable": 2}
    plan.apply.sort(key=lambda f: rank[f.kind])
    return plan


# Landed versioned files changed after they landed, and the checksums of the versions a database
# may have recorded: each was fixed where it failed (it applied nothing there), and does the
# same where it succeeded. Anything else that differs from a recorded checksum is drift.
SUPERSEDED: dict[str, frozenset[str]] = {
    # 0.2's move renamed 0.1's pg_cron jobs by writing cron.job, which Supabase's postgres may
    # not do: now it schedules them again under the new names where it cannot
    "0016_own_schemas.sql": frozenset({
        "9eddbea4827f7852194f39df0ac1d0f5ddaaa04bae57f9220984cd0743a095fd",
    }),
}


def same_version(f: SqlFile, recorded_sha: str) -> bool:
    """Whether a recorded checksum is this file's (or one of its superseded versions')."""
    return recorded_sha == f.sha256 or recorded_sha in SUPERSEDED.get(f.name, frozenset())


def _apply(conn: psycopg.Connection[tuple[object, ...]], f: SqlFile) -> None:
    """Run a file statement by statement (so an error names its line)."""
    for line, statement in split_statements(f.text):
        try:
            with conn.cursor() as cur:
                cur.execute(statement.encode("utf-8"))
        except psycopg.Error as exc:
            diag = exc.diag
            pos = diag.statement_position
            if pos:
                line += statement.count("\n", 0, max(int(pos) - 1, 0))
            msg = diag.message_primary or str(exc).strip()
            raise TutelaError(
                f"{f.name}:{line}: {msg} (SQLSTATE {diag.sqlstate}); nothing was applied",
                hint=diag.message_hint,
            ) from None


def _record(
    conn: psycopg.Connection[tuple[object, ...]], pending: list[SqlFile], *, legacy: bool = False
) -> None:
    """Write what was applied into the ledger once there is one (the baseline, or 0016 on a
    0.1 database, makes Tutela's schema; the bootstrap runs before either)."""
    table = ledger_table(conn)
    if table is None:
        # Tutela's schema; or, for a project of the 0.1 layout (no baseline: its 0001 made
        # `private`; the upgrade tests migrate one), where that release's runner kept it
        for candidate in (LEDGER, LEGACY_LEDGER) if legacy else (LEDGER,):
            schema = candidate.split(".")[0]
            row = conn.execute("select to_regnamespace(%s) is not null", (schema,)).fetchone()
            if row and row[0]:
                table = candidate
                break
        else:
            return
        with conn.cursor() as cur:
            cur.execute(LEDGER_DDL.format(table=table).encode())
    for f in pending:
        try:
            conn.execute(
                f"insert into {table} (name, kind, sha256) values (%s, %s, %s) "
                "on conflict (name) do update set sha256 = excluded.sha256, applied_at = now()",
                (f.name, f.kind, f.sha256),
            )
        except psycopg.Error as exc:
            raise TutelaError(
                f"{f.name}: recording it in the ledger failed: {str(exc).strip()}; "
                "nothing was applied"
            ) from None
    pending.clear()


def drift_error(plan: Plan) -> TutelaError:
    lines = [
        f"  {f.name}: recorded {old[:12]}…, now {f.sha256[:12]}…" for f, old in plan.drifted
    ]
    return TutelaError(
        "landed migrations were edited:\n" + "\n".join(lines) + "\nnothing was applied",
        hint="never edit a landed migration: restore it and add a new one (`tutela new NAME`)",
    )


def _rollback_quietly(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Roll back; when the connection is gone (the server ended the backend), the server has
    already rolled the transaction back, and there is nothing left to do."""
    if conn.broken or conn.closed:
        return
    with contextlib.suppress(psycopg.OperationalError):
        conn.rollback()


@dataclass
class MigrateResult:
    plan: Plan
    applied: list[SqlFile]
    dry_run: bool


# ---- a 0.1 database pushed with the Supabase CLI ---------------------------------------------
SUPABASE_HISTORY = "supabase_migrations.schema_migrations"
def created_stamp(f: SqlFile) -> str | None:
    """The UTC timestamp of a file's `-- tutela:created` header (its Supabase version)."""
    m = CREATED_RE.search(f.text)
    return m.group(1) if m else None


def pushed_by_supabase_cli(
    conn: psycopg.Connection[tuple[object, ...]], files: Sequence[SqlFile]
) -> list[SqlFile]:
    """The versioned files of Tutela 0.1 that `supabase db push` applied to this database
    (recorded in Supabase's migration history, not in a Tutela ledger); empty when it has none.
    Recognised by the version of 0.1's first migration."""
    row = conn.execute("select to_regclass(%s) is not null", (SUPABASE_HISTORY,)).fetchone()
    if not row or not row[0]:
        return []
    versions = {str(r[0]) for r in conn.execute(f"select version from {SUPABASE_HISTORY}")}
    by_version = {created_stamp(f): f for f in files if f.kind == "versioned"}
    first = next((f for f in files if f.name.startswith("0001_")), None)
    if first is None or created_stamp(first) not in versions:
        return []
    return [f for v, f in by_version.items() if v in versions]


def adopt_supabase_history(
    conn: psycopg.Connection[tuple[object, ...]], pushed: Sequence[SqlFile]
) -> dict[str, tuple[str, str]]:
    """Record the pushed 0.1 files in a 0.1 ledger (where 0.1's runner kept it), so that the
    runner applies the rest and 0016 moves the database; returns that ledger."""
    with conn.cursor() as cur:
        cur.execute(LEDGER_DDL.format(table=LEGACY_LEDGER).encode())
    for f in pushed:
        conn.execute(
            f"insert into {LEGACY_LEDGER} (name, kind, sha256) values (%s, 'versioned', %s) "
            "on conflict (name) do nothing",
            (f.name, f.sha256),
        )
    return {f.name: ("versioned", f.sha256) for f in pushed}


def repair_supabase_history(
    conn: psycopg.Connection[tuple[object, ...]], root: Path, baseline: SqlFile,
    pushed: Sequence[SqlFile],
) -> list[str]:
    """After the move: Tutela's rows of Supabase's history name the files of supabase/ that
    the database now equals (what `supabase migration repair` would do), so that `supabase db
    push` goes on from there. Only Tutela's rows change; returns the versions now recorded."""
    first = created_stamp(baseline) or ""
    old = [v for v in (created_stamp(f) for f in pushed) if v]
    conn.execute(
        f"delete from {SUPABASE_HISTORY} where version = any(%s) "
        "or (name = 'tutela_repeatables' and version < %s)",
        (old, first),
    )
    recorded: list[str] = []
    for path in sorted((root / "supabase" / "migrations").glob("*.sql")):
        version, _, name = path.stem.partition("_")
        if version >= first:
            conn.execute(
                f"insert into {SUPABASE_HISTORY} (version, name, statements) "
                "values (%s, %s, '{}') on conflict (version) do nothing",
                (version, name),
            )
            recorded.append(version)
    return recorded


def migrate(url: str, *, dry_run: bool = False, root: Path | None = None) -> MigrateResult:
    """Apply what is pending, all or nothing; on failure raise TutelaError, changing nothing."""
    files = all_files(root)
    baseline = baseline_file(root)
    if baseline is None and not any(f.kind == "versioned" for f in files):
        where = (root or project_root()) / "migrations"
        raise TutelaError(
            f"no migrations found in {where}; nothing was applied",
            hint="run tutela from a Tutela checkout, or install the tutela package (it carries "
            "them), or set TUTELA_PROJECT_ROOT",
        )
    from py_admin.db import connect

    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        ledger = read_ledger(conn)
        pushed: list[SqlFile] = []
        if not ledger and baseline is not None:
            pushed = pushed_by_supabase_cli(conn, files)
            if pushed:
                ledger = adopt_supabase_history(conn, pushed)
        plan = make_plan(ledger, files, baseline)
        if plan.drifted:
            conn.rollback()
            raise drift_error(plan)
        if dry_run or plan.empty:
            conn.rollback()
            return MigrateResult(plan, [], dry_run)
        pending: list[SqlFile] = []
        try:
            for f in plan.apply:
                _apply(conn, f)
                pending.append(f)
                if f.kind == "baseline":
                    pending.extend(plan.covered)
                _record(conn, pending, legacy=baseline is None)
            if pending:
                raise TutelaError(
                    "no ledger: neither the baseline nor a migration made schema tutela_private; "
                    "nothing was applied"
                )
            if pushed and baseline is not None:
                try:
                    repair_supabase_history(conn, root or project_root(), baseline, pushed)
                except psycopg.Error as exc:
                    raise TutelaError(
                        f"updating Supabase's migration history failed: {str(exc).strip()}; "
                        "nothing was applied"
                    ) from None
        except TutelaError:
            _rollback_quietly(conn)
            raise
        try:
            conn.commit()
        except psycopg.Error as exc:
            raise TutelaError(
                f"the commit failed: {str(exc).strip()}; nothing was applied",
                hint="run `tutela migrate` again",
            ) from None
    return MigrateResult(plan, list(plan.apply), dry_run)


@dataclass(frozen=True)
class StatusRow:
    name: str
    kind: str
    state: str  # applied | pending | changed | missing
    applied_at: str | None


def status(url: str, root: Path | None = None) -> list[StatusRow]:
    from py_admin.db import connect

    files = all_files(root)
    with connect(url) as conn:
        ledger = read_ledger(conn)
        when: dict[str, str] = {}
        table = ledger_table(conn)
        if table:
            query = f"select name, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS') from {table}"
            for name, at in conn.execute(query):
                when[str(name)] = str(at)
        conn.rollback()
    baseline = baseline_file(root)
    if baseline is not None and baseline.name in ledger:
        # a database installed from the baseline (not listed otherwise: the runner applies it
        # only to a database without Tutela, in place of the files it covers)
        files.insert(1, baseline)
    rows: list[StatusRow] = []
    for f in files:
        rec = ledger.get(f.name)
        if rec is None:
            state = "pending"
        elif not (same_version(f, rec[1]) if f.kind == "versioned" else rec[1] == f.sha256):
            state = "changed"
        else:
            state = "applied"
        rows.append(StatusRow(f.name, f.kind, state, when.get(f.name)))
    on_disk = {f.name for f in files}
    for name, (kind, _) in sorted(ledger.items()):
        if name not in on_disk:
            rows.append(StatusRow(name, kind, "missing", when.get(name)))
    return rows


def new_migration(name: str, root: Path | None = None, now: datetime | None = None) -> Path:
    """Write the next numbered migration from the template; returns its path."""
    import jinja2

    root = root or project_root()
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug:
        raise TutelaError(f"{name!r} is not a usable migration name", hint="use letters and digits")
    existing = versioned_files(root)
    number = (int(existing[-1].name[:4]) + 1) if existing else 1
    path = root / "migrations" / f"{number:04d}_{slug}.sql"
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=False, keep_trailing_newline=True
    )
    text = env.get_template("migration.sql.j2").render(name=slug, number=number, created=stamp)
    path.write_text(text)
    return path
