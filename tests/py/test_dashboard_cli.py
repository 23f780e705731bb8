"""`tutela dashboard parent|student --as EMAIL`: the dashboards read as the user through RLS,
as JSON or rendered with rich; and the plain rendering pieces (sparkline, daily series)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from psycopg.rows import dict_row
from rich.console import Console

from py_admin.actors import acting_as
from py_admin.dashboard_view import (
    BLOCKS,
    daily_series,
    render_parent,
    render_student,
    sparkline,
)
from py_admin.db import connect
from py_admin.demo import PAT, run_demo
from py_admin.migrate import migrate

PAT_EMAIL = "pat.parent@demo.tutela.test"
CHILDREN = ("Ava", "Leo", "Mia", "Noah")


@pytest.fixture
def demo_db(empty_db: str) -> str:
    """An empty database, migrated, then seeded and linked as `tutela demo` does."""
    migrate(empty_db)
    run_demo(empty_db)
    return empty_db


def _clean(proc: Any) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


# ---- the CLI against the demo ---------------------------------------------------------------
def test_parent_dashboard_shows_each_child_with_a_sparkline(demo_db: str, cli: Any) -> None:
    proc = cli("dashboard", "parent", "--as", PAT_EMAIL, "--database-url", demo_db)
    assert proc.returncode == 0, proc.stderr
    _clean(proc)
    for name in CHILDREN:
        assert name in proc.stdout, name
    assert any(block in proc.stdout for block in BLOCKS)
    assert "Urgent" in proc.stdout and "Highlights" in proc.stdout


def test_parent_json_is_what_pat_reads_through_the_api(demo_db: str, cli: Any) -> None:
    proc = cli("dashboard", "parent", "--as", PAT_EMAIL, "--json", "--database-url", demo_db)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    with connect(demo_db) as conn:
        conn.row_factory = dict_row  # type: ignore[assignment]
        with acting_as(conn, PAT) as c:
            row = c.execute("select tutela.parent_dashboard() as doc").fetchone()
    assert row is not None
    doc = row["doc"]
    assert out["guardian_id"] == doc["guardian_id"] == PAT
    assert [k["student_id"] for k in out["children"]] == [k["student_id"] for k in doc["children"]]
    assert [k["display_name"] for k in out["children"]] == list(CHILDREN)
    # the same cards; highlights only by number: the SQL picks the newest 5, and badges
    # awarded in the same moment tie, so which 5 is up to the plan
    def cards(d: dict[str, Any]) -> list[dict[str, Any]]:
        return [{**k, "highlights": len(k["highlights"])} for k in d["children"]]

    assert cards(out) == cards(doc)
    assert set(out) == {"guardian_id", "generated_at", "children", "family_access_paused",
                        "activity"}
    assert sorted(out["activity"]) == sorted(k["student_id"] for k in doc["children"])
    noah = next(k["student_id"] for k in doc["children"] if k["display_name"] == "Noah")
    assert 0 < len(out["activity"][noah]) <= 30
    assert {"day", "reviews", "minutes"} <= set(out["activity"][noah][0])


def test_student_dashboard_shows_quick_actions(demo_db: str, cli: Any) -> None:
    proc = cli("dashboard", "student", "--as", "noah@demo.tutela.test", "--database-url", demo_db)
    assert proc.returncode == 0, proc.stderr
    _clean(proc)
    assert "Quick actions" in proc.stdout
    as_json = cli("dashboard", "student", "--as", "noah@demo.tutela.test", "--json",
                  "--database-url", demo_db)
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["display_name"] == "Noah" and doc["quick_actions"]
    for action in doc["quick_actions"]:
        assert action["title"] in proc.stdout
    for part in ("Curriculum", "Subscription", "Badges", "Drills", "Upcoming lessons"):
        assert part in proc.stdout, part
    assert doc["subscription"]["tier"] in proc.stdout


def test_unknown_email_is_a_clear_error(demo_db: str, cli: Any) -> None:
    proc = cli("dashboard", "parent", "--as", "nobody@x.test", "--database-url", demo_db)
    assert proc.returncode == 1
    _clean(proc)
    assert "no user with the email 'nobody@x.test'" in proc.stderr
    assert proc.stdout == ""


def test_a_parent_has_no_student_dashboard(demo_db: str, cli: Any) -> None:
    proc = cli("dashboard", "student", "--as", PAT_EMAIL, "--database-url", demo_db)
    assert proc.returncode == 1
    _clean(proc)
    assert f"{PAT_EMAIL} is not a student" in proc.stderr


# ---- the plain pieces -----------------------------------------------------------------------
def test_sparkline_maps_values_to_the_eight_blocks() -> None:
    assert BLOCKS == "▁▂▃▄▅▆▇█"
    assert sparkline(list(range(8))) == BLOCKS
    assert sparkline([0, 14, 28, 42, 56, 70, 84, 98, 112]) == "▁▂▃▄▅▆▇██"
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([0, 0, 0]) == "▁▁▁" and sparkline([]) == ""
    assert sparkline([5, 5]) == "██"
    assert sparkline([None, -3, 1, 100]) == "▁▁▂█"  # a little is not nothing


def test_daily_series_counts_missing_days_as_zero() -> None:
    rows = [{"day": "2026-03-10", "reviews": 4}, {"day": date(2026, 3, 8), "reviews": 2},
            {"day": "2026-02-01", "reviews": 9}]  # outside the window
    assert daily_series(rows, date(2026, 3, 10), days=4) == [0, 2, 0, 4]
    assert len(daily_series([], date(2026, 3, 10))) == 30


def test_render_parent_shows_pending_and_hidden_sections() -> None:
    doc = {
        "guardian_id": PAT, "generated_at": "2026-03-10T12:00:00+00:00",
        "children": [
            {"student_id": "s1", "display_name": "Zoe", "relation": "aunt", "is_primary": False,
             "status": "pending", "organization": {"id": "o", "name": "Org"},
             "urgent": [{"kind": "pending_approval", "link_id": "l",
                         "since": "2026-03-09T08:00:00+00:00"}],
             "highlights": [], "hidden_sections": ["today", "streak", "permissions"]},
            {"student_id": "s2", "display_name": "Max", "relation": "mother", "is_primary": True,
             "status": "active", "organization": {"id": "o", "name": "Org"},
             "permissions": {"progress": True, "grades": False},
             "today": {"reviews": 3, "correct": 2, "minutes": 9, "xp": 30, "active": True},
             "streak": {"current": 1, "longest": 4, "last_active_at": None},
             "urgent": [{"kind": "inactive_week", "last_active_at": None}],
             "highlights": [{"kind": "achievement", "title": "First drill",
                             "at": "2026-03-09T08:00:00+00:00"}],
             "hidden_sections": []},
        ],
    }
    activity = {"s2": [{"day": "2026-03-10", "reviews": 3, "minutes": 9},
                       {"day": "2026-03-09", "reviews": 6, "minutes": 20}]}
    console = Console(width=100, record=True, color_system=None)
    console.print(render_parent(doc, activity))
    text = console.export_text()
    assert "Zoe" in text and "waiting for approval" in text
    assert "today, streak, permissions" in text
    assert "Max" in text and "no activity for a week" in text and "First drill" in text
    assert "Not shared   grades" in text
    assert "▁" * 28 + "█▅" in text  # 30 days, the last two with reviews
    assert max(len(line) for line in text.splitlines()) <= 100


def test_render_parent_names_schools_that_paused_family_access() -> None:
    doc = {"guardian_id": PAT, "generated_at": "2026-03-10T12:00:00+00:00", "children": [],
           "family_access_paused": [{"organization_id": "o", "organization_name": "Hill School"}]}
    console = Console(width=100, record=True, color_system=None)
    console.print(render_parent(doc, {}))
    text = console.export_text()
    assert "Hill School has paused family access" in text
    assert "No children are linked" not in text


def test_render_student_shows_titles_as_they_are() -> None:
    doc = {
        "display_name": "[b]Kim", "generated_at": "2026-03-10T12:00:00+00:00",
        "today": {"streak": {"current": 3, "longest": 5, "at_risk": True}, "reviews": 0},
        "quick_actions": [{"rank": 3, "kind": "streak_at_risk", "title": "Keep your 3-day streak",
                           "ref_id": None, "due_at": "2026-03-11T00:00:00+00:00"}],
        "curriculum": [{"title": "[draft] Maths", "status": "active", "progress_percent": 50,
                        "modules": [{"title": "Fractions", "assignments": 2, "completed": 1}]}],
        "subscription": {"tier": "starter", "plan_name": "Starter", "status": "active",
                         "covered_by": "family", "entitlements": {}},
        "masked": [],
    }
    console = Console(width=100, record=True, color_system=None)
    console.print(render_student(doc))
    text = console.export_text()
    assert "[b]Kim" in text and "[draft] Maths" in text
    assert "at risk" in text and "Keep your 3-day streak" in text
    assert "█" * 10 + "░" * 10 + "  50%" in text and "Fractions 1/2" in text
    assert "Starter (tier starter)" in text and "covered by the family" in text
    assert "No lessons scheduled." in text


def test_overdue_items_are_described() -> None:
    from py_admin.dashboard_view import _urgent_line

    line = _urgent_line({"kind": "overdue", "title": "Quiz 3", "course": "Maths",
                         "due_at": "2026-11-10T20:00:00+00:00", "status": "pending"})
    assert line.startswith("overdue since") and "Quiz 3 (Maths)" in line
