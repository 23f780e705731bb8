"""`tutela seed demo` is idempotent and deterministic; `tutela demo` links a parent by code,
again and again, and shows Pat's children with their learning KPIs."""

from __future__ import annotations

from typing import Any

from py_admin.db import connect, scratch_database
from py_admin.demo import JORDAN, NOAH_STUDENT, PAT, run_demo
from py_admin.migrate import migrate
from py_admin.seed import apply_seed

CHILDREN = {
    "Mia": "d0000000-0000-4000-8000-000000000201",
    "Leo": "d0000000-0000-4000-8000-000000000202",
    "Ava": "d0000000-0000-4000-8000-000000000203",
    "Noah": "d0000000-0000-4000-8000-000000000204",
}
# migrations/0004_learning_data.sql: the organisation's catalog, and the student data
CATALOG = ("courses", "course_modules", "assignments", "live_classes", "skills", "drills",
           "coaching_sessions")
STUDENT_DATA = ("flashcards", "card_reviews", "student_stats", "daily_study_stats",
                "enrollments", "submissions", "live_class_attendance", "certificates", "lessons",
                "session_students", "session_scores", "drill_assignments", "skill_assessments",
                "journal_entries", "activity_events", "points_ledger")
TABLES = ("auth.users", "tutela.organizations", "tutela.memberships", "tutela.students",
          "tutela.guardian_links", *(f"tutela.{t}" for t in CATALOG + STUDENT_DATA))


def _counts(url: str) -> dict[str, int]:
    with connect(url) as conn:
        return {t: int(conn.execute(f"select count(*) from {t}").fetchone()[0])  # type: ignore[index]
                for t in TABLES}


def _scalar(url: str, sql: str, *args: Any) -> Any:
    with connect(url) as conn:
        row = conn.execute(sql, args).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else tuple(row)


def test_seed_is_idempotent(empty_db: str) -> None:
    migrate(empty_db)
    apply_seed(empty_db, "demo")
    first = _counts(empty_db)
    assert first["tutela.students"] == 4 and first["tutela.guardian_links"] == 6
    assert all(first[f"tutela.{t}"] > 0 for t in CATALOG + STUDENT_DATA), first
    stats = "select array_agg(s order by s.student_id)::text from tutela.student_stats as s"
    daily = ("select md5(string_agg(d::text, ',' order by d.student_id, d.day)) "
             "from tutela.daily_study_stats as d")
    before = (_scalar(empty_db, stats), _scalar(empty_db, daily))
    apply_seed(empty_db, "demo")
    assert _counts(empty_db) == first
    assert (_scalar(empty_db, stats), _scalar(empty_db, daily)) == before


def test_every_student_data_table_has_rows_for_a_child(empty_db: str) -> None:
    migrate(empty_db)
    apply_seed(empty_db, "demo")
    kids = list(CHILDREN.values())
    with connect(empty_db) as conn:
        for table in STUDENT_DATA:
            n = conn.execute(
                f"select count(*) from tutela.{table} where student_id = any(%s::uuid[])", (kids,)
            ).fetchone()
            assert n is not None and n[0] > 0, table
        # age-appropriate: the pre-school child has no academic data, only play and stickers
        mia = CHILDREN["Mia"]
        for table in ("flashcards", "card_reviews", "enrollments", "submissions", "lessons",
                      "journal_entries", "skill_assessments"):
            n = conn.execute(
                f"select count(*) from tutela.{table} where student_id = %s", (mia,)
            ).fetchone()
            assert n == (0,), table
        assert conn.execute(
            "select count(*) > 0 from tutela.activity_events where student_id = %s", (mia,)
        ).fetchone() == (True,)
        # older children study more
        reviews = dict(conn.execute(  # type: ignore[arg-type]
            "select student_id::text, count(*) from tutela.card_reviews group by 1"
        ).fetchall())
        assert reviews[CHILDREN["Noah"]] > reviews[CHILDREN["Ava"]] > reviews[CHILDREN["Leo"]] > 0
        # Ava and Noah studied cards on the seed's today and yesterday (UTC days, as the stats
        # count them), so their streaks are live even if the clock has passed midnight since
        for name in ("Ava", "Noah"):
            last, before = (r[0] for r in conn.execute(
                "select d.day from tutela.daily_study_stats as d "
                "where d.student_id = %s and d.reviews > 0 order by d.day desc limit 2",
                (CHILDREN[name],)))
            assert (last - before).days == 1, name
            assert conn.execute(
                "select %s::date >= (now() at time zone 'UTC')::date - 1", (last,)
            ).fetchone() == (True,), name
        # the statement triggers counted every review, and nothing happened in the future
        assert conn.execute(
            "select (select sum(total_reviews) from tutela.student_stats) "
            "= (select count(*) from tutela.card_reviews), "
            "(select max(reviewed_at) from tutela.card_reviews) <= now(), "
            "(select max(occurred_at) from tutela.activity_events) <= now()"
        ).fetchone() == (True, True, True)
        # the full submission funnel, some scores below passing
        statuses = {r[0] for r in conn.execute("select distinct status from tutela.submissions")}
        assert statuses == {"pending", "in_progress", "submitted", "in_review", "graded",
                            "returned"}
        assert conn.execute(
            "select count(*) > 0 from tutela.submissions as s "
            "join tutela.assignments as a on a.id = s.assignment_id "
            "where s.score is not null and 100 * s.score < a.passing_percent * a.max_score"
        ).fetchone() == (True,)


def test_seed_is_deterministic(empty_db: str, server_url: str) -> None:
    # everything but the timestamps (they count back from now)
    fingerprint = (
        "select (select md5(string_agg(concat_ws('|', r.student_id, r.flashcard_id, r.correct, "
        "r.quality, r.duration_ms, r.xp), ',' order by r.id)) from tutela.card_reviews as r), "
        "(select md5(string_agg(concat_ws('|', f.id, f.leitner_box, f.question), ',' "
        "order by f.id)) from tutela.flashcards as f), "
        "(select md5(string_agg(concat_ws('|', s.id, s.score, s.coach_notes), ',' order by s.id)) "
        "from tutela.session_scores as s)"
    )
    migrate(empty_db)
    apply_seed(empty_db, "demo")
    with scratch_database(server_url, prefix="tutela_pytest") as other:
        migrate(other)
        apply_seed(other, "demo")
        assert _counts(other) == _counts(empty_db)
        assert _scalar(other, fingerprint) == _scalar(empty_db, fingerprint)


def test_demo_links_by_code_and_can_run_again(empty_db: str, cli: Any) -> None:
    migrate(empty_db)
    one = run_demo(empty_db)
    assert one.link["status"] == "active" and one.link["created_via"] == "code"
    assert one.link["guardian_id"] == JORDAN and one.link["student_id"] == NOAH_STUDENT
    assert len(one.code) == 14 and one.code[4] == "-"
    assert [c["display_name"] for c in one.children["Pat Parent"]] == ["Ava", "Leo", "Mia", "Noah"]
    assert [c["display_name"] for c in one.children["Jordan Parent"]] == ["Leo", "Mia", "Noah"]
    assert not one.approved
    two = run_demo(empty_db)
    assert two.revoked_first and two.link["id"] == one.link["id"]  # restored, same row
    # Noah had removed Jordan: the new code brings the link back pending; Noah approves
    assert two.approved and two.link["status"] == "active"
    assert two.code != one.code
    with connect(empty_db) as conn:
        actions = [r[0] for r in conn.execute(
            "select action from tutela.link_events where link_id = %s order by id",
            (one.link["id"],))]
    assert actions == ["link_created", "link_revoked", "link_restored", "link_approved"]
    proc = cli("demo", "--database-url", empty_db)
    assert proc.returncode == 0, proc.stderr
    assert "Pat Parent: guardian_list_children()" in proc.stdout
    assert "Pat Parent: get_child_overview(child)" in proc.stdout
    assert "Jordan Parent: guardian_list_children()" in proc.stdout
    assert str(PAT) in proc.stdout


def test_pat_sees_learning_kpis(empty_db: str) -> None:
    migrate(empty_db)
    result = run_demo(empty_db)
    kids = {c["display_name"]: c for c in result.children["Pat Parent"]}
    for name in ("Ava", "Noah"):  # studied today and yesterday: live streaks
        assert kids[name]["current_streak"] >= 2, name
        assert kids[name]["reviews_7d"] > 0 and kids[name]["accuracy_7d"] is not None, name
        assert kids[name]["last_active_at"] is not None, name
    assert kids["Noah"]["reviews_7d"] > kids["Leo"]["reviews_7d"]
    assert kids["Mia"]["reviews_7d"] == 0 and kids["Mia"]["current_streak"] >= 0
    # Pat may see every child's progress and cards: one overview each, read as Pat
    assert sorted(result.overviews) == ["Ava", "Leo", "Mia", "Noah"]
    noah = result.overviews["Noah"]
    assert noah["student_id"] == NOAH_STUDENT and noah["hidden_sections"] == []
    assert noah["kpis"]["reviews_30d"] >= noah["kpis"]["reviews_7d"] > 0
    assert 0 < noah["kpis"]["accuracy_30d"] <= 100 and noah["kpis"]["xp_30d"] > 0
    subjects = {n: {t["subject"] for t in o["portfolio"]} for n, o in result.overviews.items()}
    assert subjects == {
        "Mia": set(), "Leo": {"Maths", "Reading"}, "Ava": {"Maths", "Science", "Spanish"},
        "Noah": {"History", "Maths", "Science", "Spanish"},
    }
    # Jordan's list shows the same activity to Jordan (progress permission), as before
    jordan = {c["display_name"]: c for c in result.children["Jordan Parent"]}
    assert jordan["Noah"]["reviews_7d"] == kids["Noah"]["reviews_7d"]
