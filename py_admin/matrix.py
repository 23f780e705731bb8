"""The privilege matrix: every table in `public` x every actor x select, insert, update, delete.

The tables come from the catalog, so a new table cannot slip through: a table with no
expectation is a problem of its own. Expectations come from two places:
- `policies/registry.toml` (student-data tables): derived from the table's kind, permission and
  writers, the same rules the rendered policies follow;
- `tests/privilege_matrix.toml` (every other table, the registry's exempt list): written out
  per actor and command, reviewed by hand.

One transaction: the world (two organisations, the student, guardians in every state, staff,
an admin, a stranger) and a target row per exempt table; then, per table, a savepoint with the
registry table's row, and each probe in a savepoint of its own, run as the actor the way
PostgREST does (`role` and `request.jwt.claims` set locally) and rolled back. Nothing is kept.

Outcomes of a probe:
  select:                  with a second row (another student's of organisation A for
                           student data; organisation B's for a catalog; `other_row` of an
                           exempt table): `all` (both visible), `own` (the target row only),
                           `other` (the second row only), `none`, `denied` (42501: no grant);
                           without one: `row` (the target row is visible), `none`, `denied`
  insert, update, delete:  `ok` (a row written), `none` (0 rows: hidden by RLS),
                           `rls` (42501: a policy's `with check` refused the row),
                           `denied` (42501: no grant), or another SQLSTATE (e.g. `TU403` from
                           an append-only trigger, `23505`)
"""

from __future__ import annotations

import json
import re
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from py_admin.errors import TutelaError
from py_admin.paths import project_root
from py_admin.policies import Table, load_registry

EXPECTATIONS = Path("tests") / "privilege_matrix.toml"
ACTORS = (
    "anon", "stranger", "student", "guardian", "guardian_noperm", "guardian_pending",
    "guardian_revoked", "staff", "other_staff", "admin", "service_role",
)
SHORT = {
    "anon": "anon", "stranger": "strngr", "student": "stdnt", "guardian": "g+perm",
    "guardian_noperm": "g-perm", "guardian_pending": "g-pend", "guardian_revoked": "g-rev",
    "staff": "staff", "other_staff": "stf-B", "admin": "admin", "service_role": "svc",
}
USERS = tuple(a for a in ACTORS if a not in ("anon", "service_role"))
COMMANDS = ("select", "insert", "update", "delete")
SELECT_OUTCOMES = ("row", "all", "own", "other", "none", "denied")
WRITE_OUTCOMES = ("ok", "none", "rls", "denied")
SQLSTATE_RE = re.compile(r"^[0-9A-Z]{5}$")
VAR_RE = re.compile(r":'([a-z_][a-z0-9_]*)'")

# The world: organisation A (admin, staff, the student), the student's guardians in every state
# (the guardian with the permission has every permission and is primary; the one without has
# none), staff of organisation B, a stranger. psql-style variables (:'name') name its ids.
WORLD = """
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Matrix A', 'matrix-a', 10) returning id as org \\gset
insert into tutela.organizations (name, slug) values ('Matrix B', 'matrix-b')
returning id as other_org \\gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \\gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Other student') returning id as other_student \\gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at, revoked_at,
  permissions
)
values
(:'student', :'u_guardian', 'active', true, 'staff', now(), null,
  (select jsonb_object_agg(k, true) from unnest(tutela_hidden.link_permission_keys()) k)),
(:'student', :'u_guardian_noperm', 'active', false, 'staff', now(), null,
  (select jsonb_object_agg(k, false) from unnest(tutela_hidden.link_permission_keys()) k)),
(:'student', :'u_guardian_pending', 'pending', false, 'code', null, null,
  tutela_hidden.default_link_permissions()),
(:'student', :'u_guardian_revoked', 'revoked', false, 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions());
"""


# ---- expectations ---------------------------------------------------------------------------
@dataclass
class Spec:
    """One table: how to make its target row and what every actor may do with it."""

    name: str
    source: str  # "registry" | "exempt"
    row: str
    key: str
    insert_row: str
    update_set: str
    setup: str = ""
    after_row: str = ""
    expect: dict[str, dict[str, str]] = field(default_factory=dict)  # command -> actor -> out
    other_row: str = ""  # exempt tables: the second row for select (returns its key)
    kind: str = ""  # registry tables: student | catalog


def registry_expectations(t: Table) -> dict[str, dict[str, str]]:
    """What the registry's rules promise for a student-data or catalog table."""
    readers = {a for a in t.readers if a in ACTORS}
    out: dict[str, dict[str, str]] = {c: {} for c in COMMANDS}
    for actor in ACTORS:
        if actor == "anon":
            for c in COMMANDS:
                out[c][actor] = "denied"
            continue
        if actor == "service_role":
            out["select"][actor] = "all"
            out["insert"][actor] = "ok"
            out["update"][actor] = "TU403" if t.immutable else "ok"
            out["delete"][actor] = "ok"
            continue
        # the second row: another student's of organisation A (student data), or organisation
        # B's (catalog), whose only reader among the actors is B's staff
        if t.kind == "student":
            wide = actor in ("staff", "admin")
            out["select"][actor] = ("all" if wide else "own") if actor in readers else "none"
        elif actor == "other_staff":
            out["select"][actor] = "other"
        else:
            out["select"][actor] = "own" if actor in readers else "none"
        for c in ("insert", "update", "delete"):
            if actor in t.writer_actors(c):
                out[c][actor] = "ok"
            elif not t.writers.get(c):
                out[c][actor] = "denied"
            else:
                out[c][actor] = "rls" if c == "insert" else "none"
    return out


def _check_outcome(where: str, command: str, value: str) -> str:
    allowed = SELECT_OUTCOMES if command == "select" else WRITE_OUTCOMES
    if value not in allowed and not SQLSTATE_RE.match(value):
        raise TutelaError(f"{where}: {value!r} is not an outcome of {command}")
    return value


def _expand(where: str, command: str, raw: Any) -> dict[str, str]:
    """`{default = "none", row = ["student", ...]}` -> actor -> outcome, every actor named."""
    if not isinstance(raw, dict):
        raise TutelaError(f"{where}: `{command}` must be a table of outcome = [actors]")
    out: dict[str, str] = {}
    default = raw.get("default")
    for outcome, actors in raw.items():
        if outcome == "default":
            continue
        _check_outcome(where, command, outcome)
        for actor in actors:
            if actor not in ACTORS:
                raise TutelaError(f"{where}: unknown actor {actor!r} in `{command}`")
            if actor in out:
                raise TutelaError(f"{where}: {actor} listed twice in `{command}`")
            out[actor] = outcome
    for actor in ACTORS:
        if actor not in out:
            if default is None:
                raise TutelaError(f"{where}: `{command}` says nothing about {actor}")
            out[actor] = _check_outcome(where, command, str(default))
    return out


def load_specs(root: Path | None = None) -> dict[str, Spec]:
    """Every table with an expectation: the registry's, then the reviewed file's."""
    root = root or project_root()
    registry = load_registry(root)
    path = root / EXPECTATIONS
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise TutelaError(f"{EXPECTATIONS} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise TutelaError(f"{EXPECTATIONS}: {exc}") from None
    specs: dict[str, Spec] = {}
    extra_insert = data.get("registry_insert_row", {})
    for t in registry.tables:
        insert_row = t.insert_row or extra_insert.get(t.name, "")
        if not insert_row:
            raise TutelaError(
                f"{EXPECTATIONS}: registry table {t.name} has no insert_row; "
                "add one under [registry_insert_row]"
            )
        specs[t.name] = Spec(
            t.name, "registry", t.row, t.key, insert_row, t.update_set, t.setup, t.after_row,
            registry_expectations(t), kind=t.kind,
        )
    for name, raw in data.get("table", {}).items():
        where = f"{EXPECTATIONS} [table.{name}]"
        if name in specs:
            raise TutelaError(f"{where}: {name} is in policies/registry.toml already")
        for required in ("row", "insert_row", "update_set", *COMMANDS):
            if required not in raw:
                raise TutelaError(f"{where}: `{required}` is required")
        specs[name] = Spec(
            name, "exempt", raw["row"].strip(), raw.get("key", "id"), raw["insert_row"].strip(),
            raw["update_set"].strip(), raw.get("setup", "").strip(),
            raw.get("after_row", "").strip(),
            {c: _expand(where, c, raw[c]) for c in COMMANDS},
            other_row=raw.get("other_row", "").strip(),
        )
        outcomes = set(specs[name].expect["select"].values())
        two = {"all", "own", "other"}
        if specs[name].other_row and outcomes & {"row"}:
            raise TutelaError(f"{where}: with `other_row`, select says all, own, other or none")
        if not specs[name].other_row and outcomes & two:
            raise TutelaError(f"{where}: all, own and other need an `other_row`")
    return specs


# ---- running SQL with psql-style variables ---------------------------------------------------
Conn = psycopg.Connection[Any]


def substitute(sql_text: str, variables: dict[str, str]) -> str:
    """Replace :'name' by a quoted literal of the world's value (ids the world made)."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in variables:
            raise TutelaError(f"the matrix world has no variable {name!r}")
        return "'" + variables[name].replace("'", "''") + "'"

    return VAR_RE.sub(repl, sql_text)


def _statements(script: str) -> Iterable[tuple[str, bool]]:
    """(statement, gset) pairs: a statement ends with `;` or with `\\gset` at a line end."""
    buf: list[str] = []
    for line in script.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("\\gset"):
            buf.append(stripped[: -len("\\gset")])
            yield "\n".join(buf), True
            buf = []
        elif stripped.endswith(";"):
            buf.append(stripped[:-1])
            yield "\n".join(buf), False
            buf = []
        else:
            buf.append(line)
    rest = "\n".join(buf).strip()
    if rest:
        yield rest, False


def run_script(conn: Conn, script: str, variables: dict[str, str]) -> None:
    for statement, gset in _statements(script):
        if not statement.strip():
            continue
        cur = conn.execute(substitute(statement, variables).encode())
        if gset:
            row = cur.fetchone()
            if row is None or cur.description is None:
                raise TutelaError(f"\\gset returned no row: {statement.strip()[:80]}")
            for col, value in zip(cur.description, row, strict=True):
                variables[col.name] = str(value)


def build_world(conn: Conn, extra: str = "") -> dict[str, str]:
    """The world's users and rows (in the caller's transaction); returns its variables."""
    variables: dict[str, str] = {}
    for actor in USERS:
        email = f"{actor}@matrix.test"
        uid = conn.execute(
            "insert into auth.users (id, aud, role, email, raw_app_meta_data, created_at, "
            "updated_at) values (gen_random_uuid(), 'authenticated', 'authenticated', %s, "
            "'{}'::jsonb, now(), now()) returning id",
            (email,),
        ).fetchone()
        assert uid is not None
        variables[f"u_{actor}"] = str(uid[0])
    run_script(conn, WORLD, variables)
    variables["target"] = variables["student"]
    variables["target_org"] = variables["org"]
    if extra:
        run_script(conn, extra, variables)
    return variables


def act_as(conn: Conn, actor: str, variables: dict[str, str]) -> None:
    """Set role and claims for the rest of the (sub)transaction, as PostgREST does."""
    if actor in ("anon", "service_role"):
        claims: dict[str, Any] = {"role": actor}
        role = actor
    else:
        now = int(time.time())
        claims = {
            "sub": variables[f"u_{actor}"], "role": "authenticated", "aud": "authenticated",
            "email": f"{actor}@matrix.test", "aal": "aal1", "iat": now, "exp": now + 3600,
        }
        role = "authenticated"
    conn.execute(
        "select set_config('request.jwt.claims', %s, true), set_config('role', %s, true)",
        (json.dumps(claims), role),
    )


def classify(exc: psycopg.Error) -> str:
    state = exc.sqlstate or "?????"
    if state == "42501":
        msg = (exc.diag.message_primary or "").lower()
        return "rls" if "row-level security" in msg else "denied"
    return state


def probe(conn: Conn, spec: Spec, command: str, actor: str, variables: dict[str, str]) -> str:
    key = variables["row_key"]
    other = variables.get("other_key")
    table = f"tutela.{spec.name}"
    if command == "select":
        sql_text = (f"select count(*) filter (where {spec.key} = %s), "
                    f"count(*) filter (where {spec.key} = %s) from {table} "
                    f"where {spec.key} in (%s, %s)")
    elif command == "insert":
        sql_text = substitute(spec.insert_row, variables)
    elif command == "update":
        sql_text = f"update {table} set {substitute(spec.update_set, variables)} " \
                   f"where {spec.key} = %s"
    else:
        sql_text = f"delete from {table} where {spec.key} = %s"
    params: tuple[str, ...] = () if command == "insert" else (key,)
    if command == "select":
        params = (key, other or key, key, other or key)
    conn.execute("savepoint probe")
    try:
        act_as(conn, actor, variables)
        cur = conn.execute(sql_text.encode() if not params else sql_text, params or None)
        if command == "select":
            row = cur.fetchone()
            mine, theirs = (int(row[0]), int(row[1])) if row else (0, 0)
            if other is None:
                result = "row" if mine else "none"
            else:
                result = {(True, True): "all", (True, False): "own", (False, True): "other",
                          (False, False): "none"}[(mine > 0, theirs > 0)]
        else:
            result = "ok" if cur.rowcount and cur.rowcount > 0 else "none"
    except psycopg.Error as exc:
        result = classify(exc)
    finally:
        conn.execute("rollback to savepoint probe")
    return result


@dataclass
class Cell:
    table: str
    command: str
    actor: str
    expected: str | None  # None: the table has no expectation
    observed: str

    @property
    def ok(self) -> bool:
        return self.expected == self.observed


@dataclass
class MatrixResult:
    tables: list[str]
    cells: list[Cell]
    unexpected_tables: list[str]  # in public, no expectation
    missing_tables: list[str]  # expectation, no such table
    source: dict[str, str]

    @property
    def mismatches(self) -> list[Cell]:
        return [c for c in self.cells if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.unexpected_tables and not self.missing_tables


def public_tables(conn: Conn) -> list[str]:
    rows = conn.execute(
        """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'tutela' and c.relkind in ('r', 'p')
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                          and d.objid = c.oid and d.deptype = 'e')
        order by 1
        """
    ).fetchall()
    return [str(r[0]) for r in rows]


def make_exempt_rows(conn: Conn, specs: dict[str, Spec], tables: list[str],
                     variables: dict[str, str]) -> dict[str, str]:
    """Every exempt table's target row, in file order (rows may refer to earlier ones):
    table -> key; each key is also the variable `<table>_key`."""
    rows: dict[str, str] = {}
    for name, ex in specs.items():
        if ex.source != "exempt" or name not in tables:
            continue
        run_script(conn, ex.setup, variables)
        run_script(conn, ex.row.rstrip().rstrip(";") + " \\gset", variables)
        rows[name] = variables.pop(ex.key if ex.key in variables else "id")
        variables[f"{name}_key"] = rows[name]
        run_script(conn, ex.after_row, variables)
    return rows


def _registry_row(conn: Conn, spec: Spec, variables: dict[str, str], *,
                  setup: bool = True) -> str:
    """A registry table's row for the world's `target` / `target_org`; returns its key."""
    if setup:
        run_script(conn, spec.setup, variables)
    cur = conn.execute(substitute(spec.row, variables).encode())
    row = cur.fetchone()
    assert row is not None
    variables["row_id"] = str(row[0])
    run_script(conn, spec.after_row, variables)
    return variables["row_id"]


def run_matrix(url: str, root: Path | None = None) -> MatrixResult:
    """Probe every cell against a migrated database at `url`; changes nothing there."""
    specs = load_specs(root)
    from py_admin.db import connect

    cells: list[Cell] = []
    with connect(url) as conn:
        tables = public_tables(conn)
        variables = build_world(conn)
        exempt_rows = make_exempt_rows(conn, specs, tables, variables)
        for name in tables:
            spec = specs.get(name)
            if spec is None:
                for command in COMMANDS:
                    for actor in ACTORS:
                        cells.append(Cell(name, command, actor, None, "?"))
                continue
            conn.execute("savepoint table_row")
            local = dict(variables)
            if spec.source == "registry":
                local["row_key"] = _registry_row(conn, spec, local)
                # the second row, made the same way for another owner: another student of
                # organisation A (the set-up's parents are shared), or organisation B (its own)
                if spec.kind == "student":
                    second = dict(local, target=variables["other_student"])
                    conn.execute("savepoint second_setup")
                    try:  # set-up per student (a flashcard to review) ...
                        run_script(conn, spec.setup, second)
                    except psycopg.Error:  # ... or shared parents (a skill: unique per org)
                        conn.execute("rollback to savepoint second_setup")
                        second = dict(local, target=variables["other_student"])
                    local["other_key"] = _registry_row(conn, spec, second, setup=False)
                else:
                    second = dict(variables, target_org=variables["other_org"])
                    local["other_key"] = _registry_row(conn, spec, second)
            else:
                local["row_key"] = exempt_rows[name]
                if spec.other_row:
                    cur = conn.execute(substitute(spec.other_row, local).encode())
                    found = cur.fetchone()
                    assert found is not None, f"{name}: other_row returned nothing"
                    local["other_key"] = str(found[0])
            for command in COMMANDS:
                for actor in ACTORS:
                    observed = probe(conn, spec, command, actor, local)
                    cells.append(Cell(name, command, actor, spec.expect[command][actor],
                                      observed))
            conn.execute("rollback to savepoint table_row")
        conn.rollback()
    present = set(tables)
    return MatrixResult(
        tables=tables,
        cells=cells,
        unexpected_tables=[t for t in tables if t not in specs],
        missing_tables=sorted(set(specs) - present),
        source={n: s.source for n, s in specs.items()},
    )


# ---- printing -------------------------------------------------------------------------------
SYMBOL = {
    "row": "R", "all": "A", "own": "R", "other": "o", "none": ".", "denied": "-", "ok": "W",
    "rls": "r",
}


def symbol(outcome: str) -> str:
    """One character per outcome; `!` for any SQLSTATE (a trigger's refusal, a violation)."""
    return SYMBOL.get(outcome, "!")


def cell_text(result: MatrixResult, table: str, actor: str) -> tuple[str, bool]:
    """The 4-character cell (select insert update delete) and whether it matched."""
    by = {c.command: c for c in result.cells if c.table == table and c.actor == actor}
    text = "".join(symbol(by[c].observed) if c in by else "?" for c in COMMANDS)
    return text, all(by[c].ok for c in COMMANDS if c in by)


LEGEND = (
    "Each cell: select insert update delete. R the row is visible (the target row only, where "
    "the table has a second row: another student's, or organisation B's catalog), A both rows, "
    "o only the second row, W written, . hidden or "
    "0 rows (RLS), r refused by a policy's check, - no grant (42501), ! another SQLSTATE "
    "(e.g. TU403 of an append-only trigger, 23505), ? no expectation for the table. "
    "Actors: g+perm an active guardian with every permission, g-perm an active guardian "
    "without any, g-pend pending, g-rev revoked, stf-B staff of another organisation."
)


def to_json(result: MatrixResult) -> dict[str, Any]:
    return {
        "actors": list(ACTORS),
        "commands": list(COMMANDS),
        "tables": {
            t: {
                "source": result.source.get(t),
                "cells": {
                    a: {c.command: {"observed": c.observed, "expected": c.expected}
                        for c in result.cells if c.table == t and c.actor == a}
                    for a in ACTORS
                },
            }
            for t in result.tables
        },
        "mismatches": [
            {"table": c.table, "command": c.command, "actor": c.actor,
             "expected": c.expected, "observed": c.observed}
            for c in result.mismatches
        ],
        "unexpected_tables": result.unexpected_tables,
        "missing_tables": result.missing_tables,
    }


def format_text(result: MatrixResult) -> str:
    """The matrix as plain text: a row per table, a column per actor (for test reports)."""
    width = max(len(t) for t in result.tables) + 2
    head = "table".ljust(width) + " ".join(SHORT[a].ljust(6) for a in ACTORS)
    lines = [head, "-" * len(head)]
    for t in result.tables:
        parts = []
        for a in ACTORS:
            text, ok = cell_text(result, t, a)
            parts.append((text if ok else text + "*").ljust(6))
        src = {"registry": "", "exempt": ""}.get(result.source.get(t, ""), "  (no expectation)")
        lines.append(t.ljust(width) + " ".join(parts) + src)
    lines.append("")
    lines.append(LEGEND + " * marks a cell that differs from its expectation.")
    return "\n".join(lines)


def matrix_report(url: str, console: Any, *, as_json: bool = False) -> int:
    """`tutela lint --matrix`: migrate a scratch database, probe, print; returns problems."""
    from rich.table import Table as RichTable

    from py_admin.db import scratch_database
    from py_admin.migrate import migrate

    with scratch_database(url, prefix="tutela_matrix") as scratch:
        migrate(scratch)
        result = run_matrix(scratch)
    problems = len(result.mismatches) + len(result.unexpected_tables) + len(
        result.missing_tables)
    if as_json:
        console.print_json(json.dumps(to_json(result)))
        return problems
    table = RichTable(title="Privilege matrix (select insert update delete)", show_lines=False)
    table.add_column("table")
    for actor in ACTORS:
        table.add_column(SHORT[actor], justify="center")
    for name in result.tables:
        cells = []
        for actor in ACTORS:
            text, ok = cell_text(result, name, actor)
            cells.append(text if ok else f"[bold red]{text}*[/]")
        label = name if name in result.source else f"[bold red]{name} (no expectation)[/]"
        table.add_row(label, *cells)
    console.print(table)
    console.print(LEGEND + " * marks a cell that differs from its expectation.",
                  highlight=False, markup=False)
    for c in result.mismatches:
        if c.expected is not None:
            console.print(f"{c.table}: {c.command} as {c.actor}: expected {c.expected}, "
                          f"observed {c.observed}", highlight=False, markup=False)
    for name in result.unexpected_tables:
        console.print(f"tutela.{name}: no expectation (policies/registry.toml or "
                      f"{EXPECTATIONS})", highlight=False, markup=False)
    for name in result.missing_tables:
        console.print(f"{name}: an expectation but no such table", highlight=False,
                      markup=False)
    console.print(f"{len(result.tables)} tables x {len(ACTORS)} actors x {len(COMMANDS)} "
                  f"commands: {len(result.cells)} probes, {problems} problem(s)",
                  highlight=False, markup=False)
    return problems
