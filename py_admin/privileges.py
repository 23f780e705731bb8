"""The privilege lint: what Tutela's SQL grants the API roles, against what the catalog holds.

Declared side: every statement of Tutela's SQL, in the order the runner applies it on a new
database (the baseline, later versioned migrations, the migration ledger's DDL, then the
repeatable files in ORDER), is read with pglast and replayed on a model of the ACLs of Tutela's
objects, with PostgreSQL's own rules:
- a new table, view, materialized view or sequence (identity and serial columns make one) is
  its owner's alone; a new function or procedure is executable by PUBLIC; a new schema is its
  owner's alone;
- ``create or replace`` (function, view) keeps the ACL of the object it replaces;
- ``grant``/``revoke`` on objects, columns and ``all tables|sequences|functions|procedures|
  routines in schema``; revoking a table privilege revokes it on every column too;
- ``drop`` forgets the object (a table's identity sequences with it).
Default privileges are NOT applied: nothing Tutela makes may depend on them, so a database whose
default privileges grant the API roles more (an older Supabase project) must end up with the
same privileges as one whose default privileges grant nothing (today's). An ``alter default
privileges`` statement in Tutela's SQL is itself reported.

Catalog side: aclexplode over pg_class, pg_attribute, pg_proc and pg_namespace for the objects in
Tutela's schemas, for the grantees PUBLIC, anon, authenticated and service_role.

Any difference (an extra privilege, a missing one, an object one side does not know) is a
violation naming the object, the grantee and the privilege.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pglast import ast, enums, parse_sql
from pglast.parser import ParseError

GRANTEES = ("PUBLIC", "anon", "authenticated", "service_role")
SCHEMAS = ("tutela", "tutela_hidden", "tutela_private")

_OT = enums.ObjectType
TABLE_PRIVS = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
SEQUENCE_PRIVS = ("SELECT", "UPDATE", "USAGE")
FUNCTION_PRIVS = ("EXECUTE",)
SCHEMA_PRIVS = ("USAGE", "CREATE")
COLUMN_PRIVS = ("SELECT", "INSERT", "UPDATE", "REFERENCES")

# pg_catalog type names as format_type() prints them
_TYPE_NAMES = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "int": "integer",
    "float4": "real", "float8": "double precision", "bool": "boolean",
    "varchar": "character varying", "bpchar": "character", "decimal": "numeric",
    "timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
    "timetz": "time with time zone", "time": "time without time zone", "varbit": "bit varying",
    "char": '"char"',
}


@dataclass
class Obj:
    kind: str  # relation | sequence | function | procedure | schema
    name: str  # tutela.x, tutela.f(uuid, text), tutela
    schema: str
    origin: str  # file:line that created it
    acl: dict[str, set[str]] = field(default_factory=dict)
    columns: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    owned_sequences: list[str] = field(default_factory=list)

    def privileges(self) -> tuple[str, ...]:
        return {"relation": TABLE_PRIVS, "sequence": SEQUENCE_PRIVS, "function": FUNCTION_PRIVS,
                "procedure": FUNCTION_PRIVS, "schema": SCHEMA_PRIVS}[self.kind]


@dataclass(frozen=True)
class Problem:
    where: str
    detail: str


def type_name(tn: Any) -> str:
    """A TypeName as format_type() prints it (pg_catalog types bare, others schema-qualified)."""
    names = [str(n.sval) for n in tn.names or () if isinstance(n, ast.String)]
    if len(names) == 2 and names[0] == "pg_catalog":
        base = _TYPE_NAMES.get(names[1], names[1])
    elif len(names) == 1:
        base = _TYPE_NAMES.get(names[0], names[0])
    else:
        base = ".".join(names)
    if tn.arrayBounds:
        base += "[]"
    return base


def _func_name(parts: list[str], args: Iterable[Any]) -> str:
    return f"{'.'.join(parts)}({', '.join(type_name(a) for a in args)})"


def _input_args(params: Iterable[Any]) -> list[Any]:
    modes = enums.FunctionParameterMode
    return [p.argType for p in params or ()
            if p.mode not in (modes.FUNC_PARAM_OUT, modes.FUNC_PARAM_TABLE)]


def make_object_name(name1: str, name2: str, label: str) -> str:
    """PostgreSQL's makeObjectName: name1_name2_label within 63 bytes."""
    n1, n2 = len(name1), len(name2)
    avail = 63 - (len(label) + 1) - (1 if name2 else 0)
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [name1[:n1]] + ([name2[:n2]] if name2 else []) + [label]
    return "_".join(parts)


def _svals(items: Any) -> list[str]:
    return [str(x.sval) for x in items or () if isinstance(x, ast.String)]


def _rv_name(rv: Any) -> tuple[str | None, str]:
    return rv.schemaname, str(rv.relname)


class Model:
    """The ACLs of Tutela's objects as its SQL declares them."""

    def __init__(self, *, table_privs: tuple[str, ...] = TABLE_PRIVS,
                 defaults: bool = False) -> None:
        """`defaults`: model a database whose default privileges give PUBLIC and the API roles
        every privilege on each new table, sequence, function and schema (the widest case)."""
        self.objects: dict[str, Obj] = {}
        self.problems: list[Problem] = []
        self.table_privs = table_privs
        self.defaults = defaults
        self.where = ""

    # ---- objects ----------------------------------------------------------------------------
    def _create(self, kind: str, schema: str | None, name: str, *, replace: bool = False,
                if_not_exists: bool = False) -> Obj | None:
        if schema not in SCHEMAS:
            return None
        if name in self.objects and (replace or if_not_exists):
            return self.objects[name]
        obj = Obj(kind, name, schema, self.where)
        if kind in ("function", "procedure"):
            obj.acl["PUBLIC"] = {"EXECUTE"}
        if self.defaults:
            allowed = self.table_privs if kind == "relation" else obj.privileges()
            obj.acl = {g: set(allowed) for g in GRANTEES}
        self.objects[name] = obj
        return obj

    def _drop(self, name: str) -> None:
        obj = self.objects.pop(name, None)
        if obj is not None:
            for seq in obj.owned_sequences:
                self.objects.pop(seq, None)

    def _column(self, table: Obj, col: Any) -> None:
        """A new column: an identity or serial column makes a sequence."""
        typ = _svals(col.typeName.names) if col.typeName is not None else []
        serial = bool(typ) and typ[-1] in ("serial", "bigserial", "smallserial", "serial2",
                                           "serial4", "serial8")
        identity = any(c.contype == enums.ConstrType.CONSTR_IDENTITY
                       for c in col.constraints or ())
        if serial or identity:
            relname = table.name.split(".", 1)[1]
            seq = f"{table.schema}.{make_object_name(relname, str(col.colname), 'seq')}"
            if self._create("sequence", table.schema, seq) is not None:
                table.owned_sequences.append(seq)

    def _functions(self, parts: list[str], owa: Any) -> list[str]:
        """Names of the modelled functions an ObjectWithArgs denotes."""
        if owa.args_unspecified:
            prefix = ".".join(parts) + "("
            return [n for n, o in self.objects.items()
                    if o.kind in ("function", "procedure") and n.startswith(prefix)]
        return [_func_name(parts, owa.objargs or ())]

    # ---- statements -------------------------------------------------------------------------
    def apply_text(self, text: str, fname: str) -> None:
        try:
            stmts = parse_sql(text)
        except ParseError as exc:
            self.problems.append(Problem(fname, f"cannot parse: {exc.args[0]}"))
            return
        for raw in stmts:
            line = text.count("\n", 0, int(raw.stmt_location or 0)) + 1
            self.where = f"{fname}:{line}"
            self.apply(raw.stmt)

    def apply(self, stmt: Any) -> None:
        name = type(stmt).__name__
        if name == "CreateSchemaStmt":
            self._create("schema", stmt.schemaname, str(stmt.schemaname),
                         if_not_exists=bool(stmt.if_not_exists))
            for elt in stmt.schemaElts or ():
                self.apply(elt)
        elif name == "CreateStmt":
            schema, rel = _rv_name(stmt.relation)
            existed = f"{schema}.{rel}" in self.objects
            obj = self._create("relation", schema, f"{schema}.{rel}",
                               if_not_exists=bool(stmt.if_not_exists))
            if obj is not None and not existed:
                for elt in stmt.tableElts or ():
                    if isinstance(elt, ast.ColumnDef):
                        self._column(obj, elt)
        elif name == "CreateTableAsStmt":
            schema, rel = _rv_name(stmt.into.rel)
            self._create("relation", schema, f"{schema}.{rel}",
                         if_not_exists=bool(stmt.if_not_exists))
        elif name == "ViewStmt":
            schema, rel = _rv_name(stmt.view)
            self._create("relation", schema, f"{schema}.{rel}", replace=bool(stmt.replace))
        elif name == "CreateSeqStmt":
            schema, rel = _rv_name(stmt.sequence)
            self._create("sequence", schema, f"{schema}.{rel}",
                         if_not_exists=bool(stmt.if_not_exists))
        elif name == "AlterTableStmt":
            schema, rel = _rv_name(stmt.relation)
            table = self.objects.get(f"{schema}.{rel}")
            if table is None:
                return
            for cmd in stmt.cmds or ():
                sub = cmd.subtype
                if sub == enums.AlterTableType.AT_AddColumn and isinstance(cmd.def_,
                                                                           ast.ColumnDef):
                    self._column(table, cmd.def_)
                elif sub == enums.AlterTableType.AT_AddIdentity:
                    self._column(table, ast.ColumnDef(
                        colname=cmd.name,
                        constraints=(ast.Constraint(contype=enums.ConstrType.CONSTR_IDENTITY),)))
                elif sub == enums.AlterTableType.AT_DropColumn:
                    table.columns.pop(str(cmd.name), None)
        elif name == "CreateFunctionStmt":
            parts = _svals(stmt.funcname)
            kind = "procedure" if stmt.is_procedure else "function"
            self._create(kind, parts[0] if len(parts) == 2 else None,
                         _func_name(parts, _input_args(stmt.parameters)),
                         replace=bool(stmt.replace))
        elif name == "DropStmt":
            self._drop_stmt(stmt)
        elif name == "RenameStmt":
            self._rename(stmt)
        elif name == "AlterObjectSchemaStmt":
            self._set_schema(stmt)
        elif name == "GrantStmt":
            self._grant(stmt)
        elif name == "AlterDefaultPrivilegesStmt":
            self.problems.append(Problem(self.where, "alter default privileges: Tutela's "
                                         "objects state their grants; none may depend on "
                                         "default privileges"))

    def _drop_stmt(self, stmt: Any) -> None:
        rt = stmt.removeType
        for obj in stmt.objects or ():
            if rt in (_OT.OBJECT_TABLE, _OT.OBJECT_VIEW, _OT.OBJECT_MATVIEW, _OT.OBJECT_SEQUENCE,
                      _OT.OBJECT_FOREIGN_TABLE):
                self._drop(".".join(_svals(obj)))
            elif rt in (_OT.OBJECT_FUNCTION, _OT.OBJECT_PROCEDURE, _OT.OBJECT_ROUTINE):
                for fn in self._functions(_svals(obj.objname), obj):
                    self._drop(fn)
            elif rt == _OT.OBJECT_SCHEMA:
                schema = str(obj.sval)
                for key in [k for k, o in self.objects.items() if o.schema == schema]:
                    self._drop(key)

    def _rename(self, stmt: Any) -> None:
        rt = stmt.renameType
        if rt in (_OT.OBJECT_TABLE, _OT.OBJECT_VIEW, _OT.OBJECT_MATVIEW, _OT.OBJECT_SEQUENCE,
                  _OT.OBJECT_FOREIGN_TABLE):
            schema, rel = _rv_name(stmt.relation)
            obj = self.objects.pop(f"{schema}.{rel}", None)
            if obj is not None:
                obj.name = f"{schema}.{stmt.newname}"
                self.objects[obj.name] = obj
        elif rt == _OT.OBJECT_COLUMN:
            schema, rel = _rv_name(stmt.relation)
            table = self.objects.get(f"{schema}.{rel}")
            if table is not None and stmt.subname in table.columns:
                table.columns[str(stmt.newname)] = table.columns.pop(str(stmt.subname))
        elif rt in (_OT.OBJECT_FUNCTION, _OT.OBJECT_PROCEDURE, _OT.OBJECT_ROUTINE):
            parts = _svals(stmt.object.objname)
            for fn in self._functions(parts, stmt.object):
                obj = self.objects.pop(fn)
                obj.name = f"{parts[0]}.{stmt.newname}{fn[fn.index('('):]}"
                self.objects[obj.name] = obj

    def _set_schema(self, stmt: Any) -> None:
        new = str(stmt.newschema)
        if stmt.relation is not None:
            schema, rel = _rv_name(stmt.relation)
            moved = [f"{schema}.{rel}"]
        elif stmt.objectType in (_OT.OBJECT_FUNCTION, _OT.OBJECT_PROCEDURE, _OT.OBJECT_ROUTINE):
            moved = self._functions(_svals(stmt.object.objname), stmt.object)
        else:
            return
        for key in moved:
            obj = self.objects.pop(key, None)
            if obj is not None and new in SCHEMAS:
                obj.name, obj.schema = new + key[key.index("."):], new
                self.objects[obj.name] = obj

    def _targets(self, stmt: Any) -> list[Obj]:
        ot = stmt.objtype
        if stmt.targtype == enums.GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
            schemas = set(_svals(stmt.objects))
            kinds = {_OT.OBJECT_TABLE: ("relation",), _OT.OBJECT_SEQUENCE: ("sequence",),
                     _OT.OBJECT_FUNCTION: ("function",), _OT.OBJECT_PROCEDURE: ("procedure",),
                     _OT.OBJECT_ROUTINE: ("function", "procedure")}.get(ot, ())
            return [o for o in self.objects.values() if o.schema in schemas and o.kind in kinds]
        if stmt.targtype != enums.GrantTargetType.ACL_TARGET_OBJECT:
            return []
        keys: list[str] = []
        for obj in stmt.objects or ():
            if ot in (_OT.OBJECT_TABLE, _OT.OBJECT_SEQUENCE):
                schema, rel = _rv_name(obj)
                keys.append(f"{schema}.{rel}")
            elif ot in (_OT.OBJECT_FUNCTION, _OT.OBJECT_PROCEDURE, _OT.OBJECT_ROUTINE):
                keys += self._functions(_svals(obj.objname), obj)
            elif ot == _OT.OBJECT_SCHEMA:
                keys.append(str(obj.sval))
        return [self.objects[k] for k in keys if k in self.objects]

    def _grant(self, stmt: Any) -> None:
        if not stmt.is_grant and stmt.grant_option:
            return  # `revoke grant option for ...` keeps the privilege itself
        grantees = []
        for rs in stmt.grantees or ():
            if rs.roletype == enums.RoleSpecType.ROLESPEC_PUBLIC:
                grantees.append("PUBLIC")
            elif rs.roletype == enums.RoleSpecType.ROLESPEC_CSTRING and rs.rolename in GRANTEES:
                grantees.append(str(rs.rolename))
        if not grantees:
            return
        for obj in self._targets(stmt):
            allowed = self.table_privs if obj.kind == "relation" else obj.privileges()
            table_level: set[str] = set()
            per_column: dict[str, set[str]] = {}
            if not stmt.privileges:
                table_level = set(allowed)
            for ap in stmt.privileges or ():
                priv = str(ap.priv_name).upper() if ap.priv_name else "ALL"
                privs = set(allowed if priv == "ALL" else (priv,))
                if ap.cols:
                    for col in _svals(ap.cols):
                        cprivs = privs & set(COLUMN_PRIVS)
                        per_column.setdefault(col, set()).update(cprivs)
                else:
                    table_level |= privs & set(allowed)
            for g in grantees:
                if stmt.is_grant:
                    obj.acl.setdefault(g, set()).update(table_level)
                    for col, cprivs in per_column.items():
                        obj.columns.setdefault(col, {}).setdefault(g, set()).update(cprivs)
                else:
                    obj.acl.get(g, set()).difference_update(table_level)
                    for col_acl in obj.columns.values():  # a table revoke reaches every column
                        col_acl.get(g, set()).difference_update(table_level)
                    for col, cprivs in per_column.items():
                        obj.columns.get(col, {}).get(g, set()).difference_update(cprivs)

    # ---- result -----------------------------------------------------------------------------
    def entries(self) -> set[tuple[str, str, str, str]]:
        """(kind, object, grantee, privilege); a column is `table.column` of kind column."""
        out: set[tuple[str, str, str, str]] = set()
        for obj in self.objects.values():
            for g, privs in obj.acl.items():
                out |= {(obj.kind, obj.name, g, p) for p in privs}
            for col, acl in obj.columns.items():
                for g, privs in acl.items():
                    out |= {("column", f"{obj.name}.{col}", g, p) for p in privs}
        return out


def source_files(root: Path) -> list[tuple[str, str]]:
    """(name, text) of Tutela's SQL in the order the runner applies it to a new database."""
    from py_admin.migrate import (
        LEDGER,
        LEDGER_DDL,
        baseline_file,
        baseline_number,
        repeatable_files,
        versioned_files,
    )

    out: list[tuple[str, str]] = []
    base = baseline_file(root)
    after = baseline_number(base) if base is not None else 0
    if base is not None:
        out.append((str(base.path.relative_to(root)), base.text))
        out.append(("py_admin/migrate.py (LEDGER_DDL)", LEDGER_DDL.format(table=LEDGER)))
    for f in versioned_files(root):
        if int(f.name[:4]) > after:
            out.append((str(f.path.relative_to(root)), f.text))
    for f in repeatable_files(root):
        out.append((str(f.path.relative_to(root)), f.text))
    return out


def declared(root: Path, *, table_privs: tuple[str, ...] = TABLE_PRIVS,
             defaults: bool = False) -> Model:
    model = Model(table_privs=table_privs, defaults=defaults)
    for name, text in source_files(root):
        model.apply_text(text, name)
    return model


def default_dependent(root: Path, *, table_privs: tuple[str, ...] = TABLE_PRIVS,
                      ) -> list[tuple[str, str, str]]:
    """(object, detail, remediation) for each privilege that Tutela's SQL leaves to the
    database's default privileges: replayed once with none and once with default privileges
    granting everything to PUBLIC and the API roles, the two must end equal."""
    bare = declared(root, table_privs=table_privs)
    wide = declared(root, table_privs=table_privs, defaults=True)
    out: list[tuple[str, str, str]] = []
    for kind, name, grantee, priv in sorted(wide.entries() - bare.entries()):
        out.append((f"{kind} {name}", f"{grantee} keeps {priv} wherever default privileges "
                    "grant it: Tutela's SQL does not revoke it",
                    f"after the object ({_origin(bare, kind, name)}): `revoke all on ... from "
                    "public, anon, authenticated, service_role;` then grant what is meant"))
    return out


# ---- the catalog ----------------------------------------------------------------------------
_TYPE_SQL = """
case
  when tn.nspname = 'pg_catalog' then pg_catalog.format_type(t.oid, null)
  when t.typcategory = 'A' and et.oid is not null then
    case when en.nspname = 'pg_catalog' then pg_catalog.format_type(et.oid, null)
         else en.nspname || '.' || et.typname end || '[]'
  else tn.nspname || '.' || t.typname
end
"""

CATALOG_SQL = f"""
with
fns as (
  select p.oid, n.nspname, p.proname, p.prokind, p.proacl, p.proowner,
    n.nspname || '.' || p.proname || '(' || coalesce((
      select string_agg({_TYPE_SQL}, ', ' order by a.ord)
      from unnest(p.proargtypes::oid[]) with ordinality as a (typ, ord)
      join pg_catalog.pg_type t on t.oid = a.typ
      join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
      left join pg_catalog.pg_type et on et.oid = t.typelem and t.typcategory = 'A'
      left join pg_catalog.pg_namespace en on en.oid = et.typnamespace
    ), '') || ')' as signature
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where n.nspname = any(%(schemas)s)
    and not exists (select 1 from pg_catalog.pg_depend d where d.deptype = 'e'
                    and d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid)
),
rels as (
  select c.oid, n.nspname, c.relname, c.relkind, c.relacl, c.relowner
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    and not exists (select 1 from pg_catalog.pg_depend d where d.deptype = 'e'
                    and d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid)
),
objects (kind, name, acl) as (
  select case when r.relkind = 'S' then 'sequence' else 'relation' end,
         r.nspname || '.' || r.relname,
         coalesce(r.relacl, pg_catalog.acldefault(
           case when r.relkind = 'S' then 's' else 'r' end::"char", r.relowner))
  from rels r
  union all
  select 'column', r.nspname || '.' || r.relname || '.' || a.attname, a.attacl
  from rels r join pg_catalog.pg_attribute a on a.attrelid = r.oid
  where a.attnum > 0 and not a.attisdropped and a.attacl is not null
  union all
  select case when f.prokind = 'p' then 'procedure' else 'function' end, f.signature,
         coalesce(f.proacl, pg_catalog.acldefault('f', f.proowner))
  from fns f
  union all
  select 'schema', n.nspname, coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))
  from pg_catalog.pg_namespace n where n.nspname = any(%(schemas)s)
)
select o.kind, o.name,
       case when x.grantee = 0 then 'PUBLIC' else pg_catalog.pg_get_userbyid(x.grantee) end,
       x.privilege_type
from objects o
left join lateral pg_catalog.aclexplode(o.acl) x
  on x.grantee = 0 or pg_catalog.pg_get_userbyid(x.grantee) = any(%(grantees)s)
"""


def catalog(conn: Any) -> tuple[set[tuple[str, str]], set[tuple[str, str, str, str]]]:
    """(objects as (kind, name), ACL entries as (kind, object, grantee, privilege))."""
    rows = conn.execute(CATALOG_SQL, {"schemas": list(SCHEMAS),
                                      "grantees": list(GRANTEES[1:])}).fetchall()
    objects = {(str(r[0]), str(r[1])) for r in rows if r[0] != "column"}
    entries = {(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows if r[2] is not None}
    return objects, entries


def table_privileges(conn: Any) -> tuple[str, ...]:
    """ALL on a table, on this server (PostgreSQL 17 adds MAINTAIN)."""
    row = conn.execute("select current_setting('server_version_num')::int").fetchone()
    return TABLE_PRIVS + (("MAINTAIN",) if row and int(row[0]) >= 170000 else ())


_SIG = re.compile(r"^(?P<name>[^(]+)\((?P<args>.*)\)$")


def compare(model: Model, objects: set[tuple[str, str]],
            entries: set[tuple[str, str, str, str]]) -> list[tuple[str, str, str]]:
    """(object, detail, remediation) for each difference."""
    out: list[tuple[str, str, str]] = []
    modelled = {(o.kind, o.name) for o in model.objects.values()}
    for kind, name in sorted(objects - modelled):
        out.append((f"{kind} {name}", "in the catalog but not made by Tutela's SQL as the lint "
                    "reads it (dynamic SQL, or made outside the migration)",
                    "create it with a plain statement in a migration or repeatable file"))
    for kind, name in sorted(modelled - objects):
        obj = model.objects[name]
        out.append((f"{kind} {name}", f"made by {obj.origin} but not in the catalog",
                    "check the statement (or teach py_admin/privileges.py what drops it)"))
    both = {name for kind, name in objects & modelled}
    want = {e for e in model.entries() if e[1] in both or e[0] == "column"}
    have = {e for e in entries if e[1] in both or e[0] == "column"}
    for kind, name, grantee, priv in sorted(have - want):
        out.append((f"{kind} {name}", f"{grantee} has {priv} in the catalog, but Tutela's SQL "
                    "does not grant it (default privileges, or a grant outside the source?)",
                    f"revoke it in the source right after the object "
                    f"({_origin(model, kind, name)}): `revoke all on ... from public, anon, "
                    "authenticated, service_role;` then grant what is meant"))
    for kind, name, grantee, priv in sorted(want - have):
        out.append((f"{kind} {name}", f"{grantee} lacks {priv}, which Tutela's SQL grants",
                    "find what revoked it outside the source"))
    return out


def _origin(model: Model, kind: str, name: str) -> str:
    if kind == "column":
        name = name.rsplit(".", 1)[0]
    obj = model.objects.get(name)
    return obj.origin if obj is not None else "?"
