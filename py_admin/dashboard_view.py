"""`tutela dashboard`: the parent and student dashboards in the terminal.

Two halves. The queries read the dashboards the way a client app does: the user's id is looked
up by email as the database owner (only to find the id), then everything else runs as that user
through RLS (`acting_as`), calling `tutela.parent_dashboard()` (plus
`guardian_get_child_daily_study_stats(child, 30)` per child whose progress the parent may see) or
`tutela.student_dashboard()`. The rendering functions are plain: they take those JSON documents
and return rich renderables, so tests can call them without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError

Doc = dict[str, Any]

BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_DAYS = 30


# =============================================================================================
# Queries
# =============================================================================================


def find_user(conn: psycopg.Connection[Any], email: str) -> str:
    """The id of the (not deleted) user with this email, read as the database owner."""
    rows = conn.execute(
        "select id::text from auth.users where lower(email) = lower(%s) and deleted_at is null",
        (email.strip(),),
    ).fetchall()
    if not rows:
        raise TutelaError(
            f"no user with the email {email!r}",
            hint="the demo users are listed by `tutela seed demo`",
        )
    if len(rows) > 1:
        raise TutelaError(f"{len(rows)} users have the email {email!r}; cannot tell which")
    return str(rows[0][0])


def _refusal(exc: psycopg.Error, email: str, *, student: bool = False) -> TutelaError:
    """A database error raised while acting as a user, as a message the user can act on."""
    code = exc.sqlstate or ""
    diag = exc.diag
    message = (diag.message_primary or str(exc)).strip()
    if code == "TU403" and student:
        return TutelaError(f"{email} is not a student, so has no student dashboard",
                           hint="try `tutela dashboard parent --as " + email + "`")
    if code.startswith("TU"):
        return TutelaError(f"the database refused ({code}) for {email}: {message}",
                           hint=diag.message_hint or None)
    if code in ("42883", "42P01", "3F000"):  # undefined function / table, invalid schema
        return TutelaError(f"this database has no Tutela dashboards: {message}",
                           hint="run `tutela migrate` (and `tutela demo` for demo data)")
    return TutelaError(f"database error ({code or 'unknown'}): {message}")


def _one(conn: psycopg.Connection[Any], query: str, args: tuple[Any, ...] = ()) -> Any:
    """The first column of the one row of a query, run in a savepoint: when the database
    refuses, the savepoint is rolled back so that `acting_as` can still reset the role on the
    way out (otherwise its reset fails with 25P02 and hides the refusal)."""
    with conn.transaction():
        row = conn.execute(query, args).fetchone()
    assert row is not None
    return row[0]


def _user_id(url: str, email: str) -> str:
    with connect(url) as conn:
        try:
            return find_user(conn, email)
        except psycopg.Error as exc:
            raise _refusal(exc, email) from None


def shows_activity(child: Mapping[str, Any]) -> bool:
    """Whether a parent_dashboard() card lets its reader see the child's daily activity."""
    perms = child.get("permissions") or {}
    return child.get("status") == "active" and bool(perms.get("progress"))


def fetch_parent(url: str, email: str, *,
                 days: int = SPARK_DAYS) -> tuple[Doc, dict[str, list[Doc]]]:
    """parent_dashboard() as the user with this email, and the daily study rows (newest first,
    at most `days`) of each child whose progress the user may see, by student id."""
    uid = _user_id(url, email)
    activity: dict[str, list[Doc]] = {}
    with connect(url) as conn:
        try:
            with acting_as(conn, uid, email=email) as c:
                doc: Doc = _one(c, "select tutela.parent_dashboard()")
                for child in doc.get("children", []):
                    if shows_activity(child):
                        activity[child["student_id"]] = _one(
                            c,
                            "select coalesce(jsonb_agg(to_jsonb(s) order by s.day desc), '[]') "
                            "from tutela.guardian_get_child_daily_study_stats(%s, %s) as s",
                            (child["student_id"], days),
                        )
        except psycopg.Error as exc:
            raise _refusal(exc, email) from None
    return doc, activity


def fetch_student(url: str, email: str) -> Doc:
    """student_dashboard() as the user with this email."""
    uid = _user_id(url, email)
    with connect(url) as conn:
        try:
            with acting_as(conn, uid, email=email) as c:
                doc: Doc = _one(c, "select tutela.student_dashboard()")
        except psycopg.Error as exc:
            raise _refusal(exc, email, student=True) from None
    return doc


# =============================================================================================
# Small pieces
# =============================================================================================


def sparkline(values: Sequence[float | int | None]) -> str:
    """One block character per value, from ▁ (nothing: zero or less) to █ (the largest value).

    The scale runs from 0 to the maximum in 8 equal steps; a positive value never gets the
    lowest block, so a quiet day still shows apart from a day without any activity.
    """
    nums = [max(float(v or 0), 0.0) for v in values]
    top = max(nums, default=0.0)
    if top <= 0:
        return BLOCKS[0] * len(nums)
    out = []
    for v in nums:
        idx = min(len(BLOCKS) - 1, int(v * len(BLOCKS) / top))
        if v > 0:
            idx = max(idx, 1)
        out.append(BLOCKS[idx])
    return "".join(out)


def daily_series(rows: Iterable[Mapping[str, Any]], end: date, days: int = SPARK_DAYS,
                 key: str = "reviews") -> list[int]:
    """`key` per day for the `days` days ending with `end`, oldest first; a day without a
    row counts 0."""
    by_day: dict[date, int] = {}
    for r in rows:
        day = r["day"] if isinstance(r["day"], date) else date.fromisoformat(str(r["day"]))
        by_day[day] = int(r.get(key) or 0)
    start = end - timedelta(days=days - 1)
    return [by_day.get(start + timedelta(days=i), 0) for i in range(days)]


def progress_bar(percent: float | int | None, width: int = 20) -> str:
    """A text bar: █ done, ░ to do (readable without colour)."""
    p = min(max(float(percent or 0), 0.0), 100.0)
    filled = round(p * width / 100)
    return "█" * filled + "░" * (width - filled)


def _ts(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _when(value: Any, *, time: bool = True) -> str:
    """A timestamp as 'Sun 23 Nov 08:30' (UTC), or '-'."""
    moment = _ts(value)
    if moment is None:
        return "-"
    return f"{moment:%a %d %b %H:%M}" if time else f"{moment:%a %d %b}"


def _today(doc: Mapping[str, Any]) -> date:
    """The document's day (UTC), as the database counts days."""
    moment = _ts(doc.get("generated_at"))
    return (moment or datetime.now(UTC)).date()


def _plural(n: int | float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{float(value):g}"


def _row(table: Table, *cells: RenderableType) -> None:
    """Add a row; strings are shown as they are (a title like '[draft] Maths' is no markup)."""
    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def _label(kind: str) -> str:
    return kind.replace("_", " ")


# =============================================================================================
# Parent dashboard
# =============================================================================================


def _urgent_line(item: Mapping[str, Any]) -> str:
    kind = item.get("kind", "")
    if kind in ("deadline", "overdue"):
        course = f" ({item['course']})" if item.get("course") else ""
        verb = "overdue since" if kind == "overdue" else "due"
        return (f"{verb} {_when(item.get('due_at'))}: {item.get('title')}{course} "
                f"[{_label(str(item.get('status', '')))}]")
    if kind == "low_grade":
        course = f" ({item['course']})" if item.get("course") else ""
        return (f"low grade: {item.get('title')}{course}, {_num(item.get('percent'))}% "
                f"({_num(item.get('score'))}/{_num(item.get('max_score'))}), graded "
                f"{_when(item.get('graded_at'), time=False)}")
    if kind == "inactive_week":
        last = item.get("last_active_at")
        return ("no activity for a week or more (last active "
                f"{_when(last, time=False) if last else 'never'})")
    if kind == "pending_approval":
        return f"link waiting for approval since {_when(item.get('since'), time=False)}"
    return _label(kind)


def _highlight_line(item: Mapping[str, Any]) -> str:
    kind = item.get("kind", "")
    when = _when(item.get("at"), time=False)
    if kind == "achievement":
        return f"badge: {item.get('title')} ({when})"
    if kind == "certificate":
        return f"certificate: {item.get('title')} ({when})"
    if kind == "good_grade":
        return f"{_num(item.get('percent'))}% on {item.get('title')} ({when})"
    if kind == "good_score":
        return f"scored {_num(item.get('score'))} in {item.get('title')} ({when})"
    return f"{_label(kind)}: {item.get('title', '')} ({when})"


def child_panel(child: Mapping[str, Any], activity: Sequence[Mapping[str, Any]] | None,
                today: date) -> Panel:
    """One child's card of parent_dashboard() as a panel; `activity` is the child's
    guardian_get_child_daily_study_stats() rows, or None when not available."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    status = str(child.get("status", "?"))
    _row(grid, "Status", status)
    hidden = list(child.get("hidden_sections") or [])
    streak = child.get("streak")
    if streak is not None:
        _row(grid, "Streak", f"{_plural(streak.get('current', 0), 'day')} "
                               f"(longest {streak.get('longest', 0)})")
    day = child.get("today")
    if day is not None:
        extra = f", {day.get('correct', 0)} correct" if day.get("reviews") else ""
        _row(grid, "Today", f"{_plural(day.get('reviews', 0), 'review')}{extra}, "
                              f"{day.get('minutes', 0)} min, {day.get('xp', 0)} XP"
                              + ("" if day.get("active") else " (not active yet)"))
    if activity is not None:
        series = daily_series(activity, today)
        active = sum(1 for v in series if v > 0)
        _row(grid,
            f"Reviews {SPARK_DAYS}d",
            Text.assemble(
                (sparkline(series), "cyan"),
                f"  {sum(series)} on {_plural(active, 'day')}, best day {max(series, default=0)}",
            ),
        )
        minutes = daily_series(activity, today, key="minutes")
        _row(grid,
            f"Minutes {SPARK_DAYS}d",
            Text.assemble(
                (sparkline(minutes), "cyan"),
                f"  {sum(minutes)} min on {_plural(sum(1 for v in minutes if v > 0), 'day')}",
            ),
        )
    elif status == "active" and "today" not in hidden:
        _row(grid, f"Reviews {SPARK_DAYS}d", "not shared with you")

    urgent = list(child.get("urgent") or [])
    _row(grid,
        Text("Urgent", style="bold red" if urgent else "bold"),
        Text("\n".join(f"! {_urgent_line(u)}" for u in urgent) or "nothing"),
    )
    highlights = list(child.get("highlights") or [])
    _row(grid, "Highlights",
                 Text("\n".join(f"* {_highlight_line(h)}" for h in highlights) or "none"))
    not_shared = sorted(k for k, v in (child.get("permissions") or {}).items() if not v)
    _row(grid, "Hidden", ", ".join(hidden) if hidden else "none")
    if not_shared:
        _row(grid, "Not shared", ", ".join(not_shared))

    org = (child.get("organization") or {}).get("name")
    bits = [str(child.get("display_name", "?")), str(child.get("relation") or "")]
    if child.get("is_primary"):
        bits.append("primary")
    if org:
        bits.append(org)
    border = "yellow" if status == "pending" else "red" if urgent else "green"
    return Panel(grid, title=Text(" · ".join(b for b in bits if b)), title_align="left",
                 border_style=border, expand=True)


def render_parent(doc: Mapping[str, Any], activity: Mapping[str, Sequence[Mapping[str, Any]]]
                  | None = None, *, who: str | None = None) -> RenderableType:
    """parent_dashboard() (and the daily rows by student id) as a header and a panel per child."""
    activity = activity or {}
    children = list(doc.get("children") or [])
    today = _today(doc)
    head = Text.assemble(
        ("Parent dashboard", "bold"),
        f" of {who}" if who else "",
        f" · {len(children)} {'child' if len(children) == 1 else 'children'}",
        f" · {_when(doc.get('generated_at'))} UTC",
    )
    parts: list[RenderableType] = [head]
    paused = [str(o.get("organization_name")) for o in doc.get("family_access_paused") or []]
    if not children and not paused:
        parts.append(Text("No children are linked to this account."))
    for name in sorted(paused):
        parts.append(Text(f"{name} has paused family access: its children are hidden until "
                          "the school turns it back on.", style="yellow"))
    for child in children:
        parts.append(child_panel(child, activity.get(child.get("student_id", "")), today))
    if any(c.get("student_id") in activity for c in children):
        start = today - timedelta(days=SPARK_DAYS - 1)
        parts.append(Text(
            f"Sparklines: one block a day, {start:%d %b} to {today:%d %b} (UTC days); "
            f"▁ for none.", style="dim"))
    return Group(*parts)


# =============================================================================================
# Student dashboard
# =============================================================================================


def _section(title: str, body: RenderableType) -> Panel:
    return Panel(body, title=title, title_align="left", expand=True)


def _today_grid(doc: Mapping[str, Any]) -> Table:
    day = doc.get("today") or {}
    streak = day.get("streak") or {}
    grid = Table.grid(padding=(0, 2))
    for _ in range(3):
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
    risk = " (at risk: study today)" if streak.get("at_risk") else ""
    _row(grid,
        "Streak", f"{_plural(streak.get('current', 0), 'day')}{risk}",
        "Reviews", str(day.get("reviews", 0)),
        "Cards due", str(day.get("cards_due", 0)),
    )
    _row(grid,
        "Longest streak", _plural(streak.get("longest", 0), "day"),
        "Minutes", str(day.get("minutes", 0)),
        "Assignments due or overdue", str(day.get("assignments_due_today", 0)),
    )
    _row(grid,
        "Active goals", str(day.get("goals_active", 0)),
        "Unread messages", str(doc.get("unread_messages", 0)),
        "Drills due or overdue", str(day.get("drills_due_today", 0)),
    )
    return grid


def _quick_actions(doc: Mapping[str, Any]) -> RenderableType:
    actions = list(doc.get("quick_actions") or [])
    if not actions:
        return Text("Nothing to do right now.")
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("rank", justify="right", no_wrap=True)
    table.add_column("what", no_wrap=True)
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("due", no_wrap=True)
    for i, a in enumerate(actions, 1):
        _row(table, str(i), str(a.get("rank", "")), _label(a.get("kind", "")),
                      str(a.get("title", "")), _when(a.get("due_at")))
    return table


def _lessons(doc: Mapping[str, Any]) -> RenderableType:
    lessons = list(doc.get("upcoming_lessons") or [])
    if not lessons:
        return Text("No lessons scheduled.")
    table = Table(box=None, pad_edge=False, expand=True)
    for col in ("when", "topic", "coach", "minutes"):
        table.add_column(col, justify="right" if col == "minutes" else "left",
                         ratio=1 if col == "topic" else None, overflow="fold")
    for les in lessons:
        _row(table, _when(les.get("scheduled_at")), str(les.get("topic") or ""),
                      str(les.get("coach") or ""), str(les.get("duration_minutes") or ""))
    return table


def _drills(doc: Mapping[str, Any], now: datetime) -> RenderableType:
    drills = list(doc.get("drills") or [])
    if not drills:
        return Text("No drills.")
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("drill", ratio=1, overflow="fold")
    table.add_column("due", no_wrap=True)
    table.add_column("state", no_wrap=True)
    for d in drills:
        due = _ts(d.get("due_at"))
        if d.get("completed_at"):
            state = f"done {_when(d['completed_at'], time=False)}"
        elif due is not None and due < now:
            state = "overdue"
        else:
            state = "open"
        _row(table, str(d.get("title") or ""), _when(d.get("due_at")), state)
    return table


def _badges(doc: Mapping[str, Any]) -> RenderableType:
    badges = list(doc.get("badges") or [])
    if not badges:
        return Text("No badges yet.")
    return Text(", ".join(
        f"{b.get('title')} ({_when(b.get('awarded_at'), time=False)})" for b in badges))


def _curriculum(doc: Mapping[str, Any]) -> RenderableType:
    courses = list(doc.get("curriculum") or [])
    if not courses:
        return Text("Not enrolled in any course.")
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("course", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    table.add_column("modules (assignments handed in)", ratio=1, overflow="fold")
    for c in courses:
        modules = "; ".join(f"{m.get('title')} {m.get('completed', 0)}/{m.get('assignments', 0)}"
                            for m in c.get("modules") or [])
        pct = c.get("progress_percent")
        _row(table, str(c.get("title") or ""), str(c.get("status") or ""),
                      f"{progress_bar(pct)} {_num(pct):>3}%", modules)
    return table


def _subscription(doc: Mapping[str, Any]) -> RenderableType:
    sub = doc.get("subscription") or {}
    ent = sub.get("entitlements") or {}
    lines = [
        f"{sub.get('plan_name', '?')} (tier {sub.get('tier', '?')}), status {sub.get('status')}"
        + (f", covered by the {sub['covered_by']}" if sub.get("covered_by") else ""),
    ]
    if sub.get("access_until"):
        lines.append(f"access until {_when(sub['access_until'], time=False)}")
    if "next_billing_at" in sub:
        lines.append(f"next billing {_when(sub.get('next_billing_at'), time=False)}")
    if ent:
        lines.append(
            f"quick actions shown: up to {ent.get('quick_actions_limit')}; score history "
            f"{ent.get('score_history_days')} days; session analysis "
            f"{'yes' if ent.get('session_analysis') else 'no'}; reviewer feedback "
            f"{'yes' if ent.get('reviewer_feedback_detail') else 'no'}")
    masked = list(doc.get("masked") or [])
    if masked:
        lines.append("not in this plan: " + ", ".join(masked))
    return Text("\n".join(lines))


def _sessions(doc: Mapping[str, Any]) -> RenderableType:
    sessions = list(doc.get("recent_sessions") or [])
    if not sessions:
        return Text("No sessions yet.")
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("when", no_wrap=True)
    table.add_column("focus", no_wrap=True)
    table.add_column("attendance", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("coach notes", ratio=1, overflow="fold")
    for s in sessions:
        _row(table, _when(s.get("starts_at")), str(s.get("focus") or ""),
                      str(s.get("attendance") or ""), _num(s.get("score")),
                      str(s.get("coach_notes") or ""))
    return table


def render_student(doc: Mapping[str, Any], *, who: str | None = None) -> RenderableType:
    """student_dashboard() as a header and a panel per section."""
    now = _ts(doc.get("generated_at")) or datetime.now(UTC)
    head = Text.assemble(
        ("Student dashboard", "bold"), f" of {doc.get('display_name', '?')}",
        f" ({who})" if who else "", f" · {_when(doc.get('generated_at'))} UTC",
    )
    return Group(
        head,
        _section("Today", _today_grid(doc)),
        _section("Quick actions (ranked)", _quick_actions(doc)),
        _section("Upcoming lessons", _lessons(doc)),
        _section("Recent sessions", _sessions(doc)),
        _section("Drills", _drills(doc, now)),
        _section("Badges", _badges(doc)),
        _section("Curriculum", _curriculum(doc)),
        _section("Subscription", _subscription(doc)),
    )
