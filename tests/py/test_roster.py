"""Roster sync at school size, through `tutela import` and py_admin.roster.

A generated roster of 5,000 students and 8,000 guardian links (a third of the guardians have no
account yet, so they get invites) is imported into a fresh database; importing the same files
again changes nothing (every row unchanged, no row of the database touched); a changed file is
applied with exactly its differences (renames, relation and permission changes, deleted rows,
new links and invites, and with --full the links the file no longer lists); a file of bad rows
reports each line with its reason and applies only the good rows; --strict and --dry-run change
nothing.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from py_admin.db import scratch_database
from py_admin.errors import TutelaError
from py_admin.pgtap import prepare_database
from py_admin.roster import run_import

STUDENTS = 5_000
LINKS = 8_000
GUARDIANS = 5_500  # distinct guardian addresses; those below WITH_ACCOUNT have an account
WITH_ACCOUNT = 3_700
ORG = "roster-school"
LINK_COLUMNS = ["student", "guardian_email", "relation", "primary", "status", "permissions",
                "guardian_name", "sis_id"]


@pytest.fixture(scope="module")
def db(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_roster") as url:
        prepare_database(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                # a school that trusts its roster: existing accounts are linked at once
                "insert into tutela.organizations (name, slug, roster_trusted) "
                "values ('Roster School', %s, true)",
                (ORG,),
            )
            conn.execute(
                """
                insert into auth.users (id, aud, role, email, created_at, updated_at)
                select gen_random_uuid(), 'authenticated', 'authenticated',
                  'guardian' || n || '@families.test', now(), now()
                from generate_series(0, %s - 1) as n
                """,
                (WITH_ACCOUNT,),
            )
        yield url


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def students_rows() -> list[dict[str, str]]:
    return [
        {"sis_id": f"S{n:05d}", "display_name": f"Student {n}",
         "email": f"student{n}@school.test" if n % 3 else "",
         "birth_date": f"{2008 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}"}
        for n in range(STUDENTS)
    ]


def link_rows() -> list[dict[str, str]]:
    """8,000 links: 3,000 students with two guardians, 2,000 with one; one primary each."""
    rng = random.Random(7)
    rows: list[dict[str, str]] = []
    guardian = 0
    for n in range(STUDENTS):
        for k in range(2 if n < 3_000 else 1):
            email = f"guardian{guardian % GUARDIANS}@families.test"
            guardian += 1
            rows.append({
                "student": f"S{n:05d}", "guardian_email": email,
                "relation": rng.choice(["mother", "father", "guardian", "other"]),
                "primary": "true" if k == 0 else "",
                "status": "active",
                "permissions": rng.choice(["", "default", "progress;grades;attendance"]),
                "guardian_name": f"Guardian {guardian}", "sis_id": f"L{n:05d}-{k}",
            })
    assert len(rows) == LINKS
    return rows


def has_account(email: str) -> bool:
    """guardian<n>@families.test has an account when n < WITH_ACCOUNT."""
    return int(email.removeprefix("guardian").split("@")[0]) < WITH_ACCOUNT


def snapshot(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        def q(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return row[0]
        return {
            "students": q(
                "select md5(string_agg(s::text, ',' order by id)) from tutela.students s"),
            "links": q(
                "select md5(string_agg(l::text, ',' order by id)) from tutela.guardian_links l"),
            "invites": q(
                "select md5(string_agg(i::text, ',' order by id)) from tutela.guardian_invites i"),
            "members": q(
                "select md5(string_agg(m::text, ',' order by id)) from tutela.memberships m"),
            "outbox": q("select count(*) from tutela_private.notification_outbox"),
        }


def scalar(url: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
        assert row is not None
        return row[0]


def test_roster_at_school_size(db: str, tmp_path: Path, cli: Any) -> None:
    students = students_rows()
    links = link_rows()
    s_file = write_csv(tmp_path / "students.csv", list(students[0]), students)
    l_file = write_csv(tmp_path / "links.csv", LINK_COLUMNS, links)

    # a dry run plans every row and writes nothing
    before = snapshot(db)
    plan = run_import(db, "students", s_file, ORG, dry_run=True)
    assert plan.counts["create"] == STUDENTS and plan.counts["error"] == 0
    assert snapshot(db) == before

    # first import
    report = run_import(db, "students", s_file, ORG)
    assert report.counts == {"create": STUDENTS, "update": 0, "revoke": 0, "invite": 0,
                             "unchanged": 0, "error": 0}
    report = run_import(db, "guardian-links", l_file, ORG)
    with_account = sum(has_account(r["guardian_email"]) for r in links)
    assert report.counts["error"] == 0, report.errors[:5]
    assert report.counts["create"] == with_account
    assert report.counts["invite"] == LINKS - with_account
    assert scalar(db, "select count(*) from tutela.guardian_links where status = 'active' "
                      "and managed_by_roster and created_via = 'roster'") == with_account
    assert scalar(db, "select count(*) from tutela.guardian_invites where status = 'pending' "
                      "and managed_by_roster") == LINKS - with_account
    assert scalar(db, "select count(*) from tutela_private.notification_outbox "
                      "where kind = 'guardian_invite'") == LINKS - with_account
    # one primary per student whose first guardian has an account
    assert scalar(db, "select count(*) from tutela.guardian_links where is_primary") == sum(
        1 for r in links if r["primary"] and has_account(r["guardian_email"]))
    assert scalar(db, "select count(*) from tutela.guardian_links where permissions = "
                      "jsonb_build_object('progress', true, 'sessions', false, 'lessons', false, "
                      "'card_content', false, 'grades', true, 'attendance', true, "
                      "'journal', false, 'messaging', false)") > 0

    # the same files again: nothing changes, not even a timestamp
    before = snapshot(db)
    again = run_import(db, "students", s_file, ORG)
    assert again.counts["unchanged"] == STUDENTS and sum(again.counts.values()) == STUDENTS
    again = run_import(db, "guardian-links", l_file, ORG, full=True)
    assert again.counts["unchanged"] == LINKS and sum(again.counts.values()) == LINKS
    assert again.changes == []
    assert snapshot(db) == before

    # a changed file: exactly its differences
    changed_students = [dict(r) for r in students]
    for n in (10, 20, 30):
        changed_students[n]["display_name"] += " Jr"
    changed_students.append({"sis_id": "S99999", "display_name": "New Pupil", "email": "",
                             "birth_date": "2015-05-05"})
    report = run_import(db, "students", write_csv(tmp_path / "s2.csv", list(students[0]),
                                                  changed_students), ORG)
    assert report.counts == {"create": 1, "update": 3, "revoke": 0, "invite": 0,
                             "unchanged": STUDENTS - 3, "error": 0}
    assert sorted(c["key"] for c in report.changes) == ["S00010", "S00020", "S00030", "S99999"]

    changed = [dict(r) for r in links]
    # links of an account holder: indexes whose guardian has an account
    holders = [i for i, r in enumerate(links)
               if has_account(r["guardian_email"])]
    relation_changed = holders[:5]
    for i in relation_changed:
        changed[i]["relation"] = "other" if changed[i]["relation"] != "other" else "mother"
    deleted = holders[5:9]
    for i in deleted:
        changed[i]["status"] = "deleted"
    dropped = holders[9:12]  # not in the file at all: revoked by --full only
    # new rows: a holder's link for the new pupil, and an invite for a new address
    changed.append({"student": "S99999", "guardian_email": "guardian0@families.test",
                    "relation": "father", "primary": "true", "status": "active",
                    "permissions": "", "guardian_name": "", "sis_id": "L99999-0"})
    changed.append({"student": "S99999", "guardian_email": "new.parent@families.test",
                    "relation": "mother", "primary": "", "status": "active",
                    "permissions": "", "guardian_name": "New Parent", "sis_id": "L99999-1"})
    kept = [r for i, r in enumerate(changed) if i not in dropped]
    l2 = write_csv(tmp_path / "l2.csv", LINK_COLUMNS, kept)

    plan = run_import(db, "guardian-links", l2, ORG, full=True, dry_run=True)
    before = snapshot(db)
    report = run_import(db, "guardian-links", l2, ORG, full=True)
    assert plan.counts == report.counts  # the plan is what happens
    assert report.counts == {"create": 1, "update": 5, "revoke": 4 + 3, "invite": 1,
                             "unchanged": LINKS - 5 - 4 - 3, "error": 0}
    assert snapshot(db) != before
    for i in deleted + dropped:
        assert scalar(
            db,
            "select l.status || ':' || l.revoke_reason from tutela.guardian_links l "
            "join tutela.students s on s.id = l.student_id "
            "join auth.users u on u.id = l.guardian_id "
            "where s.sis_id = %s and lower(u.email) = %s",
            (links[i]["student"], links[i]["guardian_email"]),
        ).startswith("revoked:roster sync")
    # and again: nothing to do
    again = run_import(db, "guardian-links", l2, ORG, full=True)
    assert again.counts["unchanged"] == len(kept) and again.counts["revoke"] == 0
    assert again.counts["create"] == 0 and again.counts["update"] == 0

    # the CLI shows the same plan as a table
    out = cli("import", "guardian-links", str(l2), "--org", ORG, "--full", "--dry-run",
              "--database-url", db)
    assert out.returncode == 0, out.stderr
    assert "creates" in out.stdout and "unchanged" in out.stdout


def test_bad_rows_are_reported_and_skipped(db: str, tmp_path: Path, cli: Any) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("insert into tutela.organizations "
                     "(name, slug, max_guardians_per_student, roster_trusted) "
                     "values ('Small School', 'small-school', 1, true)")
    write_csv(tmp_path / "s.csv", ["sis_id", "display_name"],
              [{"sis_id": "A1", "display_name": "Ann"}, {"sis_id": "B2", "display_name": "Ben"}])
    assert run_import(db, "students", tmp_path / "s.csv", "small-school").counts["create"] == 2
    rows = [
        {"student": "A1", "guardian_email": "guardian1@families.test", "relation": "mother"},
        {"student": "ZZ", "guardian_email": "guardian2@families.test", "relation": "father"},
        {"student": "B2", "guardian_email": "not-an-email", "relation": "father"},
        {"student": "A1", "guardian_email": "guardian3@families.test", "relation": "father"},
        {"student": "B2", "guardian_email": "guardian4@families.test", "relation": "uncle"},
        {"student": "B2", "guardian_email": "guardian5@families.test", "relation": "guardian"},
    ]
    path = write_csv(tmp_path / "bad.csv", ["student", "guardian_email", "relation"], rows)

    before = snapshot(db)
    with pytest.raises(TutelaError, match="line 3"):
        run_import(db, "guardian-links", path, "small-school", strict=True)
    assert snapshot(db) == before

    report = run_import(db, "guardian-links", path, "small-school")
    errors = {e["line"]: (e["code"], e["reason"]) for e in report.errors}
    assert errors[3] == ("TU404", "unknown student ZZ")
    assert errors[4][0] == "TU422" and "malformed guardian email" in errors[4][1]
    assert errors[5][0] == "TU409" and "maximum number of guardians" in errors[5][1]
    assert errors[6][0] == "TU422" and "unknown relation" in errors[6][1]
    assert set(errors) == {3, 4, 5, 6}
    assert report.counts["create"] == 2 and report.counts["error"] == 4
    assert scalar(db, "select count(*) from tutela.guardian_links l join tutela.students s "
                      "on s.id = l.student_id where s.sis_id in ('A1', 'B2')") == 2

    # the CLI prints the skipped lines; --json carries them too
    out = cli("import", "guardian-links", str(path), "--org", "small-school", "--json",
              "--database-url", db)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [e["line"] for e in data["errors"]] == [3, 4, 5, 6]
    assert data["counts"]["unchanged"] == 2
    out = cli("import", "guardian-links", str(path), "--org", "small-school",
              "--database-url", db)
    assert "unknown student ZZ" in out.stdout and "Skipped rows" in out.stdout

    # a bad header is refused before anything is sent
    (tmp_path / "typo.csv").write_text("student,guardian_mail\nA1,x@y.test\n")
    out = cli("import", "guardian-links", str(tmp_path / "typo.csv"), "--org", "small-school",
              "--database-url", db)
    assert out.returncode == 1 and "unknown column(s) guardian_mail" in out.stderr
    out = cli("import", "students", str(tmp_path / "s.csv"), "--org", "no-such-school",
              "--database-url", db)
    assert out.returncode == 1 and "no organisation with slug" in out.stderr


def test_example_files_fit_the_demo_school(server_url: str) -> None:
    """seeds/roster/ imports into the demo organisation without a bad row, then is a no-op."""
    from py_admin.seed import apply_seed

    root = Path(__file__).resolve().parents[2] / "seeds" / "roster"
    with scratch_database(server_url, prefix="tutela_pytest_roster_demo") as url:
        prepare_database(url)
        apply_seed(url, "demo")
        first = {k: run_import(url, k, root / f"{k}.csv", "riverside-demo").counts
                 for k in ("students", "staff", "guardian-links")}
        assert all(c["error"] == 0 for c in first.values()), first
        assert first["students"]["create"] == 2 and first["students"]["update"] == 2
        # two guardians have no account yet; the two who have one must accept too (the demo
        # school does not trust its roster: roster_trusted is off by default)
        assert first["guardian-links"]["invite"] == 4 and first["guardian-links"]["create"] == 0
        # again, in committed batches of two rows (and --full where it applies)
        again = {k: run_import(url, k, root / f"{k}.csv", "riverside-demo", batch_size=2,
                               commit_batches=True, full=k != "students").counts
                 for k in ("students", "staff", "guardian-links")}
        assert all(c["unchanged"] == sum(c.values()) for c in again.values()), again


def test_a_server_lost_mid_import_is_a_message_with_what_was_committed(
    db: str, tmp_path: Path, cli: Any
) -> None:
    """Issue 27, finding 5: the database goes away in the middle of `tutela import`: no
    traceback; the message says how many batches were committed, and a rerun completes it."""
    import threading
    import time

    rows = [{"sis_id": f"K{i:05d}", "display_name": f"Kid {i}"} for i in range(6000)]
    path = write_csv(tmp_path / "lost.csv", ["sis_id", "display_name"], rows)
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("insert into tutela.organizations (name, slug) values ('Lost', 'lost-school')")

    killed: list[int] = []

    def killer() -> None:
        # once the first batches are committed, terminate the importing backend
        with psycopg.connect(db, autocommit=True) as conn:
            for _ in range(4000):
                n = conn.execute(
                    "select count(*) from tutela.students where sis_id like 'K%'").fetchone()
                if n and n[0] >= 600:
                    got = conn.execute(
                        "select count(*) filter (where pg_terminate_backend(pid)) "
                        "from pg_stat_activity where query like '%tutela.import_roster%' "
                        "and pid <> pg_backend_pid() and backend_type = 'client backend'"
                    ).fetchone()
                    killed.append(int(got[0]) if got else 0)
                    return
                time.sleep(0.002)

    t = threading.Thread(target=killer)
    t.start()
    out = cli("import", "students", str(path), "--org", "lost-school", "--batch-size", "300",
              "--commit-batches", "--database-url", db)
    t.join()
    assert killed == [1], killed
    assert out.returncode == 1, out.stdout
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
    assert "the connection to the database was lost during the import" in out.stderr
    committed = scalar(db, "select count(*) from tutela.students where sis_id like 'K%%'")
    assert f"{committed // 300} of 20 batch(es) were committed" in out.stderr, (
        committed, out.stderr)
    again = cli("import", "students", str(path), "--org", "lost-school", "--json",
                "--database-url", db)
    assert again.returncode == 0, again.stderr
    counts = json.loads(again.stdout)["counts"]
    assert counts["unchanged"] == committed and counts["create"] == 6000 - committed
