"""`tutela seed synthetic` at a small scale (200 students): the same seed gives the same rows,
every student-data table of the registry gets rows, the guardian cap holds, and the rollups the
load rebuilds (with its stats triggers off) equal a recount in Python from the raw rows.

The load runs inside the shared migrated database without committing and is rolled back."""

from __future__ import annotations

import itertools
import tomllib
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from py_admin.synthetic import TABLES, Config, load, organization_ids, student_ids, verify

ROOT = Path(__file__).resolve().parents[2]
CFG = Config(students=200, days=30, seed=7, anchor=date(2026, 11, 1))


def _fingerprint(conn: Any) -> dict[str, str]:
    """md5 of every loaded table (its COPY columns) and of the rollups."""
    out = {}
    queries = {name: f"select {', '.join(cols)} from "
               f"{name if '.' in name else 'tutela.' + name}" for name, cols in TABLES.items()}
    queries["daily_study_stats"] = "select * from tutela.daily_study_stats"
    queries["student_stats"] = (
        "select student_id, current_streak, longest_streak, last_active_day, total_xp, "
        "total_points, total_reviews, total_correct, total_minutes, last_active_at "
        "from tutela.student_stats")
    queries["course_averages"] = (
        "select student_id, course_id, average_percent, graded from tutela_private.course_averages")
    for name, sql in queries.items():
        row = conn.execute(
            f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) "
            f"from ({sql}) as t").fetchone()
        out[name] = f"{row[0]}:{row[1]}"
    return out


@pytest.fixture
def loaded(migrated_db: str, conn_factory: Any) -> Any:
    conn = conn_factory(migrated_db)
    load(conn, CFG, commit=False)
    yield conn
    conn.rollback()


def test_same_seed_same_rows(migrated_db: str, conn_factory: Any) -> None:
    conn = conn_factory(migrated_db)
    load(conn, CFG, commit=False)
    first = _fingerprint(conn)
    conn.rollback()
    load(conn, CFG, commit=False)
    second = _fingerprint(conn)
    conn.rollback()
    assert first == second
    other = Config(students=200, days=30, seed=8, anchor=CFG.anchor)
    load(conn, other, commit=False)
    third = _fingerprint(conn)
    conn.rollback()
    assert third["card_reviews"] != first["card_reviews"]


def test_every_registered_table_gets_rows(loaded: Any) -> None:
    registry = tomllib.loads((ROOT / "policies" / "registry.toml").read_text())
    names = [t["name"] for t in registry["table"]]
    assert len(names) > 20
    empty = [n for n in names
             if loaded.execute(f"select count(*) from tutela.{n}").fetchone()[0] == 0]
    assert empty == []
    counts = {n: loaded.execute(f"select count(*) from tutela.{n}").fetchone()[0]
              for n in ("students", "card_reviews", "submissions", "activity_events")}
    assert counts["students"] == 200
    # the proportions of the 100,000-student set: about 100 reviews, 20 submissions and
    # 10 activity events per student
    assert 80 * 200 < counts["card_reviews"] < 120 * 200
    assert 16 * 200 < counts["submissions"] < 24 * 200
    assert 8 * 200 < counts["activity_events"] < 12 * 200


def test_guardians_and_the_cap(loaded: Any) -> None:
    over = loaded.execute(
        """
        select count(*) from tutela.students as s
        join tutela.organizations as o on o.id = s.organization_id
        where (select count(*) from tutela.guardian_links as l
          where l.student_id = s.id and l.status in ('active', 'pending'))
          > o.max_guardians_per_student
        """).fetchone()[0]
    assert over == 0
    per_guardian = [r[0] for r in loaded.execute(
        "select count(*) from tutela.guardian_links group by guardian_id").fetchall()]
    assert per_guardian and min(per_guardian) >= 1 and max(per_guardian) <= 4
    guardians = len(per_guardian)
    assert 0.45 * 200 < guardians < 0.8 * 200  # about 60,000 per 100,000 students
    primaries = loaded.execute(
        "select count(*) from tutela.guardian_links where is_primary "
        "group by student_id having count(*) > 1").fetchall()
    assert primaries == []
    assert loaded.execute("select count(distinct organization_id) from tutela.students "
                          "where id = any(%s)", (student_ids(CFG),)).fetchone()[0] == 2
    assert len(organization_ids(CFG)) == 2


def _streaks(days: set[date]) -> tuple[int, int, date | None]:
    """(current run ending at the last active day, longest run, last active day)."""
    if not days:
        return 0, 0, None
    ordered = sorted(days)
    longest = run = 1
    for prev, cur in itertools.pairwise(ordered):
        run = run + 1 if cur - prev == timedelta(days=1) else 1
        longest = max(longest, run)
    return run, longest, ordered[-1]


def test_stats_equal_a_recount_from_the_raw_rows(loaded: Any) -> None:
    daily: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for sid, day, correct, xp in loaded.execute(
            "select student_id::text, (reviewed_at at time zone 'UTC')::date, correct, xp "
            "from tutela.card_reviews").fetchall():
        d = daily[(sid, day)]
        d[0] += 1
        d[1] += int(correct)
        d[2] += xp
        t = totals[sid]
        t[0] += 1
        t[1] += int(correct)
        t[2] += xp
        t[4] += xp
    for sid, day, minutes in loaded.execute(
            "select student_id::text, (occurred_at at time zone 'UTC')::date, minutes "
            "from tutela.activity_events").fetchall():
        d = daily[(sid, day)]
        d[3] += minutes
        d[4] += 1
        totals[sid][3] += minutes
    for sid, points in loaded.execute(
            "select student_id::text, points from tutela.points_ledger").fetchall():
        totals[sid][4] += points
    stored_daily = {
        (r[0], r[1]): list(r[2:]) for r in loaded.execute(
            "select student_id::text, day, reviews, correct, xp, minutes, activities "
            "from tutela.daily_study_stats").fetchall()}
    assert stored_daily == dict(daily)
    active: dict[str, set[date]] = defaultdict(set)
    for (sid, day), v in daily.items():
        if v[0] or v[4]:
            active[sid].add(day)
    stored = {r[0]: r[1:] for r in loaded.execute(
        "select student_id::text, total_reviews, total_correct, total_xp, total_minutes, "
        "total_points, current_streak, longest_streak, last_active_day "
        "from tutela.student_stats").fetchall()}
    assert set(stored) == set(totals)
    for sid, t in totals.items():
        current, longest, last = _streaks(active[sid])
        assert stored[sid] == (t[0], t[1], t[2], t[3], t[4], current, longest, last), sid
    assert verify(loaded, student_ids(CFG)) == dict.fromkeys(verify(loaded, []), 0)


def test_the_load_leaves_the_triggers_on(loaded: Any) -> None:
    off = loaded.execute(
        "select count(*) from pg_trigger where not tgisinternal and tgenabled = 'D'").fetchone()
    assert off[0] == 0
