"""`tutela lint`: sqlfluff, catalog checks on a freshly migrated database, ruff and mypy.

Catalog checks (each violation names the offending object):
- rls: every table outside the system schemas has row level security enabled;
- definer-search-path: every SECURITY DEFINER function sets ``search_path`` to empty;
- search-path: every other function sets ``search_path`` too (splinter's
  function_search_path_mutable);
- public-execute: no function is executable by PUBLIC or ``anon`` unless it is listed, with a
  reason, in ``policies/anon_allowlist.txt``;
- policy-initplan: no policy calls ``auth.uid()``, ``auth.jwt()``, ``auth.role()``,
  ``auth.email()`` or ``current_setting()`` outside a ``(select ...)``;
- fk-index: every foreign key's columns are the leading columns of an index;
- registry: every table in `public` is in policies/registry.toml or exempted there with a
  reason, and every registered table exists;
- ownership (catalog layer): nothing new outside Tutela's schemas after the migration (see the
  ownership section below and docs/architecture.md, "The ownership lint");
- privileges: what PUBLIC, anon, authenticated and service_role hold on every table, view,
  sequence, column, function and schema of Tutela's schemas is exactly what Tutela's SQL grants,
  replayed statement by statement without default privileges; and the same replay under
  default privileges that grant everything ends the same (py_admin/privileges.py).
The ownership lint's statement layer parses Tutela's SQL itself, before any database is used.
Schemas left out: PostgreSQL's own, and those Supabase (or the test runner) owns:
``auth``, ``extensions``, ``storage``, ``realtime``, ``graphql``, ``graphql_public``,
``vault``, ``supabase_functions``, ``pgbouncer``, ``net``, ``cron``, ``tests``. Objects that
belong to an extension are left out too.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from pglast import ast, enums, parse_sql
from pglast.parser import ParseError
from pglast.visitors import Visitor

from py_admin.errors import TutelaError
from py_admin.paths import SQL_DIR, project_root

EXCLUDED_SCHEMAS = (
    "pg_catalog", "information_schema", "pg_toast", "auth", "extensions", "storage", "realtime",
    "graphql", "graphql_public", "vault", "supabase_functions", "pgbouncer", "net", "cron",
    "tests", "tutela_tests", "pgsodium", "pgsodium_masks", "supabase_migrations",
)
ALLOWLIST = Path("policies") / "anon_allowlist.txt"
SQL_FOLDERS = ("migrations", "rpc", "policies", "seeds", "tests", "py_admin/sql")

_SCHEMA_FILTER = """
  n.nspname <> all(%(excluded)s)
  and n.nspname not like 'pg\\_temp\\_%%' and n.nspname not like 'pg\\_toast\\_temp\\_%%'
"""


@dataclass(frozen=True)
class Violation:
    check: str
    obj: str
    detail: str
    remediation: str = ""

    def __str__(self) -> str:
        fix = f" (fix: {self.remediation})" if self.remediation else ""
        return f"[{self.check}] {self.obj}: {self.detail}{fix}"


Conn = psycopg.Connection[tuple[object, ...]]


def _not_extension_member(classid: str, alias: str) -> str:
    return (
        f"not exists (select 1 from pg_depend d where d.classid = '{classid}'::regclass "
        f"and d.objid = {alias}.oid and d.deptype = 'e')"
    )


def check_rls(conn: Conn) -> list[Violation]:
    rows = conn.execute(
        f"""
        select format('%%I.%%I', n.nspname, c.relname)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and not c.relrowsecurity and {_SCHEMA_FILTER}
          and {_not_extension_member('pg_class', 'c')}
        order by 1
        """,
        {"excluded": list(EXCLUDED_SCHEMAS)},
    ).fetchall()
    return [Violation("rls", str(r[0]), "row level security is not enabled") for r in rows]


def check_definer_search_path(conn: Conn) -> list[Violation]:
    rows = conn.execute(
        f"""
        select format('%%I.%%I(%%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes)),
               coalesce(array_to_string(p.proconfig, ', '), '')
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and {_SCHEMA_FILTER} and {_not_extension_member('pg_proc', 'p')}
          and not coalesce('search_path=""' = any(p.proconfig), false)
        order by 1
        """,
        {"excluded": list(EXCLUDED_SCHEMAS)},
    ).fetchall()
    return [
        Violation(
            "definer-search-path", str(r[0]),
            "security definer without `set search_path = ''`"
            + (f" (has: {r[1]})" if r[1] else ""),
        )
        for r in rows
    ]


def check_search_path(conn: Conn) -> list[Violation]:
    """Every function sets its search_path, definer or not (splinter's
    function_search_path_mutable): a caller's search_path never changes what a body resolves."""
    rows = conn.execute(
        f"""
        select format('%%I.%%I(%%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes))
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where not p.prosecdef and {_SCHEMA_FILTER} and {_not_extension_member('pg_proc', 'p')}
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{{}}')) c
                          where c like 'search_path=%%')
        order by 1
        """,
        {"excluded": list(EXCLUDED_SCHEMAS)},
    ).fetchall()
    return [
        Violation("search-path", str(r[0]), "function without `set search_path` (mutable)")
        for r in rows
    ]


def read_allowlist(root: Path) -> dict[str, str]:
    """signature -> reason, from lines `schema.fn(argtypes): reason`."""
    path = root / ALLOWLIST
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for n, line in enumerate(path.read_text().splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        sig, sep, reason = text.partition(":")
        if not sep or not reason.strip():
            raise TutelaError(f"{ALLOWLIST}:{n}: each entry is `schema.function(args): reason`")
        out[sig.strip().replace(" ", "")] = reason.strip()
    return out


def check_public_execute(conn: Conn, allowlist: dict[str, str]) -> list[Violation]:
    rows = conn.execute(
        f"""
        select format('%%I.%%I(%%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes)),
               has_function_privilege('anon', p.oid, 'execute') as anon_exec,
               coalesce(p.proacl is null or exists (
                 select 1 from aclexplode(p.proacl) a
                 where a.grantee = 0 and a.privilege_type = 'EXECUTE'), true) as public_exec
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where {_SCHEMA_FILTER} and {_not_extension_member('pg_proc', 'p')}
        order by 1
        """,
        {"excluded": list(EXCLUDED_SCHEMAS)},
    ).fetchall()
    out: list[Violation] = []
    for sig, anon_exec, public_exec in rows:
        who = [w for w, flag in (("PUBLIC", public_exec), ("anon", anon_exec)) if flag]
        if who and str(sig).replace(" ", "") not in allowlist:
            out.append(Violation(
                "public-execute", str(sig),
                f"executable by {' and '.join(who)}; revoke it or list it in {ALLOWLIST} with "
                "a reason",
            ))
    return out


IDENTITY_CALL_RE = re.compile(
    r"\b(auth\s*\.\s*(?:uid|jwt|role|email)\s*\(|current_setting\s*\()", re.IGNORECASE
)


def _mask_literals(expr: str) -> str:
    """The expression with the insides of '...' literals blanked (same length)."""
    return re.sub(r"'(?:[^']|'')*'", lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", expr)


def calls_outside_select(expr: str) -> list[str]:
    """Identity calls in a deparsed policy expression that no `( SELECT ...` encloses."""
    bad: list[str] = []
    expr = _mask_literals(expr)
    for m in IDENTITY_CALL_RE.finditer(expr):
        depth_has_select: list[bool] = []
        i = 0
        pos = m.start()
        while i < pos:
            ch = expr[i]
            if ch == "(":
                after = expr[i + 1: i + 12].lstrip().lower()
                depth_has_select.append(after.startswith("select"))
            elif ch == ")" and depth_has_select:
                depth_has_select.pop()
            i += 1
        if not any(depth_has_select):
            bad.append(m.group(1).replace(" ", "").rstrip("("))
    return bad


def check_policy_initplan(conn: Conn) -> list[Violation]:
    rows = conn.execute(
        f"""
        select format('%%s on %%I.%%I', pol.polname, n.nspname, c.relname),
               coalesce(pg_get_expr(pol.polqual, pol.polrelid), ''),
               coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
        from pg_policy pol
        join pg_class c on c.oid = pol.polrelid
        join pg_namespace n on n.oid = c.relnamespace
        where {_SCHEMA_FILTER}
        order by 1
        """,
        {"excluded": list(EXCLUDED_SCHEMAS)},
    ).fetchall()
    out: list[Violation] = []
    for name, qual, check in rows:
        bad = calls_outside_select(str(qual)) + calls_outside_select(str(check))
        if bad:
            out.append(Violation(
                "policy-initplan", str(name),
                f"calls {', '.join(sorted(set(bad)))}() per row; wrap it: (select auth.uid())",
            ))
    return out


def check_fk_index(conn: Conn) -> list[Violation]:
    rows = conn.execute(
        f"""
        select format('%%s on %%I.%%I', con.conname, n.nspname, c.relname),
               (select string_agg(a.attname, ', ' order by k.ord)
                  from unnest(con.conkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum)
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid
        join pg_namespace n on n.oid = c.relnamespace
        where con.contype = 'f' and {_SCHEMA_FILTER}
          and not exists (
            select 1 from pg_index i
            where i.indrelid = con.conrelid
              and (select array_agg(x order by x) from unnest(con.conkey) x)
                = (select array_agg(x order by x)
                     from unnest((i.indkey::int2[])[0:cardinality(con.conkey) - 1]) x)
          )
        order by 1
        """,
        {"excluded": list(EXCLUDED_SCHEMAS)},
    ).fetchall()
    return [
        Violation("fk-index", str(r[0]), f"no index leads with the foreign key column(s) ({r[1]})")
        for r in rows
    ]


def check_registry(conn: Conn, root: Path) -> list[Violation]:
    """Every table in `public` is in policies/registry.toml or exempted there, and every
    registered table exists."""
    from py_admin.policies import load_registry

    if not (root / "policies" / "registry.toml").exists():
        return []
    registry = load_registry(root)
    known = registry.names() | set(registry.exempt)
    rows = conn.execute(
        """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'tutela' and c.relkind in ('r', 'p')
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                          and d.objid = c.oid and d.deptype = 'e')
        order by 1
        """
    ).fetchall()
    present = {str(r[0]) for r in rows}
    out = [
        Violation("registry", f"tutela.{name}",
                  "not in policies/registry.toml and not exempted there with a reason")
        for name in sorted(present - known)
    ]
    out += [
        Violation("registry", f"tutela.{name}", "in policies/registry.toml but no such table")
        for name in sorted(known - present)
    ]
    return out


def check_privileges(conn: Conn, root: Path) -> list[Violation]:
    """The API roles' privileges in the catalog are those Tutela's SQL declares (see
    py_admin/privileges.py): an extra one (default privileges, a grant by hand) or a missing one
    fails, naming the object, the grantee and the privilege."""
    from py_admin import privileges

    table_privs = privileges.table_privileges(conn)
    model = privileges.declared(root, table_privs=table_privs)
    objects, entries = privileges.catalog(conn)
    out = [Violation("privileges", p.where, p.detail, "remove it; grant explicitly")
           for p in model.problems]
    out += [Violation("privileges", obj, detail, fix)
            for obj, detail, fix in privileges.default_dependent(root, table_privs=table_privs)]
    out += [Violation("privileges", obj, detail, fix)
            for obj, detail, fix in privileges.compare(model, objects, entries)]
    return out


def catalog_checks(
    conn: Conn, root: Path | None = None, before: Snapshot | None = None
) -> list[Violation]:
    """Every catalog check; the ownership check needs `before`, the snapshot taken before the
    migration (bootstrap_and_snapshot), and is skipped without it."""
    root = root or project_root()
    allowlist = read_allowlist(root)
    return [
        *(check_ownership_catalog(conn, before) if before is not None else []),
        *check_registry(conn, root),
        *check_privileges(conn, root),
        *check_rls(conn),
        *check_definer_search_path(conn),
        *check_search_path(conn),
        *check_public_execute(conn, allowlist),
        *check_policy_initplan(conn),
        *check_fk_index(conn),
    ]


# ---- ownership: Tutela owns its schemas and touches nothing else ----------------------------
# Two layers. The statement layer parses every statement of Tutela's SQL with pglast
# (PostgreSQL's own parser) and flags each one that acts on something outside Tutela's schemas.
# The catalog layer (py_admin/sql/lint_ownership.sql) lists, on the scratch database, what lies
# outside them; run once after the Supabase compat bootstrap and once after the migration, the
# difference is what Tutela's migration put there.
TUTELA_SCHEMAS = frozenset({"tutela", "tutela_hidden", "tutela_private"})
OWN_PREFIX = "tutela_"
# migrations/0001-0015 are the landed 0.1 history, built in public/private on purpose; 0016 moves
# such a database, so its statements name 0.1's objects (public.x, private.y) on purpose too. A
# fresh install runs migrations/baseline/ instead. Versioned files after this number are linted.
OWNERSHIP_LEGACY_LAST = 16
OWNERSHIP_SQL = "lint_ownership.sql"
_FIX_SCHEMA = "put it in tutela, tutela_hidden or tutela_private (schema-qualified)"
_FIX_PREFIX = "outside Tutela's schemas only prefixed names (tutela_...) are Tutela's"

_OT = enums.ObjectType
# objects that live in a schema: the first part of a qualified name is the schema
_IN_SCHEMA = {
    _OT.OBJECT_TABLE, _OT.OBJECT_VIEW, _OT.OBJECT_MATVIEW, _OT.OBJECT_INDEX, _OT.OBJECT_SEQUENCE,
    _OT.OBJECT_FOREIGN_TABLE, _OT.OBJECT_TYPE, _OT.OBJECT_DOMAIN, _OT.OBJECT_FUNCTION,
    _OT.OBJECT_PROCEDURE, _OT.OBJECT_ROUTINE, _OT.OBJECT_AGGREGATE, _OT.OBJECT_OPERATOR,
    _OT.OBJECT_COLLATION, _OT.OBJECT_CONVERSION, _OT.OBJECT_STATISTIC_EXT,
    _OT.OBJECT_TSCONFIGURATION, _OT.OBJECT_TSDICTIONARY, _OT.OBJECT_TSPARSER,
    _OT.OBJECT_TSTEMPLATE, _OT.OBJECT_OPCLASS, _OT.OBJECT_OPFAMILY,
}
# objects that hang on a table (or a domain): [schema,] table, name
_ON_TABLE = {
    _OT.OBJECT_TRIGGER, _OT.OBJECT_POLICY, _OT.OBJECT_RULE, _OT.OBJECT_TABCONSTRAINT,
    _OT.OBJECT_COLUMN, _OT.OBJECT_DOMCONSTRAINT,
}
# database- or cluster-wide objects that may carry Tutela's prefix
_PREFIXABLE = {_OT.OBJECT_ROLE, _OT.OBJECT_PUBLICATION}
# statements that neither create, change nor drop an object
_NEUTRAL = {
    "VariableSetStmt", "VariableShowStmt", "TransactionStmt", "LockStmt", "ExplainStmt",
    "NotifyStmt", "ListenStmt", "UnlistenStmt", "DiscardStmt", "DeclareCursorStmt",
    "FetchStmt", "ClosePortalStmt", "PrepareStmt", "ExecuteStmt", "DeallocateStmt",
    "ConstraintsSetStmt", "SelectStmt", "CallStmt",
}


_NO_WIDE = "scope it to Tutela's schemas or its functions (`set` clauses), or leave it to the app"
# statements that act database-, role- or server-wide: never Tutela's
_WIDE = {
    "CreateExtensionStmt": ("create extension", "extensions are database-wide",
                            "leave extensions to the app or Supabase; name it as a requirement"),
    "AlterExtensionStmt": ("alter extension", "extensions are database-wide",
                           "leave extensions to the app or Supabase"),
    "AlterExtensionContentsStmt": ("alter extension", "extensions are database-wide",
                                   "leave extensions to the app or Supabase"),
    "AlterDatabaseSetStmt": ("alter database set", "a database-wide setting", _NO_WIDE),
    "AlterDatabaseStmt": ("alter database", "changes the database", _NO_WIDE),
    "AlterRoleSetStmt": ("alter role set", "a role-wide setting", _NO_WIDE),
    "AlterSystemStmt": ("alter system", "a server-wide setting", _NO_WIDE),
    "CreateEventTrigStmt": ("create event trigger", "event triggers are database-wide",
                            "Tutela makes no event triggers"),
    "AlterEventTrigStmt": ("alter event trigger", "event triggers are database-wide",
                           "Tutela makes no event triggers"),
}


def _wide_object(stmt: Any) -> str:
    for attr in ("extname", "dbname", "trigname", "database"):
        value = stmt_attr(stmt, attr)
        if isinstance(value, str) and value:
            return value
    role = stmt_attr(stmt, "role")
    setstmt = stmt_attr(stmt, "setstmt")
    parts = [f"role {role.rolename}" if role is not None and role.rolename else "",
             str(setstmt.name) if setstmt is not None and setstmt.name else ""]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class _Flag:
    kind: str  # the statement: "create table", "grant", ...
    obj: str  # what it acts on
    problem: str
    fix: str


def ownership_files(root: Path) -> list[Path]:
    """Tutela's SQL that the statement layer reads (see OWNERSHIP_LEGACY_LAST)."""
    files = sorted((root / "migrations" / "baseline").glob("*.sql"))
    for path in sorted((root / "migrations").glob("*.sql")):
        m = re.match(r"^(\d{4})_", path.name)
        if m and int(m.group(1)) > OWNERSHIP_LEGACY_LAST:
            files.append(path)
    for folder in ("rpc", "policies"):
        files.extend(sorted((root / folder).glob("*.sql")))
    return files


def _svals(items: Any) -> list[str]:
    return [str(x.sval) for x in items or () if isinstance(x, ast.String)]


def _parts(obj: Any) -> list[str]:
    """The name of an object node as its parts: ["schema", "name"], ["name"], ..."""
    if isinstance(obj, ast.ObjectWithArgs):
        return _svals(obj.objname)
    if isinstance(obj, ast.TypeName):
        return _svals(obj.names)
    if isinstance(obj, ast.RangeVar):
        return [p for p in (obj.schemaname, obj.relname) if p]
    if isinstance(obj, ast.String):
        return [str(obj.sval)]
    if isinstance(obj, (tuple, list)):  # [schema,] table, name; or (domain, constraint)
        return [p for item in obj for p in _parts(item)]
    return []


def _kind_name(objtype: Any) -> str:
    return str(getattr(objtype, "name", objtype)).removeprefix("OBJECT_").lower().replace("_", " ")


def _fix_for(kind: str) -> str:
    if kind.startswith("create trigger") or kind.startswith("drop trigger"):
        return ("a trigger on another schema's table carries the prefix: name it tutela_...; "
                "Tutela drops only what it made")
    if kind.startswith("create"):
        return "create it in " + _FIX_SCHEMA.removeprefix("put it in ")
    return ("leave objects outside Tutela's schemas to their owners: Tutela changes only "
            "what it made")


def _judge_schema(kind: str, schema: str | None, shown: str, temp: bool = False) -> list[_Flag]:
    """A statement acting on an object of `schema` (None: the name is unqualified)."""
    if temp and schema in (None, "pg_temp"):
        return []
    if schema is None:
        return [_Flag(kind, shown, "unqualified name (Tutela's SQL qualifies every name)",
                      "qualify it with one of Tutela's schemas (tutela, tutela_hidden, "
                      "tutela_private)")]
    if schema not in TUTELA_SCHEMAS:
        return [_Flag(kind, shown, f"acts on schema {schema}, which is not Tutela's",
                      _fix_for(kind))]
    return []


def _judge_object(kind: str, objtype: Any, obj: Any) -> list[_Flag]:
    parts = _parts(obj)
    shown = ".".join(parts) or "?"
    if objtype in _ON_TABLE:
        table = parts[:-1]
        schema = table[0] if len(table) >= 2 else None
        shown = f"{parts[-1]} on {'.'.join(table)}" if table else shown
        if (objtype == _OT.OBJECT_TRIGGER and schema is not None
                and parts[-1].startswith(OWN_PREFIX)):
            return []  # a prefixed trigger on another schema's table, e.g. auth.users
        return _judge_schema(kind, schema, shown)
    if objtype == _OT.OBJECT_SCHEMA:
        if parts and parts[0] in TUTELA_SCHEMAS:
            return []
        return [_Flag(kind, shown, "not one of Tutela's schemas",
                      "leave other schemas to their owners; Tutela's are tutela, "
                      "tutela_hidden and tutela_private")]
    if objtype in _IN_SCHEMA:
        return _judge_schema(kind, parts[0] if len(parts) >= 2 else None, shown)
    if objtype in _PREFIXABLE and parts and parts[-1].startswith(OWN_PREFIX):
        return []
    return [_Flag(kind, f"{_kind_name(objtype)} {shown}",
                  "a database- or cluster-wide object that is not Tutela's",
                  "leave it to the app or Supabase" + (
                      f"; {_FIX_PREFIX}" if objtype in _PREFIXABLE else ""))]


_CRON_NAMED = {"schedule", "schedule_in_database", "unschedule", "alter_job"}


class _CronCalls(Visitor):
    """cron.schedule(...) and friends whose job is not visibly Tutela's."""

    def __init__(self) -> None:
        super().__init__()
        self.flags: list[_Flag] = []

    def visit_FuncCall(self, ancestors: Any, node: Any) -> None:
        name = _svals(node.funcname)
        if len(name) != 2 or name[0] != "cron" or name[1] not in _CRON_NAMED:
            return
        args = list(node.args or ())
        job: Any = None
        for a in args:
            if isinstance(a, ast.NamedArgExpr) and a.name in ("job_name", "job_id"):
                job = a.arg
        if job is None and args and not isinstance(args[0], ast.NamedArgExpr):
            unnamed_schedule = name[1] == "schedule" and len(args) == 2
            job = None if unnamed_schedule else args[0]
        literal = (
            str(job.val.sval)
            if isinstance(job, ast.A_Const) and isinstance(job.val, ast.String) else None
        )
        if literal is not None and literal.startswith(OWN_PREFIX):
            return
        self.flags.append(_Flag(
            f"cron.{name[1]}", repr(literal) if literal is not None else "(job not named by a "
            "literal)", "a pg_cron job whose name is not visibly Tutela's",
            f"name the job with a literal starting with {OWN_PREFIX!r}",
        ))


_IDENT = r'(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*|%[ILs])'
_BODY_DDL = re.compile(
    r"\b(?:create|alter|drop|comment\s+on|grant|revoke|truncate)\b", re.IGNORECASE
)
_BODY_END = re.compile(r";|'|\bas\b", re.IGNORECASE)
_BODY_OBJECT = re.compile(
    r"\b(?:table|view|index|function|procedure|trigger|policy|type|domain|sequence|rule"
    r"|aggregate|on(?:\s+(?:table|function|procedure|sequence|type|domain|view|routine))?)"
    rf"\s+(?:if\s+(?:not\s+)?exists\s+)?(?:only\s+)?(?:concurrently\s+)?"
    rf"(?P<schema>{_IDENT})\s*\.\s*{_IDENT}",
    re.IGNORECASE,
)
_BODY_SCHEMA = re.compile(
    rf"\bschema\s+(?:if\s+(?:not\s+)?exists\s+)?(?P<schema>{_IDENT})", re.IGNORECASE
)
_BODY_PREFIXED_TRIGGER = re.compile(
    r"^create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger\s+\"?tutela_", re.IGNORECASE
)
_BODY_ALWAYS = re.compile(
    r"\b(?:alter\s+(?:database|system)\b|alter\s+(?:role|user)\b[^;']*\bset\b"
    r"|create\s+(?:extension|event\s+trigger)\b"
    r"|alter\s+default\s+privileges\b(?![^;']*\bin\s+schema\b))",
    re.IGNORECASE,
)
_BODY_CRON = re.compile(
    r"\bcron\s*\.\s*(?:schedule|unschedule|schedule_in_database)\s*\(\s*'(?P<job>[^']*)'",
    re.IGNORECASE,
)


def _unquote(ident: str) -> str:
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident.lower()


def body_flags(body: str) -> list[tuple[int, _Flag]]:
    """DDL in a function or DO body (static, or in a string for `execute`/`format()`) that
    names a schema not Tutela's; a regex, not a parser: names built at run time
    (`format('%I.%I', v_schema, ...)`) are left to the catalog layer. Returns (offset, flag)."""
    text = re.sub(r"--[^\n]*", lambda m: " " * len(m.group(0)), body)
    out: list[tuple[int, _Flag]] = []
    fix = "dynamic SQL too must stay in Tutela's schemas; " + _FIX_SCHEMA
    for m in _BODY_DDL.finditer(text):
        end = _BODY_END.search(text, m.end())
        stop = min(end.start() if end else len(text), m.start() + 400)
        window = text[m.start():stop]
        snippet = " ".join(window.split())[:80]
        skip_on = bool(_BODY_PREFIXED_TRIGGER.match(window))
        for om in _BODY_OBJECT.finditer(window):
            if skip_on and om.group(0).lower().startswith("on"):
                continue
            schema = om.group("schema")
            if schema.startswith("%") or _unquote(schema) in TUTELA_SCHEMAS | {"pg_temp"}:
                continue
            out.append((m.start() + om.start(), _Flag(
                "dynamic DDL", snippet, f"names schema {_unquote(schema)}, which is not "
                "Tutela's", fix)))
        for sm in _BODY_SCHEMA.finditer(window):
            schema = sm.group("schema")
            if schema.startswith("%") or _unquote(schema) in TUTELA_SCHEMAS:
                continue
            out.append((m.start() + sm.start(), _Flag(
                "dynamic DDL", snippet, f"acts on schema {_unquote(schema)}, which is not "
                "Tutela's", fix)))
    for m in _BODY_ALWAYS.finditer(text):
        out.append((m.start(), _Flag(
            "dynamic DDL", " ".join(m.group(0).split()), "a database-, role- or server-wide "
            "change", "scope settings and default privileges to Tutela's schemas")))
    for m in _BODY_CRON.finditer(text):
        if not m.group("job").startswith(OWN_PREFIX):
            out.append((m.start(), _Flag(
                "cron call", repr(m.group("job")), "a pg_cron job whose name is not visibly "
                "Tutela's", f"name the job with a literal starting with {OWN_PREFIX!r}")))
    return out


def _stmt_flags(stmt: Any) -> list[_Flag]:
    """What one parsed statement does outside Tutela's schemas (bodies aside)."""
    name = type(stmt).__name__
    flags: list[_Flag] = []
    if name in ("CreateStmt", "CreateForeignTableStmt"):
        rv = stmt.relation if name == "CreateStmt" else stmt.base.relation
        flags += _judge_schema("create table", rv.schemaname, ".".join(_parts(rv)),
                               temp=rv.relpersistence == "t")
    elif name == "CreateTableAsStmt":
        rv = stmt.into.rel
        flags += _judge_schema(f"create {_kind_name(stmt.objtype)}", rv.schemaname,
                               ".".join(_parts(rv)), temp=rv.relpersistence == "t")
    elif name == "ViewStmt":
        kind = "create or replace view" if stmt.replace else "create view"
        flags += _judge_schema(kind, stmt.view.schemaname, ".".join(_parts(stmt.view)),
                               temp=stmt.view.relpersistence == "t")
    elif name in ("CreateSeqStmt", "AlterSeqStmt"):
        verb = "create" if name == "CreateSeqStmt" else "alter"
        flags += _judge_schema(f"{verb} sequence", stmt.sequence.schemaname,
                               ".".join(_parts(stmt.sequence)),
                               temp=stmt.sequence.relpersistence == "t")
    elif name in ("IndexStmt", "RuleStmt", "CreatePolicyStmt", "AlterPolicyStmt",
                  "CreateTrigStmt"):
        rv = stmt.table if "Policy" in name else stmt.relation
        own = {"IndexStmt": stmt_attr(stmt, "idxname"), "RuleStmt": stmt_attr(stmt, "rulename"),
               "CreateTrigStmt": stmt_attr(stmt, "trigname")}.get(name) or stmt_attr(
                   stmt, "policy_name")
        kind = {"IndexStmt": "create index", "RuleStmt": "create rule",
                "CreatePolicyStmt": "create policy", "AlterPolicyStmt": "alter policy",
                "CreateTrigStmt": "create trigger"}[name]
        shown = f"{own or '(unnamed)'} on {'.'.join(_parts(rv))}"
        if name == "CreateTrigStmt" and rv.schemaname and str(own).startswith(OWN_PREFIX):
            return flags
        flags += _judge_schema(kind, rv.schemaname, shown)
    elif name == "CreateFunctionStmt":
        kind = "procedure" if stmt.is_procedure else "function"
        kind = f"create or replace {kind}" if stmt.replace else f"create {kind}"
        parts = _svals(stmt.funcname)
        flags += _judge_schema(kind, parts[0] if len(parts) >= 2 else None, ".".join(parts))
        if stmt.sql_body is not None:
            visitor = _CronCalls()
            visitor(stmt.sql_body)
            flags += visitor.flags
    elif name == "AlterFunctionStmt":
        flags += _judge_object(f"alter {_kind_name(stmt.objtype)}", stmt.objtype, stmt.func)
    elif name == "DropStmt":
        for obj in stmt.objects or ():
            flags += _judge_object(f"drop {_kind_name(stmt.removeType)}", stmt.removeType, obj)
    elif name == "CommentStmt":
        flags += _judge_object(f"comment on {_kind_name(stmt.objtype)}", stmt.objtype,
                               stmt.object)
    elif name == "SecLabelStmt":
        flags += _judge_object(f"security label on {_kind_name(stmt.objtype)}", stmt.objtype,
                               stmt.object)
    elif name == "GrantStmt":
        verb = "grant" if stmt.is_grant else "revoke"
        if stmt.targtype == enums.GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
            for obj in stmt.objects or ():
                flags += _judge_object(f"{verb} on all in schema", _OT.OBJECT_SCHEMA, obj)
        else:
            for obj in stmt.objects or ():
                flags += _judge_object(f"{verb} on {_kind_name(stmt.objtype)}", stmt.objtype,
                                       obj)
    elif name == "GrantRoleStmt":
        roles = [str(r.priv_name) for r in stmt.granted_roles or ()]
        if not all(r.startswith(OWN_PREFIX) for r in roles):
            flags.append(_Flag("grant role" if stmt.is_grant else "revoke role",
                               ", ".join(roles), "changes membership of roles not Tutela's",
                               f"leave it to the app; {_FIX_PREFIX}"))
    elif name in ("AlterTableStmt", "AlterOwnerStmt", "RenameStmt", "AlterObjectSchemaStmt"):
        objtype = (stmt_attr(stmt, "objtype") or stmt_attr(stmt, "objectType")
                   or stmt_attr(stmt, "renameType"))
        verb = {"AlterTableStmt": "alter", "AlterOwnerStmt": "alter owner of",
                "RenameStmt": "rename", "AlterObjectSchemaStmt": "set schema of"}[name]
        kind = f"{verb} {_kind_name(objtype)}"
        rv = stmt_attr(stmt, "relation")
        if rv is not None:
            if objtype in _ON_TABLE:  # rename trigger/policy/rule/constraint/column
                parts = [*_parts(rv), str(stmt_attr(stmt, "subname") or "")]
                flags += _judge_object(kind, objtype, [ast.String(sval=p) for p in parts])
            else:
                flags += _judge_schema(kind, rv.schemaname, ".".join(_parts(rv)),
                                       temp=rv.relpersistence == "t")
        elif objtype == _OT.OBJECT_SCHEMA and name == "RenameStmt":
            flags += _judge_object(kind, objtype, ast.String(sval=stmt.subname))
        else:
            flags += _judge_object(kind, objtype, stmt_attr(stmt, "object"))
        newschema = stmt_attr(stmt, "newschema")
        if newschema and newschema not in TUTELA_SCHEMAS:
            flags.append(_Flag(kind, f"to schema {newschema}", "moves an object out of "
                               "Tutela's schemas", _FIX_SCHEMA))
    elif name in ("CompositeTypeStmt", "CreateEnumStmt", "AlterEnumStmt", "CreateDomainStmt",
                  "AlterDomainStmt", "CreateRangeStmt", "DefineStmt", "CreateStatsStmt"):
        if name == "CompositeTypeStmt":
            parts = _parts(stmt.typevar)
        else:
            parts = _svals(stmt_attr(stmt, "typeName") or stmt_attr(stmt, "domainname")
                           or stmt_attr(stmt, "defnames"))
        kind = {"CreateDomainStmt": "create domain", "AlterDomainStmt": "alter domain",
                "AlterEnumStmt": "alter type", "CreateStatsStmt": "create statistics",
                "DefineStmt": f"create {_kind_name(stmt_attr(stmt, 'kind'))}"}.get(
                    name, "create type")
        flags += _judge_schema(kind, parts[0] if len(parts) >= 2 else None, ".".join(parts))
    elif name == "CreateSchemaStmt":
        if stmt.schemaname not in TUTELA_SCHEMAS:
            flags.append(_Flag("create schema", str(stmt.schemaname or "(authorization)"),
                               "not one of Tutela's schemas",
                               "Tutela's schemas are tutela, tutela_hidden, tutela_private"))
        for elt in stmt.schemaElts or ():
            flags += _stmt_flags(elt)
    elif name in ("CreateRoleStmt", "AlterRoleStmt", "DropRoleStmt"):
        roles = ([str(stmt.role)] if name == "CreateRoleStmt" else
                 [str(r.rolename) for r in (stmt.roles or ())] if name == "DropRoleStmt" else
                 [str(stmt.role.rolename)])
        if not all(r.startswith(OWN_PREFIX) for r in roles):
            flags.append(_Flag(name.removesuffix("Stmt").replace("Role", " role").lower(),
                               ", ".join(roles), "roles are cluster-wide and these are not "
                               "Tutela's", f"leave them to the app; {_FIX_PREFIX}"))
    elif name in ("AlterDefaultPrivilegesStmt",):
        schemas = next((_svals(o.arg) for o in stmt.options or () if o.defname == "schemas"),
                       [])
        if not schemas or any(s not in TUTELA_SCHEMAS for s in schemas):
            flags.append(_Flag("alter default privileges",
                               f"in schema {', '.join(schemas)}" if schemas else "(no schema)",
                               "default privileges reach beyond Tutela's schemas",
                               "write `alter default privileges in schema tutela, ...` naming "
                               "only Tutela's schemas"))
    elif name in ("CreatePublicationStmt", "AlterPublicationStmt"):
        pub = str(stmt.pubname)
        tables = [o.pubtable.relation for o in stmt.pubobjects or ()
                  if o.pubtable is not None]
        others = [o for o in stmt.pubobjects or () if o.pubtable is None]
        outside = [rv for rv in tables if rv.schemaname not in TUTELA_SCHEMAS]
        entries_only = (name == "AlterPublicationStmt" and not stmt.for_all_tables
                        and stmt.action != enums.AlterPublicationAction.AP_SetObjects)
        if (stmt.for_all_tables or outside or others
                or not (pub.startswith(OWN_PREFIX) or entries_only)):
            flags.append(_Flag(
                "create publication" if name == "CreatePublicationStmt" else
                "alter publication", pub, "a publication (or entries) that is not Tutela's",
                f"{_FIX_PREFIX}; add only tables of Tutela's schemas"))
    elif name in ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CopyStmt",
                  "TruncateStmt", "RefreshMatViewStmt"):
        rels = (stmt.relations if name == "TruncateStmt" else [stmt_attr(stmt, "relation")])
        verb = {"InsertStmt": "insert into", "UpdateStmt": "update", "DeleteStmt": "delete from",
                "MergeStmt": "merge into", "CopyStmt": "copy", "TruncateStmt": "truncate",
                "RefreshMatViewStmt": "refresh materialized view"}[name]
        for rv in rels:
            if rv is not None:
                flags += _judge_schema(verb, rv.schemaname, ".".join(_parts(rv)),
                                       temp=rv.relpersistence == "t")
        visitor = _CronCalls()
        visitor(stmt)
        flags += visitor.flags
    elif name in _NEUTRAL:
        visitor = _CronCalls()
        visitor(stmt)
        flags += visitor.flags
    elif name in _WIDE:
        flags.append(_Flag(_WIDE[name][0], _wide_object(stmt), _WIDE[name][1], _WIDE[name][2]))
    elif name == "DoStmt":
        pass  # the body is read by body_flags
    else:
        # database- or cluster-wide, or a kind this lint does not read: refuse rather than guess
        flags.append(_Flag(name.removesuffix("Stmt"), "", "a statement the ownership lint "
                           "does not accept (it acts beyond Tutela's schemas, or the lint "
                           "does not read it)", "leave it to the app or Supabase, or teach "
                           "py_admin/lint.py this statement"))
    return flags


def stmt_attr(node: Any, attr: str) -> Any:
    return getattr(node, attr, None)


def _body_of(stmt: Any) -> str | None:
    """The source of a DO block or a plpgsql/sql function body."""
    if isinstance(stmt, ast.DoStmt):
        return next((str(o.arg.sval) for o in stmt.args or () if o.defname == "as"), None)
    if isinstance(stmt, ast.CreateFunctionStmt):
        opts = {o.defname: o.arg for o in stmt.options or ()}
        lang = opts.get("language")
        if lang is not None and str(lang.sval) not in ("plpgsql", "sql"):
            return None
        body = opts.get("as")
        parts = _svals(body) if isinstance(body, (tuple, list)) else []
        return parts[0] if parts else None
    return None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def check_ownership_text(text: str, fname: str) -> list[Violation]:
    """The statement layer for one file's text."""
    try:
        stmts = parse_sql(text)
    except ParseError as exc:
        loc = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        return [Violation("ownership", f"{fname}:{_line_of(text, loc)}", f"cannot parse: "
                          f"{exc.args[0]}", "fix the syntax")]
    out: list[Violation] = []
    for raw in stmts:
        start = int(raw.stmt_location or 0)
        line = _line_of(text, start)
        found = [(line, f) for f in _stmt_flags(raw.stmt)]
        body = _body_of(raw.stmt)
        if body:
            at = text.find(body, start)
            for off, flag in body_flags(body):
                found.append((_line_of(text, at + off) if at >= 0 else line, flag))
        for ln, f in sorted(found, key=lambda x: x[0]):
            obj = f"{fname}:{ln}: {f.kind}" + (f" {f.obj}" if f.obj else "")
            out.append(Violation("ownership", obj, f.problem, f.fix))
    return out


def check_ownership_statements(root: Path) -> list[Violation]:
    """The statement layer over Tutela's SQL (ownership_files)."""
    out: list[Violation] = []
    for path in ownership_files(root):
        out += check_ownership_text(path.read_text(encoding="utf-8"),
                                    str(path.relative_to(root)))
    return out


# ---- ownership: the catalog layer -----------------------------------------------------------
Snapshot = dict[str, tuple[str, str, str]]  # object -> (name, detail, remediation)


def ownership_snapshot(conn: Conn) -> Snapshot:
    """What lies outside Tutela's schemas now (py_admin/sql/lint_ownership.sql)."""
    query = (SQL_DIR / OWNERSHIP_SQL).read_text(encoding="utf-8")
    rows = conn.execute(query.encode("utf-8")).fetchall()
    snap = {str(r[2]): (str(r[0]), str(r[3]), str(r[4])) for r in rows}
    # pg_cron's jobs, where pg_cron is installed (a table the SQL file cannot name unguarded)
    has_cron = conn.execute("select to_regclass('cron.job') is not null").fetchone()
    if has_cron and has_cron[0]:
        for (job,) in conn.execute(
            "select coalesce(jobname, '(unnamed, id ' || jobid || ')') from cron.job "
            "where jobname is null or jobname not like 'tutela\\_%'"
        ).fetchall():
            snap[f"cron job {job}"] = (
                "ownership", "a pg_cron job without the tutela_ prefix",
                f"name the job with a literal starting with {OWN_PREFIX!r}",
            )
    return snap


_PARENT = re.compile(r" (?:on|of) (?P<parent>\S+)$")


def _subject(key: str) -> str:
    """`public.x` of `table public.x`."""
    return key.split(" ", 1)[-1] if " " in key else key


def _parent(key: str) -> str | None:
    """The object a row hangs on: `public.x` of `privileges on relation public.x: ...`, of
    `index public.x_pkey on public.x`, `trigger t on public.x`, `policy p on public.x`."""
    if key.startswith("privileges on "):
        return _subject(key.split(": ", 1)[0].removeprefix("privileges on "))
    m = _PARENT.search(key)
    return m.group("parent") if m else None


def check_ownership_catalog(conn: Conn, before: Snapshot) -> list[Violation]:
    """Objects outside Tutela's schemas that were not there at `before`: the migration's.
    What hangs on an object that is itself new (its privileges, indexes, owned sequences,
    triggers, policies) is reported with it, once."""
    after = ownership_snapshot(conn)
    new = after.keys() - before.keys()
    new_objects = {_subject(k) for k in new if _parent(k) is None}
    return [
        Violation(after[obj][0], obj, after[obj][1], after[obj][2])
        for obj in sorted(new)
        if _parent(obj) not in new_objects
    ]


def bootstrap_and_snapshot(url: str) -> Snapshot:
    """Apply the Supabase compat bootstrap (Supabase's parts, not Tutela's) and take the
    snapshot that the catalog layer compares the migrated database with."""
    from py_admin.db import connect
    from py_admin.migrate import _apply, bootstrap_file

    with connect(url) as conn:
        _apply(conn, bootstrap_file())
        snap = ownership_snapshot(conn)
        conn.commit()
    return snap


def _tool(name: str) -> str:
    """A linter of the dev extras: beside this Python, else on PATH."""
    import shutil

    here = Path(sys.executable).parent / name
    found = str(here) if here.is_file() else shutil.which(name)
    if found is None:
        raise TutelaError(
            f"{name} is not installed",
            hint="install the development tools (pip install 'tutela[dev]'), or leave it out: "
            "--no-sqlfluff, --no-python",
        )
    return found


def run_sqlfluff(root: Path, echo: Callable[[str], None]) -> int:
    folders = [f for f in SQL_FOLDERS if (root / f).is_dir()]
    proc = subprocess.run(
        # every core (`--processes 0`): the longest step of `make test` otherwise
        [_tool("sqlfluff"), "lint", "--disable-progress-bar", "--processes", "0", *folders],
        cwd=root, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        echo(proc.stdout.strip() or proc.stderr.strip())
        return 1
    return 0


def run_python_linters(root: Path, echo: Callable[[str], None]) -> int:
    if not (root / "py_admin").is_dir():
        echo(f"{root} is not a checkout: no Python sources for ruff and mypy to check")
        return 0
    failures = 0
    for args in (
        [_tool("ruff"), "check", "py_admin", "tests/py", "tests/conftest.py"],
        [_tool("mypy"), "py_admin"],
    ):
        proc = subprocess.run(args, cwd=root, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            echo((proc.stdout + proc.stderr).strip())
            failures += 1
    return failures


def run_all(
    url: str, *, sqlfluff: bool = True, python: bool = True, echo: Callable[[str], None] = print
) -> int:
    """Every lint; returns the number of failing linters plus catalog violations."""
    from py_admin.db import connect, scratch_database
    from py_admin.migrate import migrate

    root = project_root()
    problems = 0
    statement_violations = check_ownership_statements(root)
    for v in statement_violations:
        echo(str(v))
    problems += len(statement_violations)
    echo(f"ownership (statements): {len(statement_violations)} violation(s)")
    with scratch_database(url, prefix="tutela_lint") as scratch:
        before = bootstrap_and_snapshot(scratch)
        migrate(scratch, root=root)
        with connect(scratch) as conn:
            violations = catalog_checks(conn, root, before)
        for v in violations:
            echo(str(v))
        problems += len(violations)
        echo(f"catalog checks: {len(violations)} violation(s)")
    if sqlfluff:
        bad = run_sqlfluff(root, echo)
        echo("sqlfluff: " + ("problems found" if bad else "clean"))
        problems += bad
    if python:
        bad = run_python_linters(root, echo)
        echo("ruff + mypy: " + ("problems found" if bad else "clean"))
        problems += bad
    return problems
