"""`tutela uninstall`: remove everything Tutela owns and nothing else.

What Tutela owns is read from the catalog (the manifest): its schemas and, outside them, the
objects named with its prefix (`tutela_` triggers and policies on other schemas' tables, pg_cron
jobs). ``py_admin/sql/uninstall.sql`` removes them in one transaction and refuses, changing
nothing, while an object of the app depends on one of Tutela's. Supabase CLI users run the same
file (``supabase/tutela_uninstall.sql``) with psql or the SQL editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from py_admin.db import connect
from py_admin.errors import TutelaError
from py_admin.paths import SQL_DIR

SCHEMAS = ("tutela", "tutela_hidden", "tutela_private", "tutela_tests")
UNINSTALL_SQL = SQL_DIR / "uninstall.sql"


@dataclass
class Manifest:
    """What Tutela owns in one database."""

    schemas: dict[str, int] = field(default_factory=dict)  # schema -> objects in it
    outside: list[str] = field(default_factory=list)  # prefixed objects elsewhere

    @property
    def empty(self) -> bool:
        return not self.schemas and not self.outside


def manifest(conn: psycopg.Connection[tuple[object, ...]]) -> Manifest:
    m = Manifest()
    for name, count in conn.execute(
        """
        select n.nspname,
               (select count(*) from pg_class c where c.relnamespace = n.oid
                  and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f'))
             + (select count(*) from pg_proc p where p.pronamespace = n.oid)
        from pg_namespace n where n.nspname = any(%s) order by 1
        """,
        (list(SCHEMAS),),
    ):
        m.schemas[str(name)] = int(str(count))
    for (what,) in conn.execute(
        """
        -- Tutela's: named with its prefix and calling its functions (an app's object that
        -- merely starts with tutela_ is not Tutela's)
        select format('trigger %%s on %%s', t.tgname, t.tgrelid::regclass)
        from pg_trigger t join pg_class c on c.oid = t.tgrelid
        join pg_proc f on f.oid = t.tgfoid
        where t.tgname like 'tutela\\_%%' and not t.tgisinternal
          and c.relnamespace::regnamespace::text <> all(%(ours)s)
          and f.pronamespace::regnamespace::text = any(%(ours)s)
        union all
        select format('policy %%s on %%s', p.polname, p.polrelid::regclass)
        from pg_policy p join pg_class c on c.oid = p.polrelid
        where p.polname like 'tutela\\_%%'
          and c.relnamespace::regnamespace::text <> all(%(ours)s)
          and exists (
            select 1 from pg_depend d join pg_proc f on f.oid = d.refobjid
            where d.classid = 'pg_policy'::regclass and d.objid = p.oid
              and d.refclassid = 'pg_proc'::regclass
              and f.pronamespace::regnamespace::text = any(%(ours)s))
        order by 1
        """,
        {"ours": list(SCHEMAS)},
    ):
        m.outside.append(str(what))
    row = conn.execute("select to_regclass('cron.job') is not null").fetchone()
    if row and row[0]:
        for (job,) in conn.execute(
            "select jobname from cron.job where jobname like 'tutela\\_%%' order by 1"
        ):
            m.outside.append(f"pg_cron job {job}")
    return m


def read_manifest(url: str) -> Manifest:
    with connect(url) as conn:
        m = manifest(conn)
        conn.rollback()
    return m


def uninstall(url: str) -> Manifest:
    """Remove what Tutela owns, all or nothing; returns what was removed."""
    with connect(url) as conn:
        removed = manifest(conn)
        try:
            with conn.cursor() as cur:
                cur.execute(UNINSTALL_SQL.read_bytes())
        except psycopg.Error as exc:
            conn.rollback()
            diag = exc.diag
            if diag.sqlstate == "TU409":
                raise TutelaError(
                    f"{diag.message_primary}; nothing was removed",
                    hint=diag.message_hint,
                ) from None
            raise TutelaError(
                f"uninstall failed: {(diag.message_primary or str(exc)).strip()} "
                f"(SQLSTATE {diag.sqlstate}); nothing was removed"
            ) from None
        conn.commit()
    return removed
