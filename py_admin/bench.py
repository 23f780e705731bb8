"""`tutela bench`: dashboard reads under RLS against their physical floor, on a generated
database (`tutela seed synthetic`).

Each client is a thread with its own connection. A call is one transaction, as PostgREST runs
it: `role` and `request.jwt.claims` set locally, the statement, commit. Only the statement is
timed. Every read runs twice, back to back in random order, with the same arguments:

- `rls`: as the user (role `authenticated`, their claims): policies and permission checks.
- `floor`: as `service_role` (BYPASSRLS) doing the same work without any check. For a table
  read that is the same SELECT. For a SECURITY DEFINER function it is the function's core,
  which the public function calls after its checks: `tutela_hidden.parent_dashboard_doc(guardian)`,
  `tutela_hidden.child_overview_doc(child, the link's permissions)`,
  `tutela_hidden.student_dashboard_doc(student)`, and for the daily stats the SELECT on
  `daily_study_stats` the function returns. So rls / floor is the price of the checks.

`redeem_guardian_link_code` (a write) runs on fresh codes made before each level for students
with a free guardian slot, by new users; it has no floor. What a run adds (bench users, their
links and codes) is deleted at the end; the audit rows of `link_events` stay (append-only).
"""

from __future__ import annotations

import json
import os
import platform
import random
import secrets
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from py_admin.db import connect
from py_admin.errors import TutelaError

Conn = psycopg.Connection[Any]

READS = ("parent_dashboard", "child_overview", "daily_stats", "portfolio", "student_dashboard")
OPS = (*READS, "redeem_code")
# how often each operation is drawn (a dashboard screen opens more often than a link is made)
WEIGHTS = {"parent_dashboard": 4, "child_overview": 3, "daily_stats": 3, "portfolio": 3,
           "student_dashboard": 3, "redeem_code": 1}

PORTFOLIO_SQL = (
    "select id, subject, topic, question, leitner_box, due_at from tutela.flashcards "
    "where student_id = %s order by due_at limit 50"
)
DAILY_FLOOR_SQL = (
    "select d.day, d.reviews, d.correct, case when d.reviews > 0 "
    "then round(100.0 * d.correct / d.reviews, 1) end as accuracy, d.xp, d.minutes "
    "from tutela.daily_study_stats as d where d.student_id = %s order by d.day desc limit 60"
)

# op -> (rls statement, floor statement); arguments come from Actor.args(op)
STATEMENTS: dict[str, tuple[str, str | None]] = {
    "parent_dashboard": ("select tutela.parent_dashboard()",
                         "select tutela_hidden.parent_dashboard_doc(%s)"),
    "child_overview": ("select tutela.child_overview(%s)",
                       "select tutela_hidden.child_overview_doc(%s, %s::jsonb)"),
    "daily_stats": ("select * from tutela.guardian_get_child_daily_study_stats(%s, 60)",
                    DAILY_FLOOR_SQL),
    # the floor is its own prepared statement: one statement run under two roles would be
    # planned again at every switch (a plan made under RLS depends on the role)
    "portfolio": (PORTFOLIO_SQL, PORTFOLIO_SQL + " -- floor"),
    "student_dashboard": ("select tutela.student_dashboard()",
                          "select tutela_hidden.student_dashboard_doc(s) from tutela.students as s "
                          "where s.id = %s"),
    "redeem_code": ("select tutela.redeem_guardian_link_code(%s, 'guardian')", None),
}


@dataclass(frozen=True)
class Guardian:
    user_id: str
    child: str  # an active child (progress permission)
    perms: str  # that link's permissions, JSON
    card_child: str | None  # a child whose link grants card_content


@dataclass(frozen=True)
class Student:
    user_id: str
    student_id: str


@dataclass
class Pool:
    guardians: list[Guardian]
    students: list[Student]
    codes: list[tuple[str, str]] = field(default_factory=list)  # (user id, code)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_code(self) -> tuple[str, str] | None:
        with self.lock:
            return self.codes.pop() if self.codes else None


def _claims(user_id: str) -> str:
    now = int(time.time())
    return json.dumps({"sub": user_id, "role": "authenticated", "aud": "authenticated",
                       "aal": "aal1", "iat": now, "exp": now + 3600})


def _as_user(conn: Conn, user_id: str) -> None:
    conn.execute("select set_config('role', 'authenticated', true), "
                 "set_config('request.jwt.claims', %s, true)", (_claims(user_id),))


def _as_service(conn: Conn, user_id: str) -> None:
    # the service key; `sub` kept so that what reads auth.uid() (unread messages) matches
    conn.execute("select set_config('role', 'service_role', true), "
                 "set_config('request.jwt.claims', %s, true)",
                 (json.dumps({"role": "service_role", "sub": user_id}),))


def call_args(op: str, mode: str, actor: Any) -> tuple[str, tuple[Any, ...]]:
    """(user to act as, statement arguments) of one call."""
    if op in ("parent_dashboard", "child_overview", "daily_stats", "portfolio"):
        g: Guardian = actor
        child = g.card_child if op == "portfolio" else g.child
        if op == "parent_dashboard":
            return g.user_id, (() if mode == "rls" else (g.user_id,))
        if op == "child_overview":
            return g.user_id, ((child,) if mode == "rls" else (child, g.perms))
        return g.user_id, (child,)
    if op == "student_dashboard":
        s: Student = actor
        return s.user_id, (() if mode == "rls" else (s.student_id,))
    user, code = actor
    return user, (code,)


def run_call(conn: Conn, op: str, mode: str, actor: Any) -> float:
    """One call in its own transaction; returns the statement's seconds."""
    user, args = call_args(op, mode, actor)
    rls_sql, floor_sql = STATEMENTS[op]
    sql = rls_sql if mode == "rls" else floor_sql
    assert sql is not None
    with conn.transaction():
        (_as_user if mode == "rls" else _as_service)(conn, user)
        with conn.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(sql, args)
            cur.fetchall()
            return time.perf_counter() - t0


# ---- the pools of actors ----------------------------------------------------------------------
def load_pool(conn: Conn, seed: int, size: int = 5000) -> Pool:
    rows = conn.execute(
        """
        select l.guardian_id::text,
          (array_agg(l.student_id::text order by l.student_id))[1],
          (array_agg(l.permissions::text order by l.student_id))[1],
          (array_agg(l.student_id::text order by l.student_id)
            filter (where (l.permissions ->> 'card_content')::boolean))[1]
        from tutela.guardian_links as l
        where l.status = 'active' and (l.permissions ->> 'progress')::boolean
          and l.guardian_id not in (select u.id from auth.users as u
            where u.email like 'bench-%%@bench.tutela.test')
        group by l.guardian_id
        order by md5(l.guardian_id::text || %s)
        limit %s
        """, (str(seed), size)).fetchall()
    guardians = [Guardian(r[0], r[1], r[2], r[3]) for r in rows]
    students = [Student(r[0], r[1]) for r in conn.execute(
        "select s.user_id::text, s.id::text from tutela.students as s "
        "where s.user_id is not null order by md5(s.id::text || %s) limit %s",
        (str(seed), size)).fetchall()]
    conn.commit()
    if not guardians or not students:
        raise TutelaError("no guardians or students with logins to act as",
                          hint="generate data first: tutela seed synthetic --students N")
    if not any(g.card_child for g in guardians):
        raise TutelaError("no guardian link grants card_content")
    return pool_with_cards(guardians, students)


def pool_with_cards(guardians: list[Guardian], students: list[Student]) -> Pool:
    return Pool(guardians, students)


CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def make_codes(conn: Conn, run_id: str, level: int, count: int, seed: int,
               code_ids: list[str]) -> list[tuple[str, str]]:
    """`count` new users, each with a fresh one-use code for a student with a free slot
    (the codes' ids are appended to `code_ids`, for the clean-up)."""
    students = [r[0] for r in conn.execute(
        """
        select s.id::text from tutela.students as s
        join tutela.organizations as o on o.id = s.organization_id
        where (select count(*) from tutela.guardian_links as l
          where l.student_id = s.id and l.status in ('active', 'pending'))
          < o.max_guardians_per_student
        order by md5(s.id::text || %s)
        limit %s
        """, (f"{seed}:{level}", count)).fetchall()]
    rng = random.Random(f"{seed}:{run_id}:{level}")
    codes = ["".join(rng.choice(CODE_ALPHABET) for _ in range(12)) for _ in students]
    emails = [f"bench-{run_id}-{level}-{k}@bench.tutela.test" for k in range(len(students))]
    users = [r[0] for r in conn.execute(
        """
        insert into auth.users (id, aud, role, email, raw_app_meta_data, created_at, updated_at)
        select gen_random_uuid(), 'authenticated', 'authenticated', e,
          '{"provider": "email"}'::jsonb, now(), now()
        from unnest(%s::text[]) with ordinality as x (e, n)
        order by x.n
        returning id::text
        """, (emails,)).fetchall()]
    code_ids += [r[0] for r in conn.execute(
        """
        insert into tutela_private.guardian_link_codes (student_id, code_hash, expires_at, max_uses)
        select s::uuid, tutela_private.hash_secret(c), now() + interval '1 day', 1
        from unnest(%s::text[], %s::text[]) as x (s, c)
        returning id::text
        """, (students, codes)).fetchall()]
    conn.commit()
    return list(zip(users, codes, strict=True))


def cleanup(conn: Conn, run_id: str, code_ids: list[str]) -> int:
    """Delete what a run added: its users (with their links and attempts) and its codes."""
    row = conn.execute(
        "with gone as (delete from auth.users where email like %s returning id) "
        "select count(*) from gone", (f"bench-{run_id}-%@bench.tutela.test",)).fetchone()
    conn.execute("delete from tutela_private.guardian_link_codes where id = any(%s::uuid[])",
                 (code_ids,))
    conn.commit()
    return int(row[0]) if row else 0


# ---- one level ---------------------------------------------------------------------------------
@dataclass
class LevelResult:
    clients: int
    seconds: float
    samples: dict[tuple[str, str], list[float]]
    errors: dict[str, int]
    cpu_busy_percent: float | None
    load_average: tuple[float, float, float]
    # what the clients' server processes were doing, sampled every 50 ms: "CPU" (running),
    # a wait event type (Lock, LWLock, IO ...), or their state (idle in transaction: waiting
    # for the client)
    activity: dict[str, int] = field(default_factory=dict)


def _cpu_times() -> tuple[int, int] | None:
    try:
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return None
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts), idle


def run_level(url: str, pool: Pool, clients: int, duration: float, warmup: float,
              seed: int) -> LevelResult:
    samples: dict[tuple[str, str], list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    ops = list(WEIGHTS)
    weights = [WEIGHTS[o] for o in ops]
    conns = [connect(url) for _ in range(clients)]
    for c in conns:
        c.execute("set application_name = 'tutela-bench'")
        c.commit()
    start_barrier = threading.Barrier(clients + 2)
    timing: dict[str, float] = {}
    activity: dict[str, int] = {}

    def sampler() -> None:
        with connect(url, autocommit=True) as conn:
            start_barrier.wait()
            while time.monotonic() < timing["end"]:
                if time.monotonic() >= timing["measure_from"]:
                    for what, n in conn.execute(
                        "select case when state = 'active' then coalesce(wait_event_type, "
                        "'CPU') else state end, count(*) from pg_stat_activity "
                        "where application_name = 'tutela-bench' and pid <> pg_backend_pid() "
                        "group by 1"
                    ).fetchall():
                        activity[str(what)] = activity.get(str(what), 0) + int(str(n))
                time.sleep(0.05)

    def worker(k: int) -> None:
        conn = conns[k]
        rng = random.Random(f"{seed}:{clients}:{k}")
        local: dict[tuple[str, str], list[float]] = {}
        local_err: dict[str, int] = {}
        start_barrier.wait()
        while True:
            now = time.monotonic()
            if now >= timing["end"]:
                break
            op = rng.choices(ops, weights)[0]
            actor: Any
            if op == "redeem_code":
                actor = pool.take_code()
                if actor is None:
                    continue
                modes = ["rls"]
            else:
                actor = (rng.choice(pool.students) if op == "student_dashboard"
                         else rng.choice(pool.guardians))
                if op == "portfolio" and actor.card_child is None:
                    continue
                modes = ["rls", "floor"]
                rng.shuffle(modes)
            for mode in modes:
                try:
                    seconds = run_call(conn, op, mode, actor)
                except psycopg.Error as exc:
                    key = f"{op}.{mode}: {type(exc).__name__}"
                    local_err[key] = local_err.get(key, 0) + 1
                    continue
                if now >= timing["measure_from"]:
                    local.setdefault((op, mode), []).append(seconds)
        with lock:
            for pair, values in local.items():
                samples.setdefault(pair, []).extend(values)
            for key2, n in local_err.items():
                errors[key2] = errors.get(key2, 0) + n

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    threads.append(threading.Thread(target=sampler, daemon=True))
    for t in threads:
        t.start()
    begin = time.monotonic()
    timing["measure_from"] = begin + warmup
    timing["end"] = begin + warmup + duration
    start_barrier.wait()
    time.sleep(warmup)
    cpu0 = _cpu_times()
    for t in threads:
        t.join()
    cpu1 = _cpu_times()
    for c in conns:
        c.close()
    busy = None
    if cpu0 and cpu1 and cpu1[0] > cpu0[0]:
        total, idle = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        busy = round(100.0 * (total - idle) / total, 1)
    return LevelResult(clients, duration, samples, errors, busy, os.getloadavg(), activity)


# ---- statistics and reports ----------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarize(values: Sequence[float]) -> dict[str, Any]:
    ms = [v * 1000.0 for v in values]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "mean_ms": round(statistics.fmean(ms), 3),
            "p50_ms": round(percentile(ms, 50), 3), "p95_ms": round(percentile(ms, 95), 3),
            "p99_ms": round(percentile(ms, 99), 3)}


def level_dict(res: LevelResult) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for op in OPS:
        entry: dict[str, Any] = {}
        for mode in ("rls", "floor"):
            values = res.samples.get((op, mode), [])
            if values:
                entry[mode] = summarize(values)
        rls, floor = entry.get("rls"), entry.get("floor")
        if rls and floor and floor["p50_ms"] > 0:
            entry["ratio_p50"] = round(rls["p50_ms"] / floor["p50_ms"], 3)
            entry["ratio_p95"] = round(rls["p95_ms"] / floor["p95_ms"], 3)
        if entry:
            ops[op] = entry
    calls = sum(len(v) for v in res.samples.values())
    reads = sum(len(v) for (op, _), v in res.samples.items() if op in READS)
    rls_reads = sum(len(v) for (op, m), v in res.samples.items() if op in READS and m == "rls")
    return {
        "clients": res.clients, "seconds": res.seconds, "calls": calls,
        "calls_per_second": round(calls / res.seconds, 1),
        "read_calls_per_second": round(reads / res.seconds, 1),
        "rls_read_calls_per_second": round(rls_reads / res.seconds, 1),
        "cpu_busy_percent": res.cpu_busy_percent,
        "load_average": [round(x, 2) for x in res.load_average],
        "errors": res.errors, "server_activity_percent": {
            k: round(100.0 * v / max(1, sum(res.activity.values())), 1)
            for k, v in sorted(res.activity.items(), key=lambda kv: -kv[1])},
        "ops": ops,
    }


def machine_info() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": mem_gb,
            "system": platform.platform(), "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def database_info(conn: Conn) -> dict[str, Any]:
    info: dict[str, Any] = {}
    row = conn.execute("select version(), pg_database_size(current_database()), "
                       "current_setting('shared_buffers'), current_setting('work_mem'), "
                       "current_setting('max_connections')").fetchone()
    assert row is not None
    info["version"] = row[0]
    info["size_gb"] = round(row[1] / 1024 ** 3, 2)
    info["shared_buffers"], info["work_mem"], info["max_connections"] = row[2], row[3], row[4]
    counts: dict[str, int] = {}
    for table in ("students", "guardian_links", "flashcards", "card_reviews", "submissions",
                  "activity_events", "daily_study_stats"):
        # exact counts are slow on 10M rows; the planner's estimate after ANALYZE is enough
        r = conn.execute("select reltuples::bigint from pg_class where oid = %s::regclass",
                         (f"tutela.{table}",)).fetchone()
        counts[table] = int(r[0]) if r else 0
    r = conn.execute("select count(distinct guardian_id) from tutela.guardian_links").fetchone()
    counts["guardians"] = int(r[0]) if r else 0
    r = conn.execute("select count(*) from tutela.organizations").fetchone()
    counts["organizations"] = int(r[0]) if r else 0
    info["rows"] = counts
    conn.commit()
    return info


# ---- EXPLAIN -----------------------------------------------------------------------------------
def explain_all(url: str, pool: Pool, folder: Path, run_id: str, seed: int,
                code_ids: list[str]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement, with the plans of the statements inside the
    functions (auto_explain, nested). Each in a transaction that is rolled back."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    conn = connect(url)
    try:
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        loaded = conn.execute(
            "select current_setting('auto_explain.log_min_duration', true) is not null"
        ).fetchone()
        if not (loaded and loaded[0]):
            # not preloaded by the server (Supabase and the embedded cluster preload it):
            # only a superuser may LOAD it
            try:
                conn.execute("load 'auto_explain'")
            except psycopg.errors.InsufficientPrivilege:
                raise TutelaError(
                    "the bench's plans need auto_explain, which this role may not load",
                    hint="preload it (shared_preload_libraries = 'auto_explain', as Supabase "
                         "does), or run the bench as a superuser",
                ) from None
        for setting, value in (("log_min_duration", "0"), ("log_analyze", "on"),
                               ("log_buffers", "on"), ("log_nested_statements", "on"),
                               ("log_timing", "on"), ("log_level", "notice")):
            conn.execute(f"set auto_explain.{setting} = {value}")
        conn.commit()
        codes = make_codes(conn, run_id, 999, 1, seed, code_ids)
        guardian = next(g for g in pool.guardians if g.card_child)
        actors: dict[str, Any] = {op: guardian for op in READS}
        actors["student_dashboard"] = pool.students[0]
        actors["redeem_code"] = codes[0] if codes else None
        for op in OPS:
            for mode in ("rls", "floor"):
                sql = STATEMENTS[op][0 if mode == "rls" else 1]
                if sql is None or actors[op] is None:
                    continue
                user, args = call_args(op, mode, actors[op])
                run_call(conn, op, mode, actors[op])  # warm the cache first
                if op == "redeem_code":
                    codes = make_codes(conn, run_id, 998, 1, seed + 1, code_ids)
                    if not codes:
                        continue
                    user, args = call_args(op, mode, codes[0])
                notices.clear()
                with conn.transaction(force_rollback=True):
                    (_as_user if mode == "rls" else _as_service)(conn, user)
                    plan = conn.execute(
                        "explain (analyze, buffers) " + sql, args
                    ).fetchall()
                text = [f"-- {op} ({mode}): {sql}", f"-- arguments: {list(args)}", "",
                        "-- EXPLAIN (ANALYZE, BUFFERS)"]
                text += [str(r[0]) for r in plan]
                nested = [n for n in notices if "explain (analyze" not in n.lower()]
                if nested:
                    text += ["", "-- statements inside (auto_explain, nested statements)"]
                    text += nested
                path = folder / f"{op}.{mode}.txt"
                path.write_text("\n".join(text) + "\n")
                written.append(path.name)
    finally:
        conn.close()
    return written


# ---- the run -----------------------------------------------------------------------------------
@dataclass
class BenchConfig:
    clients: list[int]
    duration: float = 20.0
    warmup: float = 3.0
    seed: int = 1
    label: str | None = None
    out_root: Path = Path("bench/results")
    baseline: Path | None = None  # a results.json at a smaller scale, for the scaling check
    explain: bool = True


TARGETS_NOTE = {
    "parent_child_p95": "parent_dashboard() and child_overview() p95 < 15 ms (1 client)",
    "ratio": "every RLS read within 1.3x of its floor (p50 and p95, 1 client)",
    "daily_portfolio_p95": "daily stats and portfolio page p95 < 5 ms (1 client)",
    "scaling": "per-call p95 within 1.25x of the baseline's (1 client)",
    "throughput": "reads/s at 8 clients >= 6x reads/s at 1 client",
}


def evaluate(levels: list[dict[str, Any]], baseline: dict[str, Any] | None) -> list[dict[str,
                                                                                           Any]]:
    """Each target: met or not, with the figures."""
    by_clients = {lv["clients"]: lv for lv in levels}
    out: list[dict[str, Any]] = []
    one = by_clients.get(1)
    if one:
        ops = one["ops"]
        for op in ("parent_dashboard", "child_overview"):
            p95 = ops.get(op, {}).get("rls", {}).get("p95_ms")
            if p95 is not None:
                out.append({"target": f"{op} p95 < 15 ms", "value": p95, "met": p95 < 15})
        for op in ("daily_stats", "portfolio"):
            p95 = ops.get(op, {}).get("rls", {}).get("p95_ms")
            if p95 is not None:
                out.append({"target": f"{op} p95 < 5 ms", "value": p95, "met": p95 < 5})
        for op in READS:
            entry = ops.get(op, {})
            if "ratio_p50" in entry:
                worst = max(entry["ratio_p50"], entry["ratio_p95"])
                out.append({"target": f"{op} rls/floor <= 1.3 (p50 {entry['ratio_p50']}, "
                            f"p95 {entry['ratio_p95']})", "value": worst, "met": worst <= 1.3})
        if baseline:
            base_one = next((lv for lv in baseline.get("levels", []) if lv["clients"] == 1),
                            None)
            if base_one:
                for op in READS:
                    now = ops.get(op, {}).get("rls", {}).get("p95_ms")
                    then = base_one["ops"].get(op, {}).get("rls", {}).get("p95_ms")
                    if now and then:
                        ratio = round(now / then, 3)
                        out.append({"target": f"{op} p95 vs baseline "
                                    f"({baseline['database']['rows']['students']:,} students) "
                                    "<= 1.25", "value": ratio, "met": ratio <= 1.25})
    eight = by_clients.get(8)
    if one and eight and one["read_calls_per_second"]:
        ratio = round(eight["read_calls_per_second"] / one["read_calls_per_second"], 2)
        out.append({"target": "reads/s at 8 clients >= 6x at 1 client", "value": ratio,
                    "met": ratio >= 6})
    return out


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    d = doc["database"]
    lines = [
        f"# tutela bench: {doc['label']}", "",
        f"- started {doc['started_at']}; {doc['config']['duration']} s per level after "
        f"{doc['config']['warmup']} s warm-up; seed {doc['config']['seed']}",
        f"- machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB, {m['system']}; "
        f"load average at start {m['load_average_at_start']} (the machine is shared)",
        f"- database: {d['version'].split(' on ')[0]}, {d['size_gb']} GB, shared_buffers "
        f"{d['shared_buffers']}, work_mem {d['work_mem']}",
        "- rows: " + ", ".join(f"{k} {v:,}" for k, v in d["rows"].items()),
        "- latency is the statement alone (role and claims are set before it, in the same "
        "transaction); `floor` is the same work as service_role without checks",
        "",
    ]
    for lv in doc["levels"]:
        lines += [
            f"## {lv['clients']} client(s)", "",
            f"{lv['calls']:,} calls in {lv['seconds']} s: {lv['calls_per_second']:,} calls/s, "
            f"{lv['read_calls_per_second']:,} reads/s (rls + floor), "
            f"{lv['rls_read_calls_per_second']:,} RLS reads/s; CPU busy "
            f"{lv['cpu_busy_percent']}%, load {lv['load_average']}",
            "",
            "the clients' server processes, sampled: " + ", ".join(
                f"{k} {v}%" for k, v in lv.get("server_activity_percent", {}).items()),
            "",
            "| operation | mode | calls | p50 ms | p95 ms | p99 ms | rls/floor p50 | p95 |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for op, entry in lv["ops"].items():
            for mode in ("rls", "floor"):
                s = entry.get(mode)
                if not s:
                    continue
                ratio = (f"{entry.get('ratio_p50', '')} | {entry.get('ratio_p95', '')}"
                         if mode == "rls" else " | ")
                lines.append(f"| {op} | {mode} | {s['n']:,} | {s['p50_ms']} | {s['p95_ms']} | "
                             f"{s['p99_ms']} | {ratio} |")
        if lv["errors"]:
            lines += ["", "errors: " + ", ".join(f"{k} x{v}" for k, v in lv["errors"].items())]
        lines.append("")
    lines += ["## Targets", "", "| target | value | met |", "| --- | ---: | --- |"]
    for t in doc["targets"]:
        lines.append(f"| {t['target']} | {t['value']} | {'yes' if t['met'] else '**no**'} |")
    if doc.get("explain"):
        lines += ["", "EXPLAIN (ANALYZE, BUFFERS) of each statement, with the plans inside the "
                  "functions: `explain/`."]
    return "\n".join(lines) + "\n"


def run_bench(url: str, cfg: BenchConfig,
              on_level: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Any],
                                                                                  Path]:
    """The whole benchmark; writes results.json, results.md and explain/ under the folder."""
    if not cfg.clients or any(c < 1 for c in cfg.clients):
        raise TutelaError("--clients must list positive numbers, e.g. 1,8,16")
    started = datetime.now(UTC)
    run_id = secrets.token_hex(3)
    machine = machine_info()
    with connect(url) as conn:
        db = database_info(conn)
        pool = load_pool(conn, cfg.seed)
    label = cfg.label or f"{started:%Y%m%dT%H%M%SZ}-{db['rows']['students']}"
    folder = cfg.out_root / label
    folder.mkdir(parents=True, exist_ok=True)
    baseline = json.loads(cfg.baseline.read_text()) if cfg.baseline else None
    levels: list[dict[str, Any]] = []
    code_ids: list[str] = []
    try:
        for clients in cfg.clients:
            with connect(url) as conn:
                # enough fresh codes for the level: up to 50 redemptions a second
                pool.codes = make_codes(conn, run_id, clients, max(20, int(
                    50 * (cfg.duration + cfg.warmup))), cfg.seed, code_ids)
            res = run_level(url, pool, clients, cfg.duration, cfg.warmup, cfg.seed)
            lv = level_dict(res)
            levels.append(lv)
            if on_level:
                on_level(lv)
        explained = explain_all(url, pool, folder / "explain", run_id, cfg.seed,
                                code_ids) if cfg.explain else []
    finally:
        with connect(url) as conn:
            cleanup(conn, run_id, code_ids)
    doc: dict[str, Any] = {
        "label": label, "started_at": started.isoformat(timespec="seconds"),
        "config": {"clients": cfg.clients, "duration": cfg.duration, "warmup": cfg.warmup,
                   "seed": cfg.seed, "weights": WEIGHTS,
                   "baseline": str(cfg.baseline) if cfg.baseline else None},
        "machine": machine, "database": db, "levels": levels,
        "targets": evaluate(levels, baseline), "targets_note": TARGETS_NOTE,
        "explain": explained,
        "floors": {op: STATEMENTS[op][1] for op in OPS},
    }
    (folder / "results.json").write_text(json.dumps(doc, indent=2) + "\n")
    (folder / "results.md").write_text(markdown(doc))
    return doc, folder


def summarize_scaling(root: Path, small: str = "10k", large: str = "100k") -> str:
    """Median p50 and p95 per operation over interleaved 1-client runs `<small>-<k>` and
    `<large>-<k>` under `root` (how bench/results/scaling/README.md was made); writes
    README.md and summary.json there and returns the markdown."""
    runs: dict[str, list[dict[str, Any]]] = {
        size: [json.loads(p.read_text()) for p in sorted(root.glob(f"{size}-*/results.json"))]
        for size in (small, large)}
    if not runs[small] or not runs[large]:
        raise TutelaError(f"no runs {small}-N and {large}-N under {root}")
    lines = [f"# Scaling: {small} vs {large}, 1 client, interleaved", "",
             f"{len(runs[small])} runs per database, alternating, so that both see the same "
             "background load (the machine is shared). Per operation: the median over the "
             "runs of each run's p50 and p95 (RLS calls), and the ratio.", "",
             "| run | load average (1 min) | CPU busy % |", "| --- | ---: | ---: |"]
    for size in (small, large):
        for k, doc in enumerate(runs[size], 1):
            lv = doc["levels"][0]
            lines.append(f"| {size}-{k} | {lv['load_average'][0]} | {lv['cpu_busy_percent']} |")
    lines += ["", f"| operation | p50 {small} | p50 {large} | ratio | p95 {small} | "
              f"p95 {large} | ratio (target <= 1.25) |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    summary: dict[str, Any] = {}
    for op in OPS:
        med: dict[tuple[str, str], float] = {}
        for size in (small, large):
            for q in ("p50_ms", "p95_ms"):
                vals = [v for doc in runs[size]
                        if (v := doc["levels"][0]["ops"].get(op, {}).get("rls", {}).get(q))
                        is not None]
                if vals:
                    med[(size, q)] = statistics.median(vals)
        if len(med) < 4:
            continue
        r50 = med[(large, "p50_ms")] / med[(small, "p50_ms")]
        r95 = med[(large, "p95_ms")] / med[(small, "p95_ms")]
        summary[op] = {"p50": [med[(small, "p50_ms")], med[(large, "p50_ms")], round(r50, 3)],
                       "p95": [med[(small, "p95_ms")], med[(large, "p95_ms")], round(r95, 3)]}
        lines.append(f"| {op} | {med[(small, 'p50_ms')]} | {med[(large, 'p50_ms')]} | "
                     f"{r50:.2f} | {med[(small, 'p95_ms')]} | {med[(large, 'p95_ms')]} | "
                     f"{r95:.2f} |")
    text = "\n".join(lines) + "\n"
    (root / "README.md").write_text(text)
    (root / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return text
