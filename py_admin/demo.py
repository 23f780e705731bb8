"""`tutela demo`: the demo data set, a link code created by a student and redeemed by a parent,
and each parent's view of their children (for Pat, with each child's learning KPIs from
guardian_list_children() and get_child_overview()), all through the API as the users themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import dict_row

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.seed import apply_seed

ORG = "d0000000-0000-4000-8000-000000000001"
PAT = "d0000000-0000-4000-8000-000000000104"
JORDAN = "d0000000-0000-4000-8000-000000000105"
NOAH_USER = "d0000000-0000-4000-8000-000000000107"
NOAH_STUDENT = "d0000000-0000-4000-8000-000000000204"

PEOPLE = [
    ("Alex Admin", "alex.admin@demo.tutela.test", "d0000000-0000-4000-8000-000000000101",
     "organisation admin"),
    ("Casey Coach", "casey.coach@demo.tutela.test", "d0000000-0000-4000-8000-000000000102",
     "staff (coach)"),
    ("Taylor Teacher", "taylor.teacher@demo.tutela.test",
     "d0000000-0000-4000-8000-000000000103", "staff (teacher)"),
    ("Pat Parent", "pat.parent@demo.tutela.test", PAT, "parent of all four (primary)"),
    ("Jordan Parent", "jordan.parent@demo.tutela.test", JORDAN, "co-parent"),
    ("Ava", "ava@demo.tutela.test", "d0000000-0000-4000-8000-000000000106", "student, grade 6"),
    ("Noah", "noah@demo.tutela.test", NOAH_USER, "student, grade 8"),
]


@dataclass
class DemoResult:
    seeded: list[str]
    revoked_first: bool
    code: str
    expires_at: Any
    link: dict[str, Any]
    # the link came back pending (Noah had removed Jordan: the student's veto) and Noah approved
    approved: bool = False
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Pat's view of each child whose progress Pat may see: get_child_overview(child), by name
    overviews: dict[str, dict[str, Any]] = field(default_factory=dict)


def shows_progress(child: dict[str, Any]) -> bool:
    """Whether a guardian_list_children() row lets the guardian see the child's progress."""
    return child["status"] == "active" and bool(child["permissions"].get("progress"))


def portfolio_subjects(overview: dict[str, Any]) -> int | None:
    """How many subjects a get_child_overview() portfolio covers (None: hidden from caller)."""
    portfolio = overview.get("portfolio")
    if portfolio is None:
        return None
    return len({topic["subject"] for topic in portfolio})


def run_demo(url: str) -> DemoResult:
    seeded = apply_seed(url, "demo")
    with connect(url) as conn:
        conn.row_factory = dict_row  # type: ignore[assignment]
        # The scheduled job that awards achievements, as the service role runs it
        with acting_as(conn, None, role="service_role") as c:
            c.execute("select tutela.drain_achievement_queue(10000)")
        # So that the demo can run again: Noah removes Jordan's link first (it comes back as
        # the same row when Jordan redeems a new code, pending until Noah approves it).
        revoked_first = False
        with acting_as(conn, NOAH_USER) as c:
            row = c.execute(
                "select link_id, status from tutela.student_list_guardians() "
                "where guardian_id = %s and status <> 'revoked'", (JORDAN,)
            ).fetchone()
            if row:
                c.execute("select tutela.revoke_guardian_link(%s, %s)",
                          (row["link_id"], "demo: run again"))
                revoked_first = True
        with acting_as(conn, NOAH_USER) as c:
            made = c.execute("select * from tutela.create_guardian_link_code()").fetchone()
        assert made is not None
        with acting_as(conn, JORDAN) as c:
            link = c.execute(
                "select tutela.redeem_guardian_link_code(%s, 'father') as link",
                (made["code"].lower().replace("-", " "),),  # typed loosely, still accepted
            ).fetchone()
        assert link is not None
        result = DemoResult(seeded, revoked_first, made["code"], made["expires_at"], link["link"])
        if result.link.get("status") == "pending":
            # Noah had removed Jordan: the link waits for Noah (the student's veto), who says yes
            with acting_as(conn, NOAH_USER) as c:
                row = c.execute("select to_jsonb(l) as link from tutela.approve_guardian_link(%s) "
                                "as l", (result.link["id"],)).fetchone()
            assert row is not None
            result.link, result.approved = row["link"], True
        for name, uid in (("Pat Parent", PAT), ("Jordan Parent", JORDAN)):
            with acting_as(conn, uid) as c:
                result.children[name] = list(
                    c.execute("select * from tutela.guardian_list_children()").fetchall()
                )
        # Pat's dashboard: the overview of every child whose progress Pat may see, as Pat
        with acting_as(conn, PAT) as c:
            for child in result.children["Pat Parent"]:
                if shows_progress(child):
                    row = c.execute(
                        "select tutela.get_child_overview(%s) as overview", (child["student_id"],)
                    ).fetchone()
                    assert row is not None
                    result.overviews[child["display_name"]] = row["overview"]
    return result
