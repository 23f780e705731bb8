"""Learning stats under concurrent writers and bulk loads: the rollups stay equal to a recount.

daily_study_stats (one row per student and UTC day) and student_stats (totals, streaks) are kept
by statement-level triggers. Here many sessions write reviews and activity events for the same
student at once, as PostgREST does (each thread its own connection; per transaction `role` and
`request.jwt.claims` set locally by tutela_tests.authenticate_as; several commits), while a
service-role
session deletes history and staff award points. After every round the rollups must equal a
recount done in Python from card_reviews, activity_events and points_ledger. A bulk load of
10,000 back-dated reviews for 20 students in one statement (as the owner) must be exact as well.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import psycopg
import pytest

from py_admin.db import scratch_database
from py_admin.pgtap import prepare_database

ROUNDS = 40 if os.environ.get("TUTELA_HEAVY") == "1" else 6
HOT_WRITERS = 16  # threads writing for the same student
OTHER_WRITERS = 3  # threads writing for a second student at the same time
COMMITS = 6  # transactions per writer and round
BATCH_STUDENTS = 30  # students per statement when batches of many students race
BATCH_ITERATIONS = 60  # statements pairs per batch writer
BULK_STUDENTS = 20
BULK_REVIEWS = 10_000


@pytest.fixture
def db(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_stats") as url:
        prepare_database(url)
        yield url


def admin_sql(url: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        row = cur.fetchone() if cur.description else None
        return row[0] if row else None


def run_at_once(fns: list[Callable[[], None]]) -> list[BaseException]:
    """Start every function together; return the exceptions they raised."""
    barrier = threading.Barrier(len(fns))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(fn: Callable[[], None]) -> None:
        barrier.wait()
        try:
            fn()
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


# ---- the recount ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rollups:
    daily: dict[tuple[Any, date], tuple[int, int, int, int, int]]
    totals: dict[Any, tuple[Any, ...]]


def review_xp(correct: bool, quality: int | None) -> int:
    return 10 + 2 * (3 if quality is None else quality) if correct else 2


def streaks(days: set[date]) -> tuple[int, int, date | None]:
    """(current, longest, last day): current is the newest run of consecutive days."""
    if not days:
        return 0, 0, None
    ordered = sorted(days)
    run = longest = 1
    for prev, cur in itertools.pairwise(ordered):
        run = run + 1 if cur - prev == timedelta(days=1) else 1
        longest = max(longest, run)
    return run, longest, ordered[-1]


def utc_day(ts: datetime) -> date:
    return ts.astimezone(UTC).date()


def recount(conn: psycopg.Connection[Any], students: list[Any]) -> Rollups:
    daily: dict[tuple[Any, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    xp: dict[Any, int] = defaultdict(int)
    reviews: dict[Any, int] = defaultdict(int)
    correct: dict[Any, int] = defaultdict(int)
    minutes: dict[Any, int] = defaultdict(int)
    last: dict[Any, datetime] = {}
    for sid, at, ok, quality, stored_xp in conn.execute(
        "select student_id, reviewed_at, correct, quality, xp from tutela.card_reviews "
        "where student_id = any(%s)", (students,)
    ):
        assert stored_xp == review_xp(ok, quality), (ok, quality, stored_xp)
        row = daily[(sid, utc_day(at))]
        row[0] += 1
        row[1] += int(ok)
        row[2] += stored_xp
        reviews[sid] += 1
        correct[sid] += int(ok)
        xp[sid] += stored_xp
        last[sid] = max(last.get(sid, at), at)
    for sid, at, mins in conn.execute(
        "select student_id, occurred_at, minutes from tutela.activity_events "
        "where student_id = any(%s)", (students,)
    ):
        row = daily[(sid, utc_day(at))]
        row[3] += mins
        row[4] += 1
        minutes[sid] += mins
        last[sid] = max(last.get(sid, at), at)
    points = dict(conn.execute(
        "select student_id, sum(points)::bigint from tutela.points_ledger "
        "where student_id = any(%s) group by 1", (students,)
    ).fetchall())
    active: dict[Any, set[date]] = defaultdict(set)
    for (sid, day), row in daily.items():
        if row[0] > 0 or row[4] > 0:
            active[sid].add(day)
    totals = {
        sid: (
            reviews[sid], correct[sid], xp[sid], xp[sid] + points.get(sid, 0), minutes[sid],
            last.get(sid), *streaks(active[sid]),
        )
        for sid in students
    }
    return Rollups({k: (v[0], v[1], v[2], v[3], v[4]) for k, v in daily.items()}, totals)


def stored(conn: psycopg.Connection[Any], students: list[Any]) -> Rollups:
    daily = {
        (sid, day): (reviews, correct, xp, minutes, activities)
        for sid, day, reviews, correct, xp, minutes, activities in conn.execute(
            "select student_id, day, reviews, correct, xp, minutes, activities "
            "from tutela.daily_study_stats where student_id = any(%s)", (students,)
        )
    }
    # a student without any history has no stats row yet: that reads as all zeros
    totals: dict[Any, tuple[Any, ...]] = dict.fromkeys(
        students, (0, 0, 0, 0, 0, None, 0, 0, None)
    )
    totals |= {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "select student_id, total_reviews, total_correct, total_xp, total_points, "
            "total_minutes, last_active_at, current_streak, longest_streak, last_active_day "
            "from tutela.student_stats where student_id = any(%s)", (students,)
        )
    }
    return Rollups(daily, totals)


def assert_exact(url: str, students: list[Any], when: str) -> Rollups:
    with psycopg.connect(url) as conn:
        # one snapshot for the rollups and the history they are compared with
        conn.execute("begin isolation level repeatable read")
        want = recount(conn, students)
        have = stored(conn, students)
        conn.rollback()
    for key in sorted(set(want.daily) | set(have.daily), key=str):
        assert have.daily.get(key) == want.daily.get(key), (
            f"{when}: daily_study_stats {key}: have {have.daily.get(key)}, "
            f"recount {want.daily.get(key)} (reviews, correct, xp, minutes, activities)"
        )
    for sid in students:
        assert have.totals.get(sid) == want.totals[sid], (
            f"{when}: student_stats {sid}: have {have.totals.get(sid)}, recount "
            f"{want.totals[sid]} (reviews, correct, xp, points, minutes, last_active_at, "
            "current_streak, longest_streak, last_active_day)"
        )
    return want


# ---- the world ------------------------------------------------------------------------------
@dataclass
class World:
    org: Any
    staff: Any
    students: list[Any]  # student ids
    logins: list[Any]  # their users
    cards: dict[Any, list[Any]]  # student id -> flashcard ids


def make_world(url: str, n_students: int, cards_each: int, tag: str) -> World:
    with psycopg.connect(url, autocommit=True) as conn:
        staff = conn.execute("select tutela_tests.create_user(%s)", (f"staff-{tag}@example.test",))
        staff_id = staff.fetchone()[0]  # type: ignore[index]
        org = conn.execute(
            "insert into tutela.organizations (name, slug) values (%s, %s) returning id",
            (f"Org {tag}", f"org-{tag}"),
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "insert into tutela.memberships (organization_id, user_id, role) "
            "values (%s, %s, 'staff')", (org, staff_id),
        )
        students, logins, cards = [], [], {}
        for i in range(n_students):
            uid = conn.execute(
                "select tutela_tests.create_user(%s)", (f"kid{i}-{tag}@example.test",)
            ).fetchone()[0]  # type: ignore[index]
            sid = conn.execute(
                "insert into tutela.students (organization_id, display_name, user_id) "
                "values (%s, %s, %s) returning id", (org, f"Kid {i}", uid),
            ).fetchone()[0]  # type: ignore[index]
            cards[sid] = [
                r[0] for r in conn.execute(
                    "insert into tutela.flashcards (student_id, subject, question, answer) "
                    "select %s, 'Maths', 'q' || g, 'a' from generate_series(1, %s) as g "
                    "returning id", (sid, cards_each),
                )
            ]
            students.append(sid)
            logins.append(uid)
    return World(org, staff_id, students, logins, cards)


# ---- concurrent writers ---------------------------------------------------------------------
def in_window(rng: random.Random, day_offset: int) -> datetime:
    """A time on the UTC day `day_offset` days ago, inside the API's 7-day window, not ahead."""
    now = datetime.now(UTC)
    start = datetime.combine(now.date() - timedelta(days=day_offset), time(0, 0, 1),
                             tzinfo=UTC)
    end = min(start + timedelta(hours=23, minutes=59), now - timedelta(minutes=1))
    if end <= start:  # just after midnight: today has no room yet
        return now - timedelta(minutes=1)
    return start + (end - start) * rng.random()


def student_writer(url: str, uid: Any, sid: Any, cards: list[Any], days: list[int],
                   seed: int) -> Callable[[], None]:
    def run() -> None:
        rng = random.Random(seed)
        with psycopg.connect(url) as conn:
            for _ in range(COMMITS):
                conn.execute("select tutela_tests.authenticate_as(%s)", (uid,))
                reviews = [
                    (sid, rng.choice(cards), in_window(rng, rng.choice(days)),
                     rng.random() < 0.7, rng.choice([None, 0, 1, 2, 3, 4, 5]))
                    for _ in range(rng.randint(1, 6))
                ]
                events = [
                    (sid, rng.choice(["lesson", "practice", "video"]),
                     in_window(rng, rng.choice(days)), rng.randint(0, 45))
                    for _ in range(rng.randint(0, 3))
                ]
                with conn.cursor() as cur:
                    review_sql = (
                        "insert into tutela.card_reviews "
                        "(student_id, flashcard_id, reviewed_at, correct, quality) "
                        "values (%s, %s, %s, %s, %s)"
                    )
                    event_sql = (
                        "insert into tutela.activity_events "
                        "(student_id, kind, occurred_at, minutes) values (%s, %s, %s, %s)"
                    )
                    # both orders: reviews first, or activity first
                    steps = [(review_sql, reviews), (event_sql, events)]
                    rng.shuffle(steps)
                    for stmt, rows in steps:
                        if rows:
                            cur.executemany(stmt, rows)
                conn.commit()

    return run


def service_deleter(url: str, sid: Any, seed: int) -> Callable[[], None]:
    def run() -> None:
        with psycopg.connect(url) as conn:
            for _ in range(COMMITS):
                conn.execute("select tutela_tests.as_service_role()")
                conn.execute("select setseed(%s)", (seed / 1000,))
                conn.execute(
                    "delete from tutela.card_reviews where id in ("
                    "  select id from tutela.card_reviews where student_id = %s"
                    "  order by random() limit 2)", (sid,),
                )
                conn.execute(
                    "delete from tutela.activity_events where id in ("
                    "  select id from tutela.activity_events where student_id = %s"
                    "  order by random() limit 1)", (sid,),
                )
                conn.commit()

    return run


def staff_awarder(url: str, staff: Any, sid: Any, seed: int) -> Callable[[], None]:
    def run() -> None:
        rng = random.Random(seed)
        with psycopg.connect(url) as conn:
            for _ in range(COMMITS):
                conn.execute("select tutela_tests.authenticate_as(%s)", (staff,))
                conn.execute(
                    "insert into tutela.points_ledger (student_id, points, reason) "
                    "values (%s, %s, 'Well done')", (sid, rng.choice([-3, 5, 10, 25])),
                )
                conn.commit()

    return run


def test_concurrent_writers_keep_rollups_exact(db: str) -> None:
    world = make_world(db, n_students=2, cards_each=6, tag="conc")
    hot, other = world.students
    hot_login, other_login = world.logins
    # older history with gaps, loaded by the owner: the streak recount has runs to find
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(
            "insert into tutela.activity_events (student_id, kind, occurred_at, minutes) "
            "select %s, 'lesson', (((now() at time zone 'UTC')::date - d) + time '12:00') "
            "at time zone 'UTC', 10 "
            "from generate_series(9, 30) as d where d not in (12, 13, 20)", (hot,),
        )
    assert_exact(db, world.students, "before the rounds")
    rng = random.Random(20261122)
    for r in range(ROUNDS):
        # each round writes on a few of the last 7 days: streaks grow, merge and break
        days = rng.sample(range(7), k=rng.randint(1, 3))
        fns: list[Callable[[], None]] = [
            student_writer(db, hot_login, hot, world.cards[hot], days, seed=100 * r + i)
            for i in range(HOT_WRITERS)
        ]
        fns += [
            student_writer(db, other_login, other, world.cards[other], days, seed=500 + 100 * r + i)
            for i in range(OTHER_WRITERS)
        ]
        if r > 0:
            fns.append(service_deleter(db, hot, seed=r))
        fns.append(staff_awarder(db, world.staff, hot, seed=r))
        errors = run_at_once(fns)
        assert not errors, f"round {r}: {len(errors)} writer(s) failed, first: {errors[0]!r}"
        want = assert_exact(db, world.students, f"after round {r}")
        assert want.totals[hot][0] > 0 and want.totals[other][0] > 0  # reviews were written


# ---- batches over many students -------------------------------------------------------------
def test_insert_and_delete_batches_of_many_students_do_not_deadlock(db: str) -> None:
    """Imports (owner) and corrections (service role) of many students run side by side: each
    statement's triggers lock the students' stats rows; they must take them in one order."""
    world = make_world(db, n_students=BATCH_STUDENTS, cards_each=2, tag="batch")
    students = world.students
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(
            "insert into tutela.card_reviews (student_id, flashcard_id, correct, quality) "
            "select f.student_id, f.id, g %% 2 = 0, 3 from tutela.flashcards as f "
            "cross join generate_series(1, 3) as g where f.student_id = any(%s)", (students,),
        )
        conn.execute(
            "insert into tutela.activity_events (student_id, kind, minutes) "
            "select s, 'lesson', 5 from unnest(%s::uuid[]) as s cross join generate_series(1, 3)",
            (students,),
        )
    stop = threading.Event()

    def batches(setup: str, statements: list[str], params: tuple[Any, ...]) -> Callable[[], None]:
        """One statement per transaction (so only the triggers' locks can cross)."""

        def run() -> None:
            with psycopg.connect(db) as conn:
                for i in range(BATCH_ITERATIONS):
                    if stop.is_set():
                        return
                    try:
                        conn.execute(setup)
                        conn.execute(statements[i % len(statements)], params)
                        conn.commit()
                    except psycopg.Error:
                        stop.set()
                        raise

        return run

    imports = [
        "insert into tutela.card_reviews (student_id, flashcard_id, correct) "
        "select f.student_id, f.id, true from tutela.flashcards as f "
        "where f.student_id = any(%s)",
        "insert into tutela.activity_events (student_id, kind, minutes) "
        "select s, 'lesson', 1 from unnest(%s::uuid[]) as s",
    ]
    # each correction session deletes its own rows (odd or even ids): they never wait on
    # each other's history rows, only on the stats rows the triggers lock
    corrections = [
        "delete from tutela.card_reviews where id in ("
        "  select min(id) from tutela.card_reviews"
        "  where student_id = any(%s) and id %% 2 = %s group by student_id)",
        "delete from tutela.activity_events where id in ("
        "  select min(id) from tutela.activity_events"
        "  where student_id = any(%s) and id %% 2 = %s group by student_id)",
    ]
    owner_import = batches("select tutela_tests.clear_authentication()", imports, (students,))
    fns = [owner_import, owner_import] + [
        batches("select tutela_tests.as_service_role()", corrections, (students, parity))
        for parity in (0, 1)
    ]
    errors = run_at_once(fns)
    assert not errors, (
        f"{len(errors)} batch writer(s) failed, e.g. {errors[0]!r} "
        f"(sqlstate {getattr(errors[0], 'sqlstate', None)})"
    )
    assert_exact(db, students, "after the concurrent batches")


# ---- bulk load ------------------------------------------------------------------------------
def test_bulk_load_of_10000_reviews_in_one_statement(db: str) -> None:
    world = make_world(db, n_students=BULK_STUDENTS, cards_each=5, tag="bulk")
    half = world.students[: BULK_STUDENTS // 2]
    with psycopg.connect(db, autocommit=True) as conn:
        # half of the students already have stats: the batch both inserts and updates them
        conn.execute(
            "insert into tutela.activity_events (student_id, kind, occurred_at, minutes) "
            "select s, 'lesson', now() - interval '100 days', 15 from unnest(%s::uuid[]) as s",
            (half,),
        )
        conn.execute("select setseed(0.20261122)")
        # one statement: every card gets 100 reviews; day offsets 0-89 skip every 11th day
        # (10, 21, 32 ...), so there are runs to find
        conn.execute(
            "insert into tutela.card_reviews "
            "(student_id, flashcard_id, reviewed_at, correct, quality) "
            "select f.student_id, f.id, "
            "  (((now() at time zone 'UTC')::date - (o.o + o.o / 10)) "
            "   + random() * interval '86399 seconds') at time zone 'UTC', "
            "  random() < 0.65, "
            "  case when random() < 0.2 then null else floor(random() * 6)::smallint end "
            "from tutela.flashcards as f "
            "cross join generate_series(1, %s) as g "
            "cross join lateral (select floor(random() * 82)::integer + g * 0 as o) as o "
            "where f.student_id = any(%s)",
            (BULK_REVIEWS // (BULK_STUDENTS * 5), world.students),
        )
        count = conn.execute(
            "select count(*) from tutela.card_reviews where student_id = any(%s)",
            (world.students,),
        ).fetchone()
        assert count is not None and count[0] == BULK_REVIEWS
    # the one statement alone must leave every student's rollups (streaks too) exact
    want = assert_exact(db, world.students, "after the bulk statement of reviews")
    assert sum(t[0] for t in want.totals.values()) == BULK_REVIEWS
    with psycopg.connect(db, autocommit=True) as conn:
        # activity of the same 90 days in one statement as well
        conn.execute("select setseed(0.5)")
        conn.execute(
            "insert into tutela.activity_events (student_id, kind, occurred_at, minutes) "
            "select s, 'practice', "
            "  (((now() at time zone 'UTC')::date - floor(random() * 90)::integer) "
            "   + random() * interval '86399 seconds') at time zone 'UTC', "
            "  floor(random() * 60)::integer "
            "from unnest(%s::uuid[]) as s cross join generate_series(1, 100) as g",
            (world.students,),
        )
    want = assert_exact(db, world.students, "after the bulk load of activities")
    assert all(t[7] >= 10 for t in want.totals.values())  # the runs of 10 review days

    with psycopg.connect(db, autocommit=True) as conn:
        # Leitner: each card was moved by its newest review of the batch
        stale = conn.execute(
            "select f.id from tutela.flashcards as f "
            "where f.student_id = any(%s) and f.last_reviewed_at is distinct from "
            "  (select max(r.reviewed_at) from tutela.card_reviews as r "
            "   where r.flashcard_id = f.id)", (world.students,),
        ).fetchall()
        assert stale == []
        # a bulk delete of about a third, in one statement, is exact too
        conn.execute(
            "delete from tutela.card_reviews where student_id = any(%s) and id %% 3 = 0",
            (world.students,),
        )
        conn.execute(
            "delete from tutela.activity_events where student_id = any(%s) and id %% 4 = 0",
            (world.students,),
        )
    assert_exact(db, world.students, "after the bulk delete")
