"""`tutela lint`: sqlfluff, catalog checks on a freshly migrated database, ruff and mypy.

Catalog checks (each violation names the offending object):
- rls: every table outside the system schemas has row level security enabled;
- definer-search-path: every SECURITY DEFINER function sets ``search_path`` to empty;
- public-execute: no function is executable by PUBLIC or ``anon`` unless it is listed, with a
  reason, in ``policies/anon_allowlist.txt``;
- policy-initplan: no policy calls ``auth.uid()``, ``auth.jwt()``, ``auth.role()``,
  ``auth.email()`` or ``current_setting()`` outside a ``(select ...)``;
- fk-index: every foreign key's columns are the leading columns of an index;
- registry: every table in `public` is in policies/registry.toml or exempted there with a
  reason, and every registered table exists.
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

import psycopg

from py_admin.errors import TutelaError
from py_admin.paths import project_root

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

    def __str__(self) -> str:
        return f"[{self.check}] {self.obj}: {self.detail}"


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


def catalog_checks(conn: Conn, root: Path | None = None) -> list[Violation]:
    root = root or project_root()
    allowlist = read_allowlist(root)
    return [
        *check_registry(conn, root),
        *check_rls(conn),
        *check_definer_search_path(conn),
        *check_public_execute(conn, allowlist),
        *check_policy_initplan(conn),
        *check_fk_index(conn),
    ]


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run_sqlfluff(root: Path, echo: Callable[[str], None]) -> int:
    folders = [f for f in SQL_FOLDERS if (root / f).is_dir()]
    proc = subprocess.run(
        [_tool("sqlfluff"), "lint", "--disable-progress-bar", *folders],
        cwd=root, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        echo(proc.stdout.strip() or proc.stderr.strip())
        return 1
    return 0


def run_python_linters(root: Path, echo: Callable[[str], None]) -> int:
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
    with scratch_database(url, prefix="tutela_lint") as scratch:
        migrate(scratch, root=root)
        with connect(scratch) as conn:
            violations = catalog_checks(conn, root)
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
