"""Property-based fuzzing of every function in `public` that `anon` or `authenticated` may call.

The functions and their argument types come from the catalog at test time (a new function is
fuzzed without anyone listing it). Arguments: nulls, empty and huge strings, unicode and
control characters, SQL metacharacters, negative and huge numbers, random uuids and the world's
real ids, wrong JSON shapes, odd dates, intervals and arrays. Values are sent with their
declared types (bound parameters cast to the argument's type), so what is exercised is the
function body, not PostgreSQL's input parsing of a malformed literal.

Callers: anon and the signed-in actors of a world (demo data plus the privilege matrix's world:
the student, guardians in every state, staff, an admin, staff of another organisation, a
stranger), one PostgREST-like transaction per call, rolled back afterwards.

Every call either succeeds or raises a SQLSTATE that docs/errors.md lists for clients (class 23
is listed only for direct writes: a function must report those cases as TU409 or TU422).
Never an internal error (XX000), a data exception (22xxx) the function should have validated,
a leaked constraint violation (23xxx), a missing function (42883) or a timeout. A refused call
writes nothing: the row count of every table (public and private) is unchanged after it; a
refusal that is returned instead of raised (docs/errors.md) writes only its documented trace.
A volatile call that succeeds is made a second time at once (a retried request): that one
too succeeds or is refused with a documented code (no unique violation leaking). An outsider
(a stranger, staff of another organisation, a pending or revoked guardian) never succeeds
with a call naming organisation A, its student or their objects, beyond a short reviewed list
(OUTSIDER_MAY).

Profiles: `ci` (default: at least 5,000 calls, derandomized so that a run is reproducible) and
`nightly` (TUTELA_FUZZ_PROFILE=nightly or TUTELA_HEAVY=1: at least 100,000 calls, random
seeds). TUTELA_FUZZ_CALLS sets another minimum.
"""

from __future__ import annotations

import json
import math
import os
import re
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from py_admin.db import connect, scratch_database
from py_admin.errors import documented_sqlstates
from py_admin.matrix import act_as, build_world
from py_admin.pgtap import prepare_database
from py_admin.seed import apply_seed

ROOT = Path(__file__).resolve().parents[2]
PROFILE = "nightly" if (
    os.environ.get("TUTELA_FUZZ_PROFILE") == "nightly" or os.environ.get("TUTELA_HEAVY") == "1"
) else os.environ.get("TUTELA_FUZZ_PROFILE", "ci")
MIN_CALLS = int(os.environ.get("TUTELA_FUZZ_CALLS", {"ci": 5_000, "nightly": 100_000}[PROFILE]))
# Actors with no relationship to the world's student: anything they manage to do must be
# self-service (their own account, their own organisation, an invite addressed to them).
OUTSIDERS = ("stranger", "other_staff", "guardian_pending", "guardian_revoked")
# What an outsider may succeed with when an argument names the world's organisation, student or
# one of their objects: a pending guardian withdraws their own request (revokes their link);
# reading one's own alerts and preferences filtered by any student returns one's own rows only.
OUTSIDER_MAY = {
    ("revoke_guardian_link", "guardian_pending"),
    ("list_alerts", "*"),
    ("get_notification_preferences", "*"),
}
WORLD_A_VARIABLES = (
    "org", "student", "alert", "conversation", "subscription", "code_id", "invite", "drill",
    "drill_assignment", "report", "invited_kid",
)
ACTORS = (
    "anon", "stranger", "student", "guardian", "guardian_noperm", "guardian_pending",
    "guardian_revoked", "staff", "other_staff", "admin",
)
# Refusals returned instead of raised, and the tables their trace may write (docs/errors.md).
RETURNED_REFUSAL_TRACE = {"redeem_guardian_link_code": {"tutela_private.link_code_attempts"}}
CALLS: dict[str, int] = {}
OUTCOMES: dict[str, dict[str, int]] = {}  # function -> "ok" or SQLSTATE -> calls
OUTSIDER_OK: dict[str, set[str]] = {}  # function -> outsiders it succeeded for


# ---- the error registry ---------------------------------------------------------------------
ALLOWED = documented_sqlstates(ROOT)


def test_error_registry_is_parsed() -> None:
    assert {"TU401", "TU403", "TU404", "TU409", "TU422", "TU429", "42501"} <= ALLOWED
    assert not any(c.startswith(("22", "23", "XX")) for c in ALLOWED)


# ---- the world ------------------------------------------------------------------------------
@dataclass
class Fn:
    name: str
    args: list[tuple[str, str, bool]]  # (name, type, has default)
    anon: bool
    provolatile: str = "v"

    @property
    def id(self) -> str:
        return f"{self.name}({', '.join(t for _, t, _ in self.args)})"


@dataclass
class World:
    url: str
    variables: dict[str, str]
    uuids: list[uuid.UUID]
    count_sql: str
    tables: list[str]
    links: list[uuid.UUID]
    demo_students: list[uuid.UUID]

    @property
    def a_ids(self) -> set[uuid.UUID]:
        """Ids of organisation A, its student and their objects."""
        return {uuid.UUID(self.variables[v]) for v in WORLD_A_VARIABLES} | set(self.links)


EXTRA_WORLD = """
insert into tutela.conversations (kind, organization_id, student_id, created_by)
values ('guardian_staff', :'org', :'student', :'u_staff') returning id as conversation \\gset
insert into tutela.conversation_members (conversation_id, user_id, role)
values (:'conversation', :'u_guardian', 'guardian'), (:'conversation', :'u_staff', 'staff');
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key)
values (:'u_guardian', :'student', 'low_grade', 'Low grade', 'fuzz-1') returning id as alert \\gset
insert into tutela.subscriptions (plan_id, student_id, status, paid_by)
select id, :'student', 'active', :'u_guardian' from tutela.plans where code = 'starter'
returning id as subscription \\gset
insert into tutela.students (organization_id, display_name) values (:'org', 'Invited kid')
returning id as invited_kid \\gset
insert into tutela.student_invites (student_id, email, token_hash, expires_at, invited_by)
values (:'invited_kid', 'stranger@matrix.test',
  extensions.digest('fuzz-student-token', 'sha256'), now() + interval '1 day', :'u_staff');
insert into tutela_private.guardian_link_codes (student_id, code_hash, expires_at, created_by)
values (:'student', extensions.digest('ABCDEFGH2345', 'sha256'), now() + interval '1 day',
  :'u_student') returning id as code_id \\gset
insert into tutela.guardian_invites (student_id, email, token_hash, expires_at, invited_by)
values (:'student', 'stranger@matrix.test', extensions.digest('fuzz-token', 'sha256'),
  now() + interval '1 day', :'u_staff') returning id as invite \\gset
insert into tutela.drills (organization_id, title) values (:'org', 'Pop-ups')
returning id as drill \\gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id)
values (:'drill', :'student', :'org') returning id as drill_assignment \\gset
insert into tutela.reports (student_id, type, period_start, period_end, sections)
values (:'student', 'weekly', current_date - 7, current_date - 1, '{progress}')
returning id as report \\gset
"""

# Plausible values per parameter name: the world's real ids and the values a function accepts,
# so that calls get past "not found" and reach the function's deeper checks and writes.
ID_POOLS = {
    "p_student_id": ["student"],
    "p_organization_id": ["org", "other_org"],
    "p_user_id": ["u_stranger", "u_guardian", "u_staff", "u_student", "u_admin"],
    "p_member_ids": ["u_guardian", "u_staff", "u_admin", "u_student", "u_guardian_noperm"],
    "p_alert_id": ["alert"], "p_before_id": ["alert"],
    "p_conversation_id": ["conversation"],
    "p_subscription_id": ["subscription"],
    "p_invite_id": ["invite"], "p_code_id": ["code_id"],
    "p_assignment_id": ["drill_assignment"],
}
TEXT_HINTS = {
    "p_relation": ["mother", "father", "guardian", "other"],
    "p_role": ["staff", "admin"],
    "p_type": ["weekly", "monthly", "term", "transcript", "course_grade_low",
               "assignment_grade_high", "weekly_digest", "alert", "low_grade"],
    "p_kind": ["student_staff", "guardian_staff", "co_guardians", "support"],
    "p_data_type": ["progress", "grades", "journal", "messaging", "profile"],
    "p_recipient_type": ["teachers", "ai_tutor", "other_guardians", "third_parties"],
    "p_plan_code": ["free", "starter", "professional", "family"],
    "p_code": ["ABCD-EFGH-2345", "abcdefgh2345", "ABCD EFGH 2345", "ABCD-EFGH-2346"],
    "p_token": ["fuzz-token", "fuzz-student-token"],
    "p_email": ["stranger@matrix.test", "new.parent@matrix.test", "STUDENT@MATRIX.TEST"],
    "p_min_severity": ["info", "warning", "critical"],
    "p_name": ["Matrix C", "Pat"], "p_display_name": ["Kid"], "p_slug": ["matrix-c", "x"],
    "p_title": ["Hello"], "p_reason": ["moved away"],
    "p_status": ["assigned", "completed", "overdue"],
    "p_channels": ["email", "sms", "push", "in_app"],
    "p_types": ["low_grade", "inactive_week"],
}


def _functions(conn: Any) -> list[Fn]:
    rows = conn.execute(
        """
        select p.proname, p.oid,
               coalesce(p.proargnames, '{}'::text[]),
               array(select format_type(t, null) from unnest(p.proargtypes) t),
               p.pronargdefaults, p.pronargs,
               has_function_privilege('anon', p.oid, 'execute'), p.provolatile::text
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'tutela' and p.prokind = 'f'
          and (has_function_privilege('anon', p.oid, 'execute')
               or has_function_privilege('authenticated', p.oid, 'execute'))
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                          and d.objid = p.oid and d.deptype = 'e')
        order by 1, 2
        """
    ).fetchall()
    out = []
    for name, _oid, argnames, argtypes, ndefaults, nargs, anon, volatility in rows:
        args = [
            (argnames[i], argtypes[i], i >= nargs - ndefaults) for i in range(nargs)
        ]
        out.append(Fn(name, args, bool(anon), str(volatility)))
    return out


def _count_sql(conn: Any) -> tuple[str, list[str]]:
    tables = [
        str(r[0]) for r in conn.execute(
            """
            select format('%I.%I', n.nspname, c.relname)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname in ('tutela', 'tutela_private') and c.relkind in ('r', 'p')
            order by 1
            """
        )
    ]
    parts = [f"(select count(*) from {t})" for t in tables]
    return "select array[" + ", ".join(parts) + "]::bigint[]", tables


@pytest.fixture(scope="module")
def world(server_url: str) -> Iterator[World]:
    with scratch_database(server_url, prefix="tutela_pytest_fuzz") as url:
        prepare_database(url, root=ROOT)
        apply_seed(url, "demo", root=ROOT)
        with connect(url) as conn:
            variables = build_world(conn, EXTRA_WORLD)
            conn.commit()
            ids = set()
            for table in ("students", "organizations", "guardian_links", "guardian_invites",
                          "student_invites", "alerts", "conversations", "subscriptions",
                          "drill_assignments", "reports", "courses", "plans"):
                for (value,) in conn.execute(f"select id from tutela.{table} limit 6"):
                    ids.add(value)
            for (value,) in conn.execute("select id from auth.users limit 12"):
                ids.add(value)
            ids |= {uuid.UUID(v) for k, v in variables.items() if _is_uuid(v)}
            count_sql, tables = _count_sql(conn)
            links = [r[0] for r in conn.execute(
                "select id from tutela.guardian_links where student_id = %s",
                (variables["student"],))]
            demo = [r[0] for r in conn.execute("select id from tutela.students limit 3")]
            global FUNCTIONS
            FUNCTIONS = _functions(conn)
        yield World(url, variables, sorted(ids), count_sql, tables, links, demo)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


FUNCTIONS: list[Fn] = []


def _catalog_functions() -> list[str]:
    """Names for the test ids, from the grants in rpc/*.sql (collection has no database yet).
    The calls themselves use the catalog's functions and argument types, and
    test_every_callable_function_is_fuzzed fails when the two lists differ."""
    names: set[str] = set()
    for path in sorted((ROOT / "rpc").glob("*.sql")):
        text = path.read_text()
        for m in re.finditer(
            r"grant execute on function tutela\.([a-z_0-9]+)\(.*?\)\s+to\s+([a-z_, ]+);",
            text, re.S,
        ):
            if re.search(r"\b(authenticated|anon)\b", m.group(2)):
                names.add(m.group(1))
    return sorted(names)


NAMES = _catalog_functions()


# ---- strategies -----------------------------------------------------------------------------
NASTY_TEXT = [
    "", " ", "'", "''", "\"", "\\", "%", "_", ";", "--", "/*", "*/", "$$", "$1",
    "' or '1'='1", "'); drop table tutela.students; --", "null", "NULL", "true", "{}", "[]",
    "\t", "\r\n", "\u200b", "\ufeff", "é", "Ω", "😀", "👩‍👧", "\u202e", "a" * 10_000,
    "x" * 501, "7KQ2-M9XD-4TBA", "AAAA-BBBB-CCCC", "progress", "journal", "weekly",
    "guardian", "mother", "staff", "admin", "student", "support", "guardian_staff",
    "max_guardians_per_student", "link_code_ttl", "course_grade_low", "email", "sms",
    "info", "critical", "weekly_digest", "free", "starter", "professional", "active",
    "stranger@matrix.test", "UPPER@Example.TEST", "not-an-email", "a@b", "ABCD-EFGH-2345",
    "fuzz-token", "1 day", "-1", "0", "9" * 40, "NaN", "Infinity",
]

text_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
any_text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(text_chars, max_size=40),
    st.text(st.sampled_from(string.printable), min_size=200, max_size=3000),
)


JSON_KEYS = st.sampled_from([
    "progress", "journal", "name", "max_guardians_per_student", "link_code_ttl",
    "link_requires_student_approval", "guardian_invite_ttl", "grades", "messaging",
    "digital_consent_age", "require_mfa_for_sensitive", "guardian_invite_policy",
    "students_may_create_link_codes", "family_access_enabled",
])
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False), any_text,
)


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(any_text, JSON_KEYS), children, max_size=4),
    )


JSON_VALUES = st.recursive(JSON_SCALARS, _json_containers, max_leaves=8)


INT4 = (-(2**31), 2**31 - 1)


def strategy_for(pgtype: str, world: World) -> st.SearchStrategy[Any]:
    uuids = st.one_of(st.sampled_from(world.uuids), st.uuids())
    if pgtype in ("text", "character varying", "citext"):
        return any_text
    if pgtype == "uuid":
        return uuids
    if pgtype in ("integer", "smallint", "bigint"):
        lo, hi = {"smallint": (-(2**15), 2**15 - 1), "integer": INT4,
                  "bigint": (-(2**63), 2**63 - 1)}[pgtype]
        return st.one_of(st.sampled_from([0, 1, -1, 2, 5, 30, 100, 101, 366, 367, lo, hi]),
                         st.integers(lo, hi))
    if pgtype == "numeric":
        return st.one_of(
            st.sampled_from([Decimal(0), Decimal(-1), Decimal("100.01"), Decimal("1e30"),
                             Decimal("NaN"), Decimal("-0.001")]),
            st.decimals(allow_nan=False, allow_infinity=False, places=3,
                        min_value=-(10**12), max_value=10**12),
        )
    if pgtype == "boolean":
        return st.booleans()
    if pgtype in ("jsonb", "json"):
        return JSON_VALUES.map(psycopg.types.json.Jsonb)
    # special values PostgreSQL accepts as input (sent as text, cast to the type)
    if pgtype == "date":
        return st.one_of(st.dates(date(1, 1, 1), date(9999, 12, 31)),
                         st.sampled_from([date.today(), date.today() - timedelta(days=7),
                                          "infinity", "-infinity", "epoch", "4713-01-01 BC"]))
    if pgtype == "timestamp with time zone":
        return st.one_of(
            st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC)),
            st.sampled_from([datetime.now(UTC), "infinity", "-infinity", "epoch",
                             "294276-12-31 23:59:59+00", "4713-01-01 00:00:00+00 BC"]),
        )
    if pgtype == "interval":
        return st.one_of(
            st.sampled_from([timedelta(0), timedelta(minutes=4), timedelta(minutes=5),
                             timedelta(days=30), timedelta(days=31), timedelta(days=-1)]),
            st.timedeltas(timedelta(days=-999_999), timedelta(days=999_999)),
        )
    if pgtype == "text[]":
        return st.lists(any_text, max_size=6)
    if pgtype == "uuid[]":
        return st.lists(uuids, max_size=60)
    raise AssertionError(f"no strategy for type {pgtype}: add one to tests/py/test_fuzz_api.py")


JSON_HINTS = {
    "p_settings": [
        {"max_guardians_per_student": 1}, {"max_guardians_per_student": 10},
        {"max_guardians_per_student": 11}, {"max_guardians_per_student": 0},
        {"link_code_ttl": "5 minutes"}, {"link_code_ttl": "30 days"},
        {"link_code_ttl": "31 days"}, {"guardian_invite_ttl": "1 hour"},
        {"student_invite_ttl": "90 days"}, {"link_requires_student_approval": True},
        {"name": "Renamed"}, {"name": ""}, {"max_guardians_per_student": 3, "name": "X"},
    ],
    "p_permissions": [
        {"progress": True}, {"journal": True}, {"journal": False, "grades": False},
        {"messaging": False}, {"unknown": True}, {}, {"progress": None},
    ],
}


def hinted(name: str, pgtype: str, world: World) -> st.SearchStrategy[Any] | None:
    """Plausible values for a parameter, by its name, or None."""
    if name in JSON_HINTS:
        return st.sampled_from(JSON_HINTS[name]).map(psycopg.types.json.Jsonb)
    if name in ID_POOLS:
        ids = [uuid.UUID(world.variables[v]) for v in ID_POOLS[name]]
        if name == "p_student_id":
            ids += world.demo_students
        base: st.SearchStrategy[Any] = st.sampled_from(ids)
        return st.lists(base, max_size=5) if pgtype.endswith("[]") else base
    if name == "p_link_id":
        return st.sampled_from(world.links)
    if name in TEXT_HINTS:
        words = st.sampled_from(TEXT_HINTS[name])
        return st.lists(words, max_size=4) if pgtype.endswith("[]") else words
    return None


def value_for(name: str, pgtype: str, world: World) -> st.SearchStrategy[Any]:
    """10% null, else the name's plausible values (when it has some) or anything of the type."""
    generic = strategy_for(pgtype, world)
    hint = hinted(name, pgtype, world)
    return st.integers(0, 9).flatmap(
        lambda i: st.none() if i == 0 else (hint if hint is not None and i <= 6 else generic)
    )


@st.composite
def calls(draw: st.DrawFn, fn: Fn, world: World) -> tuple[str, list[tuple[str, str, Any]]]:
    # half the calls by the actors most functions allow (to reach their success paths)
    actor = draw(st.one_of(st.sampled_from(ACTORS),
                           st.sampled_from(("admin", "staff", "student", "guardian"))))
    chosen: list[tuple[str, str, Any]] = []
    for name, pgtype, has_default in fn.args:
        if has_default and draw(st.booleans()):
            continue  # leave it to the default
        chosen.append((name, pgtype, draw(value_for(name, pgtype, world))))
    return actor, chosen


# ---- one call -------------------------------------------------------------------------------
@dataclass
class Outcome:
    kind: str  # ok | error | refusal
    sqlstate: str | None
    message: str
    result: Any


def _once(conn: Any, world: World, fn: Fn, actor: str, sql_text: str,
          params: list[Any]) -> tuple[Outcome, bool]:
    """One call in a savepoint of the caller's transaction: the outcome, and whether the row
    counts of every table are as they should be (unchanged after a refusal)."""
    CALLS[fn.name] = CALLS.get(fn.name, 0) + 1
    before = conn.execute(world.count_sql).fetchone()[0]
    try:
        with conn.transaction():
            act_as(conn, actor, world.variables)
            rows = conn.execute(sql_text, params).fetchall()
            result = [r[0] for r in rows]
            if fn.name in RETURNED_REFUSAL_TRACE and result and isinstance(result[0], dict) \
                    and "code" in result[0] and "id" not in result[0]:
                outcome = Outcome("refusal", str(result[0]["code"]), "", result)
            else:
                outcome = Outcome("ok", None, "", result)
            conn.execute("select set_config('role', 'none', true)")
            after = conn.execute(world.count_sql).fetchone()[0]
    except psycopg.Error as exc:
        after = conn.execute(world.count_sql).fetchone()[0]
        return Outcome("error", exc.sqlstate, str(exc).strip(), None), before == after
    if outcome.kind == "refusal":
        allowed = RETURNED_REFUSAL_TRACE[fn.name]
        changed = {t for t, b, a in zip(world.tables, before, after, strict=True) if b != a}
        return outcome, changed <= allowed
    return outcome, True


def call(conn: Any, world: World, fn: Fn, actor: str,
         args: list[tuple[str, str, Any]]) -> list[tuple[Outcome, bool]]:
    """The call as `actor`; when it succeeds, the same call again right after (a double click,
    a retried request): the second must succeed too or be refused with a documented code.
    Everything is rolled back afterwards."""
    placeholders = ", ".join(f"{n} => %s::{t}" for n, t, _ in args)
    sql_text = f"select to_jsonb(f) from tutela.{fn.name}({placeholders}) as f"
    params = [v for _, _, v in args]
    with conn.transaction(force_rollback=True):
        first = _once(conn, world, fn, actor, sql_text, params)
        if first[0].kind != "ok" or fn.provolatile != "v":
            return [first]
        return [first, _once(conn, world, fn, actor, sql_text, params)]


def names_world_a(args: list[tuple[str, str, Any]], a_ids: set[uuid.UUID]) -> bool:
    for _, _, value in args:
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, uuid.UUID) and v in a_ids for v in values):
            return True
    return False


def check(fn: Fn, actor: str, args: list[tuple[str, str, Any]], outcome: Outcome,
          counts_ok: bool, a_ids: set[uuid.UUID] | None = None) -> None:
    shown = {n: (v if not isinstance(v, str) or len(v) < 80 else v[:60] + f"...({len(v)})")
             for n, _, v in args}
    where = f"{fn.id} as {actor} with {shown!r}"
    if outcome.kind == "error":
        assert outcome.sqlstate in ALLOWED, (
            f"{where}: SQLSTATE {outcome.sqlstate} is not in docs/errors.md: {outcome.message}"
        )
        assert counts_ok, f"{where}: a refused call changed row counts"
        if actor == "anon":
            assert outcome.sqlstate == "42501", f"{where}: anon got {outcome.sqlstate}"
    elif outcome.kind == "refusal":
        assert outcome.sqlstate in ALLOWED, f"{where}: returned refusal {outcome.sqlstate}"
        assert counts_ok, f"{where}: a returned refusal wrote more than its trace"
    else:
        assert actor != "anon" or fn.anon, f"{where}: anon called a function not granted to it"
        if actor in OUTSIDERS and a_ids and names_world_a(args, a_ids):
            assert (fn.name, actor) in OUTSIDER_MAY or (fn.name, "*") in OUTSIDER_MAY, (
                f"{where}: an outsider succeeded on organisation A's data: {outcome.result}"
            )
        if fn.name == "generate_report":
            # a section that fails is caught and stored as a failed report: a hidden error
            assert all(r.get("status") != "failed" for r in outcome.result if r), (
                f"{where}: a report section failed: {outcome.result}"
            )


# ---- the tests ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_conn(world: World) -> Iterator[Any]:
    with connect(world.url) as conn:
        conn.execute("set statement_timeout = '10s'")
        conn.commit()
        yield conn


def _fn(name: str) -> list[Fn]:
    fns = [f for f in FUNCTIONS if f.name == name]
    assert fns, f"{name} is granted in rpc/ but not callable in the catalog"
    return fns


def examples_per_function() -> int:
    # functions with few or no arguments exhaust their space early: budget 40% more
    return math.ceil(1.4 * MIN_CALLS / max(len(NAMES), 1))


@pytest.mark.parametrize("name", NAMES)
def test_fuzz(name: str, world: World, fuzz_conn: Any) -> None:
    for fn in _fn(name):
        _fuzz_one(fn, world, fuzz_conn)


def _fuzz_one(fn: Fn, world: World, conn: Any) -> None:
    @settings(
        max_examples=examples_per_function(), deadline=None, database=None,
        suppress_health_check=list(HealthCheck), derandomize=PROFILE == "ci",
    )
    @given(data=calls(fn, world))
    def run(data: tuple[str, list[tuple[str, str, Any]]]) -> None:
        actor, args = data
        for outcome, counts_ok in call(conn, world, fn, actor, args):
            tally = OUTCOMES.setdefault(fn.name, {})
            key = outcome.sqlstate or outcome.kind
            tally[key] = tally.get(key, 0) + 1
            if outcome.kind == "ok" and actor in OUTSIDERS:
                OUTSIDER_OK.setdefault(fn.name, set()).add(actor)
            check(fn, actor, args, outcome, counts_ok, world.a_ids)

    run()


def test_every_callable_function_is_fuzzed(world: World) -> None:
    assert sorted({f.name for f in FUNCTIONS}) == NAMES


def test_fuzz_made_enough_calls() -> None:
    if set(CALLS) != set(NAMES):
        pytest.skip("only part of the fuzz ran (e.g. -k)")
    total = sum(CALLS.values())
    print(f"fuzz profile {PROFILE}: {total} calls over {len(CALLS)} functions")
    for name in sorted(OUTCOMES):
        print(f"  {name}: {dict(sorted(OUTCOMES[name].items()))}")
    for name in sorted(OUTSIDER_OK):
        print(f"  outsiders succeeded with {name}: {sorted(OUTSIDER_OK[name])}")
    succeeded = {n for n, t in OUTCOMES.items() if t.get("ok")}
    # the world's real ids let most functions get past their checks at least once
    assert len(succeeded) >= len(NAMES) // 2, sorted(set(NAMES) - succeeded)
    assert total >= MIN_CALLS, (total, MIN_CALLS)


def test_the_checker_catches_an_undocumented_error() -> None:
    fn = Fn("f", [], False)
    with pytest.raises(AssertionError):
        check(fn, "student", [], Outcome("error", "XX000", "boom", None), True)
    with pytest.raises(AssertionError):
        check(fn, "student", [], Outcome("error", "23505", "dup", None), True)
    with pytest.raises(AssertionError):
        check(fn, "student", [], Outcome("error", "TU422", "bad", None), False)
    check(fn, "student", [], Outcome("error", "TU422", "bad", None), True)
    assert json.dumps(sorted(ALLOWED))
    someone_elses = uuid.uuid4()
    args = [("p_student_id", "uuid", someone_elses)]
    with pytest.raises(AssertionError):
        check(fn, "stranger", args, Outcome("ok", None, "", [{}]), True, {someone_elses})
    check(fn, "stranger", args, Outcome("ok", None, "", [{}]), True, {uuid.uuid4()})
