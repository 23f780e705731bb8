"""Brute force of link codes, and secrets at rest.

- One account gets at most the documented number of evaluated guesses per window (5 failed
  redemptions per 15 minutes: docs/guardianship.md), sequentially or in parallel, and after
  that even the right code is refused (TU429): the throttle is no oracle.
- The arithmetic of docs/security.md ("Brute force of link codes") is recomputed here from the
  constants in the code, and the doc states the same numbers.
- No table or view readable by an API role (anon; authenticated as each actor; service_role)
  holds a code, a token or its hash: checked by column name and by content (live secrets made
  through the API are searched for, in plain text and as SHA-256, in every readable column).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from py_admin.db import scratch_database
from py_admin.matrix import act_as, build_world
from py_admin.pgtap import prepare_database

ROOT = Path(__file__).resolve().parents[2]
NAME_RE = re.compile(r"(code|token|hash|secret|password|otp|salt|pin)", re.I)
# Columns whose names match but hold no secret, each with the reason.
NOT_SECRETS = {
    "tutela.achievements.code": "the badge's public name (first_session, ...)",
    "tutela.plans.code": "the plan's public name (free, starter, ...)",
    "tutela.link_events.code_id": "the id of a link code, not the code",
    "tutela.organizations.link_code_ttl": "a setting: how long codes live",
    "tutela.organizations.students_may_create_link_codes": "a setting: a yes/no switch",
    "tutela.certificates.verification_code": "printed on the certificate so that anyone "
    "holding it can check it; grants nothing",
}
SKIP_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast", "tests")


@pytest.fixture(scope="module")
def db(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_secrets") as url:
        prepare_database(url, root=ROOT)
        yield url


def call_as(url: str, uid: Any, query: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url) as conn:
        conn.execute("select tutela_tests.authenticate_as(%s)", (uid,))
        row = conn.execute(query, params).fetchone()
        conn.commit()
        return row[0] if row else None


def admin_sql(url: str, query: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query, params)
        row = cur.fetchone() if cur.description else None
        return row[0] if row else None


# ---- brute force ----------------------------------------------------------------------------
def _student_with_code(url: str, tag: str) -> tuple[Any, str]:
    admin = admin_sql(url, "select tutela_tests.create_user(%s)", (f"admin-{tag}@bf.test",))
    org = call_as(url, admin, "select id from tutela.create_organization(%s, %s)",
                  (f"Org {tag}", f"org-{tag}"))
    student = call_as(url, admin, "select id from tutela.create_student(%s, %s)",
                      (org, f"Kid {tag}"))
    code = call_as(url, admin, "select code from tutela.create_guardian_link_code(%s)",
                   (student,))
    return student, str(code)


def _guesses(n: int) -> list[str]:
    # well-formed codes that are not the live one (Crockford base32, 12 characters)
    return [f"ZZZZ-ZZZZ-{i:04d}".replace("0", "Z") if i == 0 else f"ZZZZ-ZZZZ-{i:04d}"
            for i in range(n)]


def test_one_account_gets_five_guesses_per_window_then_not_even_the_right_code(
    db: str,
) -> None:
    student, code = _student_with_code(db, "seq")
    attacker = admin_sql(db, "select tutela_tests.create_user('seq@bf.test')")
    evaluated = 0
    throttled = 0
    for guess in _guesses(40):
        try:
            out = call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)", (guess,))
            assert out["code"] == "TU404"
            evaluated += 1
        except psycopg.Error as exc:
            assert exc.sqlstate == "TU429"
            throttled += 1
    assert (evaluated, throttled) == (5, 35)
    # the right code now is refused like any other: the throttle tells nothing
    with pytest.raises(psycopg.Error) as err:
        call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)", (code,))
    assert err.value.sqlstate == "TU429"
    assert admin_sql(db, "select count(*) from tutela.guardian_links where student_id = %s",
                     (student,)) == 0
    # next window: five more evaluated guesses, no more
    admin_sql(db, "update tutela_private.link_code_attempts set attempted_at = attempted_at "
                  "- interval '15 minutes 1 second' where user_id = %s", (attacker,))
    results = []
    for guess in _guesses(8):
        try:
            results.append(call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)",
                                   (guess,))["code"])
        except psycopg.Error as exc:
            results.append(exc.sqlstate)
    assert results == ["TU404"] * 5 + ["TU429"] * 3


def test_parallel_guesses_of_one_account_are_all_counted(db: str) -> None:
    _student, _code = _student_with_code(db, "par")
    attacker = admin_sql(db, "select tutela_tests.create_user('par@bf.test')")
    barrier = threading.Barrier(16)
    results: list[str] = []
    lock = threading.Lock()

    def guess(g: str) -> None:
        barrier.wait()
        try:
            out = call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)", (g,))
            value = str(out["code"])
        except psycopg.Error as exc:
            value = str(exc.sqlstate)
        with lock:
            results.append(value)

    threads = [threading.Thread(target=partial(guess, g)) for g in _guesses(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["TU404"] * 5 + ["TU429"] * 11


def test_malformed_guesses_count_too(db: str) -> None:
    attacker = admin_sql(db, "select tutela_tests.create_user('malformed@bf.test')")
    for guess in ["", "x", "'; select 1; --", "0" * 100, "ZZZZ"]:
        out = call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)", (guess,))
        assert out["code"] == "TU404"
    with pytest.raises(psycopg.Error) as err:
        call_as(db, attacker, "select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ')")
    assert err.value.sqlstate == "TU429"


# ---- the arithmetic of docs/security.md -----------------------------------------------------
def brute_force_numbers() -> dict[str, float]:
    """The attack budget, from the constants in rpc/ and migrations/."""
    rpc = (ROOT / "rpc" / "guardianship.sql").read_text()
    assert "('account', 5, interval '15 minutes', true)" in rpc
    assert "('global', 1000, interval '15 minutes', true)" in rpc
    assert "interval '5 minutes' and interval '30 days'" in rpc
    assert "^[0-9A-HJKMNP-TV-Z]{12}$" in rpc  # 12 Crockford base32 characters: 60 bits
    per_window, global_per_window, window_minutes, max_ttl_days = 5, 1000, 15, 30
    space = 32 ** 12
    assert space == 2 ** 60
    windows = max_ttl_days * 24 * 60 // window_minutes
    per_account = per_window * windows
    accounts = 10_000
    live_codes = 100_000
    tries = global_per_window * windows  # however many accounts: the global limit
    return {
        "space": float(space),
        "per_account": float(per_account),
        "accounts_alone": float(per_account * accounts),
        "tries": float(tries),
        "p_one_code": tries / space,
        "p_any_code": tries * live_codes / space,
    }


def test_brute_force_arithmetic_matches_the_doc() -> None:
    n = brute_force_numbers()
    assert n["per_account"] == 14_400  # 5 per 15 minutes for 30 days
    assert n["accounts_alone"] == 144_000_000
    assert n["tries"] == 2_880_000
    assert n["p_one_code"] < 2.51e-12
    assert n["p_any_code"] < 2.51e-7
    doc = (ROOT / "docs" / "security.md").read_text()
    for text in ("14,400", "1.44 x 10^8", "2.88 x 10^6", "2.50 x 10^-12", "2.50 x 10^-7",
                 "2^60"):
        assert text in doc, f"docs/security.md does not state {text}"


# ---- secrets at rest ------------------------------------------------------------------------
def readable_columns(conn: Any, role: str) -> list[tuple[str, str, str, str]]:
    rows = conn.execute(
        """
        select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v', 'm', 'p', 'f')
          and n.nspname <> all(%s) and n.nspname not like 'pg\\_%%'
          and has_schema_privilege(%s, n.oid, 'usage')
          and has_column_privilege(%s, c.oid, a.attnum, 'select')
        order by 1, 2, 3
        """,
        (list(SKIP_SCHEMAS), role, role),
    ).fetchall()
    return [(str(s), str(t), str(c), str(ty)) for s, t, c, ty in rows]


def test_no_readable_column_is_named_like_a_secret(db: str) -> None:
    with psycopg.connect(db) as conn:
        for role in ("anon", "authenticated", "service_role"):
            named = [f"{s}.{t}.{c}" for s, t, c, _ in readable_columns(conn, role)
                     if NAME_RE.search(c)]
            unexplained = [n for n in named if n not in NOT_SECRETS]
            assert unexplained == [], (role, unexplained)


def test_secret_tables_are_not_readable_by_api_roles(db: str) -> None:
    with psycopg.connect(db) as conn:
        for role in ("anon", "authenticated", "service_role"):
            for table, column in (("tutela_private.guardian_link_codes", "code_hash"),
                                  ("tutela_private.link_code_attempts", "user_id"),
                                  ("tutela_private.notification_outbox", "payload"),
                                  ("tutela.guardian_invites", "token_hash"),
                                  ("tutela.student_invites", "token_hash")):
                ok = conn.execute("select has_column_privilege(%s, %s, %s, 'select')",
                                  (role, table, column)).fetchone()
                assert ok == (False,), (role, table, column)


@pytest.fixture(scope="module")
def secrets(db: str) -> dict[str, Any]:
    """A world with live secrets made through the API; returns the plain secrets."""
    with psycopg.connect(db) as conn:
        variables = build_world(conn)
        conn.commit()
    staff, student = variables["u_staff"], variables["student"]
    code = call_as(db, staff, "select code from tutela.create_guardian_link_code(%s, 3)",
                   (student,))
    used = call_as(db, staff, "select code from tutela.create_guardian_link_code(%s)",
                   (student,))
    call_as(db, variables["u_stranger"], "select tutela.redeem_guardian_link_code(%s)", (used,))
    token = call_as(db, staff, "select token from tutela.invite_guardian(%s, %s)",
                    (student, "new.parent@secrets.test"))
    s_token = call_as(db, staff, "select token from tutela.invite_student(%s, %s, %s)",
                      (variables["org"], "New kid", "new.kid@secrets.test"))
    plain = [str(code), str(used), str(token), str(s_token)]
    normal = [p.replace("-", "") for p in plain[:2]]
    digests = [hashlib.sha256(p.encode()).digest() for p in plain + normal]
    return {"variables": variables, "plain": plain + normal, "digests": digests}


def scan(conn: Any, secrets: dict[str, Any], actor: str) -> tuple[list[str], int]:
    """Columns (schema.table.column) where `actor` reads a live secret, and how many were
    scanned; runs in the connection's transaction, leaves it as it was."""
    needles = secrets["plain"] + [d.hex() for d in secrets["digests"]]
    role = actor if actor in ("anon", "service_role") else "authenticated"
    found: list[str] = []
    scanned = 0
    columns = readable_columns(conn, role)
    conn.execute("savepoint acting")
    act_as(conn, actor, secrets["variables"])
    for schema, table, column, pgtype in columns:
        if pgtype not in ("text", "jsonb", "json", "bytea", "text[]", "character varying"):
            continue
        ident = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        col = sql.Identifier(column)
        params: tuple[Any, ...]
        if pgtype == "bytea":
            query = sql.SQL("select exists (select 1 from {} where {} = any(%s))").format(
                ident, col)
            params = (secrets["digests"],)
        else:
            query = sql.SQL(
                "select bool_or(exists (select 1 from {} as t where position(lower(n.n) in "
                "lower(t.{}::text)) > 0)) from unnest(%s::text[]) as n (n)"
            ).format(ident, col)
            params = (needles,)
        conn.execute("savepoint scan")
        try:
            hit = conn.execute(query, params).fetchone()
            scanned += 1
            if hit and hit[0]:
                found.append(f"{schema}.{table}.{column}")
        finally:
            conn.execute("rollback to savepoint scan")
    conn.execute("rollback to savepoint acting")
    return found, scanned


@pytest.mark.parametrize(
    "actor", ["anon", "stranger", "student", "guardian", "staff", "admin", "service_role"]
)
def test_no_readable_value_holds_a_live_secret(db: str, secrets: dict[str, Any],
                                               actor: str) -> None:
    with psycopg.connect(db) as conn:
        found, scanned = scan(conn, secrets, actor)
        conn.rollback()
    assert scanned > (0 if actor == "anon" else 20)
    assert found == [], f"{actor} reads a live secret in {found}"


def test_the_scan_finds_a_planted_secret(db: str, secrets: dict[str, Any]) -> None:
    """The scan can fail: a code copied into a readable column, or a hash into a readable
    bytea column, is found."""
    variables = secrets["variables"]
    with psycopg.connect(db) as conn:
        conn.execute("update tutela.students set display_name = %s where id = %s",
                     ("code " + secrets["plain"][0].lower(), variables["student"]))
        conn.execute("update tutela.profiles set display_name = %s where user_id = %s",
                     (secrets["digests"][2].hex(), variables["u_guardian"]))
        found, _ = scan(conn, secrets, "service_role")
        staff_found, _ = scan(conn, secrets, "staff")
        conn.rollback()
    assert "tutela.students.display_name" in found
    assert "tutela.profiles.display_name" in found
    assert "tutela.students.display_name" in staff_found
