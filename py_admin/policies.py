"""`tutela policies render`: policies/registry.toml -> policies/learning.sql + pgTAP per table.

jinja2 renders only trusted identifiers from the registry (quoted by the `ident` filter) and
the registry's own SQL fragments; never data.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from py_admin.errors import TutelaError
from py_admin.paths import TEMPLATES_DIR, project_root

REGISTRY = Path("policies") / "registry.toml"
POLICY_OUT = Path("policies") / "learning.sql"
TESTS_OUT = Path("tests") / "sql" / "learning" / "access"
COMMANDS = ("insert", "update", "delete")
WRITERS = ("student", "staff")
KINDS = ("student", "catalog")
PERMISSIONS = (
    "progress", "sessions", "lessons", "card_content", "grades", "attendance", "journal",
    "messaging",
)
IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
ASSERTION_RE = re.compile(
    r"^select (?:is|isnt|ok|throws_ok|lives_ok|results_eq|is_empty)\(", re.M
)

# Which actors of the test world read a row, by kind of table.
READERS = {
    "student": {"student", "guardian", "staff", "admin", "service_role"},
    "catalog": {
        "student", "other_student", "guardian", "guardian_noperm", "staff", "admin",
        "service_role",
    },
}
ACTORS = (
    "student", "other_student", "guardian", "guardian_noperm", "guardian_pending",
    "guardian_revoked", "staff", "admin", "other_staff", "stranger", "anon", "service_role",
)
ACTOR_LABELS = {
    "student": "the student",
    "other_student": "another student of the organisation",
    "guardian": "an active guardian with the permission",
    "guardian_noperm": "an active guardian without the permission",
    "guardian_pending": "a pending guardian",
    "guardian_revoked": "a revoked guardian",
    "staff": "staff of the organisation",
    "admin": "an admin of the organisation",
    "other_staff": "staff of another organisation",
    "stranger": "a signed-in stranger",
    "anon": "anon",
    "service_role": "the service role",
}


@dataclass
class Table:
    name: str
    kind: str
    owner: str
    permission: str | None
    writers: dict[str, list[str]]
    row: str
    update_set: str
    setup: str = ""
    after_row: str = ""
    insert_row: str = ""
    key: str = "id"
    read_using: str | None = None
    immutable: bool = False
    sequences: list[str] = field(default_factory=list)

    @property
    def granted(self) -> list[str]:
        """Commands granted to `authenticated` beyond select."""
        return [c for c in COMMANDS if self.writers.get(c)]

    def writer_actors(self, command: str) -> set[str]:
        out: set[str] = set()
        for w in self.writers.get(command, []):
            out |= {"student"} if w == "student" else {"staff", "admin"}
        return out

    @property
    def readers(self) -> set[str]:
        return READERS[self.kind]

    @property
    def by_org(self) -> bool:
        return self.owner == "organization_id"


@dataclass
class Registry:
    tables: list[Table]
    exempt: dict[str, str] = field(default_factory=dict)

    def names(self) -> set[str]:
        return {t.name for t in self.tables}


def _ident(value: str) -> str:
    if not IDENT_RE.match(value):
        raise TutelaError(f"{REGISTRY}: {value!r} is not a plain lower-case identifier")
    return value


def load_registry(root: Path | None = None) -> Registry:
    root = root or project_root()
    path = root / REGISTRY
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise TutelaError(f"{REGISTRY} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise TutelaError(f"{REGISTRY}: {exc}") from None
    tables: list[Table] = []
    seen: set[str] = set()
    for raw in data.get("table", []):
        name = _ident(str(raw.get("name", "")))
        where = f"{REGISTRY} [{name}]"
        if name in seen:
            raise TutelaError(f"{where}: listed twice")
        seen.add(name)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise TutelaError(f"{where}: kind must be one of {', '.join(KINDS)}")
        permission = raw.get("permission")
        if kind == "student" and permission not in PERMISSIONS:
            raise TutelaError(f"{where}: permission must be one of {', '.join(PERMISSIONS)}")
        writers: dict[str, list[str]] = {}
        for command in COMMANDS:
            who = list(raw.get(command, []))
            bad = [w for w in who if w not in WRITERS]
            if bad:
                raise TutelaError(f"{where}: {command} writers must be among {WRITERS}")
            writers[command] = who
        if any("student" in writers[c] for c in COMMANDS) and raw.get("owner") != "student_id":
            raise TutelaError(f"{where}: a table the student writes is owned by student_id")
        for required in ("owner", "row", "update_set"):
            if not raw.get(required):
                raise TutelaError(f"{where}: `{required}` is required")
        if writers["insert"] and not raw.get("insert_row"):
            raise TutelaError(f"{where}: `insert_row` is required when someone inserts")
        tables.append(Table(
            name=name, kind=kind, owner=_ident(raw["owner"]), permission=permission,
            writers=writers, row=raw["row"].strip(), update_set=raw["update_set"].strip(),
            setup=raw.get("setup", "").strip(), after_row=raw.get("after_row", "").strip(),
            insert_row=raw.get("insert_row", "").strip(), key=_ident(raw.get("key", "id")),
            read_using=raw.get("read_using"), immutable=bool(raw.get("immutable", False)),
            sequences=[_ident(str(s)) for s in raw.get("sequences", [])],
        ))
    exempt: dict[str, str] = {}
    for item in data.get("exempt", []):
        name = _ident(str(item.get("name", "")))
        reason = str(item.get("reason", "")).strip()
        if not reason:
            raise TutelaError(f"{REGISTRY}: exempt table {name} needs a reason")
        if name in seen:
            raise TutelaError(f"{REGISTRY}: {name} is both registered and exempt")
        exempt[name] = reason
    return Registry(tables, exempt)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=False,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["ident"] = quote_ident
    return env


# Words that cannot stand bare as a column or table name (PostgreSQL's reserved key words).
RESERVED = frozenset([
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
    "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
    "current_date", "current_role", "current_time", "current_timestamp", "current_user",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false",
    "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially",
    "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
    "null", "offset", "on", "only", "or", "order", "placing", "primary", "references",
    "returning", "select", "session_user", "some", "symmetric", "table", "then", "to",
    "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
    "window", "with",
])


def quote_ident(value: object) -> str:
    """An identifier for SQL: bare when plain and not reserved, else double-quoted."""
    text = str(value)
    if IDENT_RE.match(text) and text not in RESERVED:
        return text
    return '"' + text.replace('"', '""') + '"'


def render(registry: Registry) -> dict[Path, str]:
    """Relative path -> content of every rendered file."""
    env = _env()
    out: dict[Path, str] = {
        POLICY_OUT: env.get_template("learning_policies.sql.j2").render(tables=registry.tables)
    }
    test_tpl = env.get_template("table_access.test.sql.j2")
    for number, table in enumerate(registry.tables, start=1):
        ctx: dict[str, Any] = {
            "t": table, "actors": ACTORS, "labels": ACTOR_LABELS, "commands": COMMANDS,
        }
        text = test_tpl.render(**ctx)
        plan = len(ASSERTION_RE.findall(text))
        text = text.replace("select plan(__PLAN__);", f"select plan({plan});")
        out[TESTS_OUT / f"{number:03d}_{table.name}_access.test.sql"] = text
    return out


@dataclass
class RenderResult:
    written: list[str]
    removed: list[str]
    stale: list[str]


def render_files(root: Path | None = None, *, check: bool = False) -> RenderResult:
    root = root or project_root()
    files = render(load_registry(root))
    stale: list[str] = []
    for rel, content in files.items():
        path = root / rel
        if not path.exists() or path.read_text() != content:
            stale.append(str(rel))
    extra = [
        str(p.relative_to(root)) for p in sorted((root / TESTS_OUT).glob("*.test.sql"))
        if p.relative_to(root) not in files
    ] if (root / TESTS_OUT).is_dir() else []
    stale += extra
    result = RenderResult([], [], stale)
    if check:
        return result
    for rel, content in files.items():
        path = root / rel
        if str(rel) in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            result.written.append(str(rel))
    for rel_s in extra:
        (root / rel_s).unlink()
        result.removed.append(rel_s)
    return result
