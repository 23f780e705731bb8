"""Fuzzed roster import: tutela.import_roster with generated rows, kinds and options.

An edge function may send anything a CSV or a bug makes. The properties:
- a well-formed call (known kind, rows an array, valid options, not strict) always succeeds,
  whatever the rows hold: each row is counted exactly once (created, updated, revoked, invited,
  unchanged or error), and every row error carries a SQLSTATE listed in docs/errors.md;
- any call either succeeds or raises a SQLSTATE listed in docs/errors.md (never an internal
  error, a data exception or a leaked constraint violation);
- a dry run writes nothing (row counts of the tables it touches are unchanged).
Each call runs in a transaction that is rolled back, as the service role.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from py_admin.db import scratch_database
from py_admin.errors import documented_sqlstates
from py_admin.pgtap import prepare_database

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = documented_sqlstates(ROOT)
HEAVY = bool(__import__("os").environ.get("TUTELA_HEAVY"))
EXAMPLES = 10_000 if HEAVY else 1_000
KINDS = ("students", "staff", "guardian-links")
COLUMNS = {
    "students": ["sis_id", "display_name", "email", "birth_date"],
    "staff": ["email", "role", "title", "sis_id", "status"],
    "guardian-links": ["student", "guardian_email", "relation", "primary", "status",
                       "permissions", "guardian_name", "sis_id"],
}
TABLES = ("tutela.students", "tutela.memberships", "tutela.guardian_links",
          "tutela.guardian_invites", "tutela.link_events", "tutela_private.notification_outbox")

PLAUSIBLE = [
    "S1", "S2", "S3", "s1", "S1 ", "new-1", "g1@f.test", "G2@F.TEST", "g9@f.test",
    "nobody@f.test", "staff1@f.test", "admin1@f.test", "kid@f.test", "mother", "father",
    "other", "guardian", "uncle", "true", "false", "yes", "0", "maybe", "active", "deleted",
    "DELETED", "pending", "staff", "admin", "owner", "2012-05-06", "2099-01-01", "1900-01-01",
    "2012-13-45", "12/05/2012", "progress;grades", "default", "none", "progress journal",
    "bogus;progress", "Ann", "Ben", "Coach", "L-1",
]
NASTY = [
    "", " ", "'", "\"", "\\", "%", ";", "--", "' or '1'='1", "null", "\t", "\r\n", "\u200b",
    "\ufeff", "é", "😀", "\u202e", "a" * 5_000, "x" * 101, "9" * 40, "@", "a@b", "@@.x",
]
text_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.one_of(st.sampled_from(PLAUSIBLE), st.sampled_from(NASTY),
                 st.text(text_chars, max_size=30),
                 st.text(st.sampled_from(string.printable), min_size=100, max_size=400))
WRONG = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63),
                  st.floats(allow_nan=False, allow_infinity=False),
                  st.lists(st.integers(), max_size=2), st.dictionaries(TEXT, TEXT, max_size=2))
LINES = st.one_of(st.integers(-5, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                  TEXT, st.none())


@st.composite
def rows(draw: st.DrawFn, kind: str) -> list[Any]:
    columns = COLUMNS.get(kind, COLUMNS["guardian-links"])
    out: list[Any] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(WRONG))  # not an object at all
            continue
        row: dict[str, Any] = {}
        for column in draw(st.lists(st.sampled_from(columns), max_size=len(columns),
                                    unique=True)):
            row[column] = draw(TEXT) if draw(st.integers(0, 7)) else draw(WRONG)
        if draw(st.booleans()):
            row["line"] = draw(LINES)
        if draw(st.integers(0, 9)) == 0:
            row[draw(TEXT)] = draw(TEXT)  # an unknown column
        out.append(row)
    return out


@st.composite
def options(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """Options and whether they are valid."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.dictionaries(TEXT, WRONG, max_size=3)), False
    opts: dict[str, Any] = {}
    for key in ("dry_run", "strict", "full"):
        if draw(st.booleans()):
            opts[key] = draw(st.booleans())
    if draw(st.booleans()):
        opts["keep"] = draw(st.lists(TEXT, max_size=3))
    return opts, True


@pytest.fixture(scope="module")
def db(server_url: str) -> Iterator[dict[str, Any]]:
    with scratch_database(server_url, prefix="tutela_pytest_roster_fuzz") as url:
        prepare_database(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("""
                insert into auth.users (id, aud, role, email)
                select gen_random_uuid(), 'authenticated', 'authenticated', e
                from unnest(array['g1@f.test', 'g2@f.test', 'g3@f.test', 'staff1@f.test',
                  'admin1@f.test', 'kid@f.test']) as e;
                insert into tutela.organizations (name, slug, max_guardians_per_student)
                values ('Fuzz School', 'fuzz-school', 2);
            """)
            org = conn.execute("select id from tutela.organizations").fetchone()
            assert org is not None
            for statement in (
                "insert into tutela.memberships (organization_id, user_id, role) "
                "select %(org)s, id, 'admin' from auth.users where email = 'admin1@f.test'",
                "insert into tutela.students (organization_id, display_name, sis_id, email, "
                "user_id) values (%(org)s, 'Ann', 'S1', 'ann@f.test', null), "
                "(%(org)s, 'Ben', 'S2', null, null), (%(org)s, 'Kid', 'S3', 'kid@f.test', "
                "(select id from auth.users where email = 'kid@f.test'))",
                "insert into tutela.guardian_links (student_id, guardian_id, status, "
                "created_via, activated_at, managed_by_roster) "
                "select s.id, u.id, 'active', 'roster', now(), true "
                "from tutela.students s, auth.users u "
                "where s.sis_id = 'S1' and u.email = 'g1@f.test'",
            ):
                conn.execute(statement, {"org": org[0]})
        with psycopg.connect(url) as conn:
            yield {"conn": conn, "org": org[0]}


def _counts(conn: Any) -> tuple[int, ...]:
    row = conn.execute(
        "select " + ", ".join(f"(select count(*) from {t})" for t in TABLES)
    ).fetchone()
    assert row is not None
    return tuple(row)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_import_roster_never_fails_badly(db: dict[str, Any], data: st.DataObject) -> None:
    conn = db["conn"]
    # mostly a real kind, so that most calls reach the rows
    kind = data.draw(st.sampled_from(KINDS) if data.draw(st.integers(0, 9), label="k")
                     else st.one_of(TEXT, st.none()), label="kind")
    shape = data.draw(st.integers(0, 12), label="shape")
    the_rows: Any = data.draw(rows(kind if kind in KINDS else "students"), label="rows")
    if shape == 0:
        the_rows = data.draw(WRONG, label="not an array")
    opts, valid_opts = data.draw(options(), label="options")
    well_formed = (kind in KINDS and isinstance(the_rows, list) and valid_opts
                   and not opts.get("strict") and not (kind == "students" and opts.get("full")))
    with conn.transaction(force_rollback=True):
        before = _counts(conn)  # as the owner: the outbox is not the service role's to read
        conn.execute("select set_config('role', 'service_role', true), "
                     "set_config('request.jwt.claims', '{\"role\": \"service_role\"}', true)")
        try:
            with conn.transaction():
                got = conn.execute(
                    "select tutela.import_roster(%s, %s, %s, %s)",
                    (db["org"], kind, Jsonb(the_rows), Jsonb(opts)),
                ).fetchone()
        except psycopg.Error as exc:
            state = exc.diag.sqlstate or "?"
            assert state in ALLOWED, (
                f"SQLSTATE {state} is not in docs/errors.md: {exc.diag.message_primary} "
                f"(kind {kind!r}, options {json.dumps(opts)[:200]})")
            assert not well_formed, (
                f"a well-formed call failed: {state} {exc.diag.message_primary}; "
                f"rows {json.dumps(the_rows)[:500]}")
            return
        assert got is not None
        result = got[0]
        # every row once, plus what a full sync did beyond the rows (line null)
        beyond = sum(1 for c in result["changes"] + result["errors"] if c["line"] is None)
        assert sum(result["counts"].values()) == len(the_rows) + beyond, result["counts"]
        assert result["counts"]["error"] == len(result["errors"])
        for error in result["errors"]:
            assert error["code"] in ALLOWED, error
        if opts.get("dry_run"):
            conn.execute("select set_config('role', 'none', true)")
            assert _counts(conn) == before
