"""`tutela report render`: a stored report (tutela.reports) as HTML or PDF.

The report is read by id as the database owner (an operator's tool: no RLS; API clients read
reports through the select policy), rendered with the jinja2 templates of
``templates/report/`` (autoescaped: every value of the snapshot is data), with an inline SVG
chart of daily activity drawn here from numbers only, and printed to PDF by WeasyPrint.
Nothing here queries the student's live data: a report is the snapshot it was generated as.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
import psycopg
from psycopg.rows import dict_row

from py_admin.db import connect
from py_admin.errors import TutelaError
from py_admin.paths import TEMPLATES_DIR

Doc = dict[str, Any]
FORMATS = ("html", "pdf")
SECTION_TITLES = {
    "progress": "Progress",
    "grades": "Grades",
    "attendance": "Live classes",
    "sessions": "Coaching sessions",
    "journal": "Journal trends",
}


# =============================================================================================
# Fetching
# =============================================================================================


def fetch_report(url: str, report_id: str) -> Doc:
    """The report row with this id, read as the database owner."""
    try:
        key = str(uuid.UUID(report_id.strip()))
    except ValueError:
        raise TutelaError(f"not a report id: {report_id!r}", hint="a report id is a UUID") from None
    with connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        try:
            row = cur.execute(
                "select id::text, student_id::text, type, period_start, period_end, status, "
                "data, summary, sections, generated_by::text, created_at "
                "from tutela.reports where id = %s",
                (key,),
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            raise TutelaError("this database has no reports table",
                              hint="run `tutela migrate`") from None
    if row is None:
        raise TutelaError(f"no report with the id {key}",
                          hint="tutela.list_reports(student) lists a student's reports")
    return dict(row)


# =============================================================================================
# The activity chart
# =============================================================================================


@dataclass(frozen=True)
class Bar:
    label: str  # what a bucket is: a day ("Mon 3 Nov") or a week ("week of 3 Nov")
    start: date
    minutes: int
    reviews: int


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def activity_bars(daily: Sequence[Mapping[str, Any]], start: date, end: date) -> list[Bar]:
    """Minutes and reviews per day of [start, end] (a day without a row counts 0); periods of
    more than 62 days are bucketed by week (weeks start on Monday), so a bar stays visible."""
    by_day: dict[date, tuple[int, int]] = {}
    for row in daily:
        by_day[_day(row["day"])] = (int(row.get("minutes") or 0), int(row.get("reviews") or 0))
    days = (end - start).days + 1
    if days <= 62:
        out = []
        for i in range(days):
            d = start + timedelta(days=i)
            m, r = by_day.get(d, (0, 0))
            out.append(Bar(f"{d:%a %d %b}", d, m, r))
        return out
    weeks: dict[date, list[int]] = {}
    for i in range(days):
        d = start + timedelta(days=i)
        monday = d - timedelta(days=d.weekday())
        m, r = by_day.get(d, (0, 0))
        acc = weeks.setdefault(monday, [0, 0])
        acc[0] += m
        acc[1] += r
    return [Bar(f"week of {w:%d %b %Y}", w, v[0], v[1]) for w, v in sorted(weeks.items())]


def _nice_top(value: int) -> int:
    """A round axis maximum at or above value (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 10
    step = 1
    while True:
        for k in (1, 2, 5):
            if value <= k * step:
                return k * step
        step *= 10


def activity_svg(bars: Sequence[Bar], *, width: int = 680, height: int = 220) -> str:
    """An SVG bar chart of minutes per bucket, built from numbers only (safe to inline)."""
    left, right, top, bottom = 44, 10, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((b.minutes for b in bars), default=0)
    ymax = _nice_top(peak)
    n = max(len(bars), 1)
    per = "week" if bars and bars[0].label.startswith("week") else "day"
    slot = plot_w / n
    bar_w = max(slot * 0.72, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Minutes of study per {per}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     'stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
                     f'fill="#57606a">{round(ymax * frac)}</text>')
    every = max(1, round(n / 8))  # at most about 8 labels on the x axis
    for i, b in enumerate(bars):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * b.minutes / ymax
        y = top + plot_h - h
        colour = "#2f81f7" if b.minutes > 0 else "#d0d7de"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.0):.1f}" '
            f'fill="{colour}"><title>{b.label}: {b.minutes} min, {b.reviews} reviews</title>'
            "</rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" '
                f'font-size="10" fill="#57606a">{b.start:%d %b}</text>'
            )
    parts.append(f'<text x="{left}" y="{height - 6}" font-size="10" fill="#57606a">'
                 f"minutes per {per}</text>")
    parts.append("</svg>")
    return "".join(parts)


# =============================================================================================
# Rendering
# =============================================================================================


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "report"),
        autoescape=True,  # every value of a report is data
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["num"] = _num
    return env


def _when(value: Any) -> str:
    """A timestamp as '03 Nov 2026 14:05 UTC' (reports are in UTC days)."""
    if value in (None, ""):
        return "-"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{moment.astimezone(UTC):%d %b %Y %H:%M} UTC"


def _num(value: Any, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value}{suffix}"


def render_html(report: Mapping[str, Any]) -> str:
    """The report as a standalone HTML page (CSS and the chart inline)."""
    data: Doc = report["data"] or {}
    start, end = _day(report["period_start"]), _day(report["period_end"])
    progress = data.get("progress")
    chart = None
    if progress is not None:
        chart = activity_svg(activity_bars(progress.get("daily") or [], start, end))
    return _environment().get_template("report.html.j2").render(
        report=report,
        data=data,
        start=start,
        end=end,
        chart=chart,
        titles=SECTION_TITLES,
        hidden=[SECTION_TITLES.get(s, s) for s in data.get("hidden_sections") or []],
    )


def write_pdf(html: str, path: Path) -> None:
    """Print the HTML to PDF with WeasyPrint (it needs pango from the system: py_admin.sysdeps)."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: the pango libraries are missing
        raise TutelaError(f"WeasyPrint is not usable here: {exc}",
                          hint="run `make setup` (python3 -m py_admin.sysdeps)") from None
    HTML(string=html, base_url=str(TEMPLATES_DIR / "report")).write_pdf(str(path))


def render_report(url: str, report_id: str, fmt: str, output: Path | None = None) -> Path:
    """Fetch a report and write it as `fmt` (html or pdf); returns the file written."""
    if fmt not in FORMATS:
        raise TutelaError(f"unknown format {fmt!r}", hint="use html or pdf")
    report = fetch_report(url, report_id)
    path = output or Path(f"report-{report['id']}.{fmt}")
    html = render_html(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        path.write_text(html, encoding="utf-8")
    else:
        write_pdf(html, path)
    return path
