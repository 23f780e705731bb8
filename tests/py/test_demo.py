"""`tutela seed demo` is idempotent; `tutela demo` links a parent by code, again and again."""

from __future__ import annotations

from typing import Any

from py_admin.db import connect
from py_admin.demo import JORDAN, NOAH_STUDENT, PAT, run_demo
from py_admin.migrate import migrate
from py_admin.seed import apply_seed

TABLES = ("auth.users", "public.organizations", "public.memberships", "public.students",
          "public.guardian_links")


def _counts(url: str) -> dict[str, int]:
    with connect(url) as conn:
        return {t: int(conn.execute(f"select count(*) from {t}").fetchone()[0])  # type: ignore[index]
                for t in TABLES}


def test_seed_is_idempotent(empty_db: str) -> None:
    migrate(empty_db)
    apply_seed(empty_db, "demo")
    first = _counts(empty_db)
    assert first["public.students"] == 4 and first["public.guardian_links"] == 6
    apply_seed(empty_db, "demo")
    assert _counts(empty_db) == first


def test_demo_links_by_code_and_can_run_again(empty_db: str, cli: Any) -> None:
    migrate(empty_db)
    one = run_demo(empty_db)
    assert one.link["status"] == "active" and one.link["created_via"] == "code"
    assert one.link["guardian_id"] == JORDAN and one.link["student_id"] == NOAH_STUDENT
    assert len(one.code) == 14 and one.code[4] == "-"
    assert [c["display_name"] for c in one.children["Pat Parent"]] == ["Ava", "Leo", "Mia", "Noah"]
    assert [c["display_name"] for c in one.children["Jordan Parent"]] == ["Leo", "Mia", "Noah"]
    two = run_demo(empty_db)
    assert two.revoked_first and two.link["id"] == one.link["id"]  # restored, same row
    assert two.code != one.code
    with connect(empty_db) as conn:
        actions = [r[0] for r in conn.execute(
            "select action from public.link_events where link_id = %s order by id",
            (one.link["id"],))]
    assert actions == ["link_created", "link_revoked", "link_restored"]
    proc = cli("demo", "--database-url", empty_db)
    assert proc.returncode == 0, proc.stderr
    assert "Pat Parent: guardian_list_children()" in proc.stdout
    assert str(PAT) in proc.stdout
