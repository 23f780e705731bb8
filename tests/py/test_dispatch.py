"""The notification dispatcher against a real SMTP server (aiosmtpd on 127.0.0.1) and a
migrated database: exactly-once delivery under parallel workers, retries, dead letters, a crash
between send and mark, invite emails and the weekly digest's chart.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import psycopg
import pytest

from py_admin.actors import acting_as
from py_admin.db import connect, scratch_database
from py_admin.dispatch import (
    DispatchCounts,
    Dispatcher,
    Notification,
    Renderer,
    SmtpMailer,
    SmtpSettings,
    claim,
    message_id,
    run_loop,
    run_once,
)
from py_admin.errors import TutelaError
from py_admin.migrate import migrate

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

APP_URL = "https://app.tutela.test"


# ---- a real SMTP server ---------------------------------------------------------------------
class Collector:
    """aiosmtpd handler: keeps every message; ``reject(address, nth_rcpt)`` may refuse one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.peers: set[Any] = set()
        self.rcpts: Counter[str] = Counter()
        self.reject: Callable[[str, int], str | None] = lambda address, nth: None

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.peers.clear()
            self.rcpts.clear()
            self.reject = lambda address, nth: None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self.lock:
            self.rcpts[address] += 1
            nth = self.rcpts[address]
        verdict = self.reject(address, nth)
        if verdict:
            return verdict
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
            self.peers.add(session.peer)
        return "250 Message accepted for delivery"

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if str(m["To"]) == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    port = free_port()
    controller = aiosmtpd_controller.Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: tuple[Collector, int]) -> Collector:
    collector, _ = smtp_server
    collector.reset()
    return collector


@pytest.fixture
def settings(smtp_server: tuple[Collector, int]) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=smtp_server[1], app_url=APP_URL, timeout=10)


# ---- a migrated database, the outbox emptied before each test -------------------------------
@pytest.fixture(scope="module")
def migrated(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_dispatch") as url:
        migrate(url)
        yield url


@pytest.fixture
def db(migrated: str) -> str:
    sql(migrated, "delete from private.notification_outbox")
    return migrated


def sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def queue(url: str, key: str, email: str, *, template: str = "alert",
          payload: dict[str, Any] | None = None, channel: str = "email",
          max_attempts: int = 6) -> None:
    """Insert an outbox row as the owner, as the notifications module would."""
    payload = payload if payload is not None else {
        "type": "inactivity", "severity": "warning", "title": f"Alert {key}",
        "message": "No activity for 5 days.", "recommendation": "Ask how it is going.",
        "action_url": "/children/1", "student_name": "Sam",
    }
    sql(url, "insert into private.notification_outbox (kind, template, channel, idempotency_key, "
             "recipient_email, payload, max_attempts) values (%s, %s, %s, %s, %s, %s, %s)",
        (template, template, channel, key, email, json.dumps(payload), max_attempts))


def rows(url: str, where: str = "true", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(
            "select id, idempotency_key, recipient_email, status, attempts, last_error, payload, "
            "next_attempt_at - now() as wait from private.notification_outbox where " + where,
            params,
        ).fetchall()


def advance(url: str) -> None:
    """The backoff has passed: every pending row is due again."""
    sql(url, "update private.notification_outbox set next_attempt_at = now() "
             "where status = 'pending'")


# ---- (a) 1,000 messages, 4 workers: each delivered exactly once -----------------------------
def test_thousand_messages_four_workers_exactly_once(db: str, smtp: Collector,
                                                     settings: SmtpSettings) -> None:
    sql(db, "insert into private.notification_outbox (kind, template, idempotency_key, "
            "recipient_email, payload) "
            "select 'alert', 'alert', 'bulk-' || g, 'parent' || g || '@example.test', "
            "jsonb_build_object('type', 'grade_low', 'severity', 'info', "
            "'title', 'Grade posted ' || g, 'message', 'A new grade.', 'student_name', 'Kid') "
            "from generate_series(1, 1000) as g")
    started = time.monotonic()
    counts = run_once(db, workers=4, batch=25, settings=settings, providers={})
    seconds = time.monotonic() - started
    print(f"\n1000 messages, 4 workers: {seconds:.2f} s")

    assert counts == DispatchCounts(sent=1000)
    ids = smtp.ids()
    assert len(smtp.messages) == 1000
    assert set(ids) == {f"<bulk-{g}@tutela>" for g in range(1, 1001)}
    assert max(ids.values()) == 1
    assert 1 < len(smtp.peers) <= 4  # the workers sent in parallel, one SMTP session each
    assert sql(db, "select status, count(*) from private.notification_outbox group by 1") \
        == [("sent", 1000)]
    assert sql(db, "select max(attempts) from private.notification_outbox") == [(1,)]
    # nothing is due any more
    assert run_once(db, workers=4, batch=25, settings=settings, providers={}) == DispatchCounts()


def test_message_is_well_formed(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    queue(db, "alert:7f1c:guardian", "pat@example.test", payload={
        "type": "inactivity", "severity": "critical", "title": "No activity <for> 5 days",
        "message": "Sam & co have not studied.", "recommendation": "Talk to them.",
        "action_url": "javascript:alert(1)", "student_name": "Sam",
    })
    assert run_once(db, 1, 10, settings=settings, providers={}).sent == 1
    (msg,) = smtp.messages
    assert msg["Message-ID"] == "<alert%3A7f1c%3Aguardian@tutela>"
    assert msg["From"] == "Tutela <no-reply@tutela.local>"
    assert msg["Subject"] == "[Important] No activity <for> 5 days"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Sam & co have not studied." in text
    assert "Sam &amp; co have not studied." in html and "&lt;for&gt;" in html
    assert "<for>" not in html
    assert "javascript:" not in html and f"{APP_URL}/alerts" in html


# ---- (b) a temporary refusal is retried, then delivered once --------------------------------
def test_temporary_failures_are_retried_then_delivered_once(
        db: str, smtp: Collector, settings: SmtpSettings) -> None:
    for i in range(10):
        who = "flaky" if i % 2 else "steady"
        queue(db, f"retry-{i}", f"{who}{i}@example.test")
    smtp.reject = lambda address, nth: (
        "451 4.7.1 Greylisted, try again later" if address.startswith("flaky") and nth == 1
        else None)

    first = run_once(db, workers=2, batch=4, settings=settings, providers={})
    assert first == DispatchCounts(sent=5, retried=5)
    flaky = rows(db, "recipient_email like 'flaky%%'")
    assert len(flaky) == 5
    for r in flaky:
        assert r["status"] == "pending" and r["attempts"] == 1
        assert r["last_error"].startswith("recipient refused: 451 4.7.1 Greylisted")
        assert 50 < r["wait"].total_seconds() <= 61  # backoff: one minute after the first

    assert run_once(db, 2, 4, settings=settings, providers={}) == DispatchCounts()  # not yet
    advance(db)
    second = run_once(db, workers=2, batch=4, settings=settings, providers={})
    assert second == DispatchCounts(sent=5)
    ids = smtp.ids()
    assert set(ids) == {f"<retry-{i}@tutela>" for i in range(10)}
    assert max(ids.values()) == 1
    done = rows(db)
    assert {r["status"] for r in done} == {"sent"}
    assert all(r["last_error"] is None for r in done)
    assert sorted(r["attempts"] for r in done) == [1] * 5 + [2] * 5


# ---- (c) a recipient always refused ends dead, its error kept --------------------------------
def test_dead_letters_are_kept(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    queue(db, "doomed", "nobody@example.test", max_attempts=3)
    queue(db, "fine", "somebody@example.test", max_attempts=3)
    smtp.reject = lambda address, nth: (
        "550 5.1.1 No such user" if address == "nobody@example.test" else None)

    outcomes = []
    for _ in range(3):
        outcomes.append(run_once(db, 2, 10, settings=settings, providers={}))
        advance(db)
    assert outcomes == [DispatchCounts(sent=1, retried=1), DispatchCounts(retried=1),
                        DispatchCounts(dead=1)]
    (dead,) = rows(db, "idempotency_key = 'doomed'")
    assert dead["status"] == "dead"
    assert dead["attempts"] == 3
    assert dead["last_error"] == "recipient refused: 550 5.1.1 No such user"
    assert smtp.rcpts["nobody@example.test"] == 3
    # dead is final: not claimed again
    sql(db, "update private.notification_outbox set next_attempt_at = now() - interval '1 day'")
    assert run_once(db, 2, 10, settings=settings, providers={}) == DispatchCounts()
    assert smtp.to("nobody@example.test") == []
    assert len(smtp.to("somebody@example.test")) == 1


# ---- (d) a crash between send and mark: sent again once, same Message-ID --------------------
def test_crash_between_send_and_mark(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    queue(db, "crash-1", "crash@example.test")
    queue(db, "crash-2", "crash2@example.test")
    dispatcher = Dispatcher(db, batch=10, lease_seconds=10, settings=settings)
    with connect(db, autocommit=True) as conn, SmtpMailer(settings) as mailer:
        claimed = claim(conn, 10, 10)
        assert {n.idempotency_key for n in claimed} == {"crash-1", "crash-2"}
        for n in claimed:
            dispatcher.deliver(n, mailer)  # sent ... and the process dies before marking it
    assert smtp.ids() == Counter({"<crash-1@tutela>": 1, "<crash-2@tutela>": 1})
    assert {r["status"] for r in rows(db)} == {"sending"}

    # within the lease nobody takes them
    assert run_once(db, 2, 10, lease_seconds=10, settings=settings, providers={}) \
        == DispatchCounts()
    # the lease runs out
    sql(db, "update private.notification_outbox set claimed_at = now() - interval '11 seconds'")
    assert run_once(db, 2, 10, lease_seconds=10, settings=settings, providers={}) \
        == DispatchCounts(sent=2)
    assert run_once(db, 2, 10, lease_seconds=10, settings=settings, providers={}) \
        == DispatchCounts()
    # the second copy carries the same Message-ID: a receiver drops it
    assert smtp.ids() == Counter({"<crash-1@tutela>": 2, "<crash-2@tutela>": 2})
    for r in rows(db):
        assert r["status"] == "sent" and r["attempts"] == 2


# ---- (e) invites: rendered with the accept link and token; the token goes after sending -----
def new_user(url: str, email: str) -> Any:
    return sql(url, "insert into auth.users (id, aud, role, email, created_at, updated_at) "
                    "values (gen_random_uuid(), 'authenticated', 'authenticated', %s, now(), "
                    "now()) returning id", (email,))[0][0]


def test_invite_emails(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    admin = new_user(db, "head@school.test")
    with connect(db, autocommit=True) as conn:
        with acting_as(conn, admin, email="head@school.test"):
            org = conn.execute("select id from public.create_organization(%s, %s)",
                               ("Hill & Dale School", "hill-dale")).fetchone()[0]  # type: ignore[index]
            student = conn.execute("select id from public.create_student(%s, %s)",
                                   (org, "Sam <Lee>")).fetchone()[0]  # type: ignore[index]
            g_token = conn.execute(
                "select token from public.invite_guardian(%s, %s, %s, 'mother')",
                (student, "Co.Parent@Example.test", "Jo"),
            ).fetchone()[0]  # type: ignore[index]
        with acting_as(conn, admin, email="head@school.test"):
            s_token = conn.execute(
                "select token from public.invite_student(%s, %s, %s)",
                (org, "Pupil", "pupil@example.test"),
            ).fetchone()[0]  # type: ignore[index]
    queued = {r["recipient_email"]: r for r in rows(db)}
    assert queued["co.parent@example.test"]["payload"]["token"] == g_token

    assert run_once(db, 2, 10, settings=settings, providers={}) == DispatchCounts(sent=2)

    (guardian,) = smtp.to("co.parent@example.test")
    key = queued["co.parent@example.test"]["idempotency_key"]
    assert guardian["Message-ID"] == f"<{key}@tutela>"
    assert guardian["Subject"] == "Hill & Dale School invites you to follow Sam <Lee> on Tutela"
    link = f"{APP_URL}/invite/guardian?token={g_token}"
    text = guardian.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = guardian.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert link in text and g_token in text and "Hello Jo," in text
    assert f'href="{link}"' in html
    assert "Sam &lt;Lee&gt;" in html and "Hill &amp; Dale School" in html
    assert "<Lee>" not in html

    (pupil,) = smtp.to("pupil@example.test")
    text = pupil.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{APP_URL}/invite/student?token={s_token}" in text

    for r in rows(db):
        assert r["status"] == "sent"
        assert "token" not in r["payload"]
        assert r["payload"]["student_name"] in ("Sam <Lee>", "Pupil")


def test_member_invite_and_roster_notices(db: str, smtp: Collector,
                                         settings: SmtpSettings) -> None:
    """A membership invite is mailed with its accept link and token; a trusting roster's
    "you were linked" and "you were added" notices reach the account holder."""
    admin = new_user(db, "principal@trust.test")
    mum = new_user(db, "mum@trust.test")
    teacher = new_user(db, "teacher@trust.test")
    with connect(db, autocommit=True) as conn:
        with acting_as(conn, admin, email="principal@trust.test"):
            org = conn.execute("select id from public.create_organization(%s, %s)",
                               ("Trust <Academy>", "trust-academy")).fetchone()[0]  # type: ignore[index]
            conn.execute("select public.update_organization_settings(%s, %s::jsonb)",
                         (org, '{"roster_trusted": true}'))
            m_token = conn.execute(
                "select token from public.invite_organization_member(%s, %s, 'staff', 'Art')",
                (org, "New.Teacher@Example.test"),
            ).fetchone()[0]  # type: ignore[index]
        conn.execute("set role service_role")
        conn.execute("select public.import_roster(%s, 'students', %s::jsonb)",
                     (org, '[{"sis_id": "T1", "display_name": "Tam"}]'))
        conn.execute("select public.import_roster(%s, 'guardian-links', %s::jsonb)",
                     (org, '[{"student": "T1", "guardian_email": "mum@trust.test", '
                           '"relation": "mother"}]'))
        conn.execute("select public.import_roster(%s, 'staff', %s::jsonb)",
                     (org, '[{"email": "teacher@trust.test", "title": "Maths"}]'))
        conn.execute("reset role")
    queued = sql(db, "select recipient_user_id from private.notification_outbox "
                     "where kind in ('guardian_linked', 'member_added')")
    assert {mum, teacher} == {r[0] for r in queued}

    counts = run_once(db, 2, 10, settings=settings, providers={})
    assert counts.sent == 3, (counts, [(r["recipient_email"], r["status"]) for r in rows(
        db, "status <> 'sent'")])

    (invite,) = smtp.to("new.teacher@example.test")
    assert invite["Subject"] == "Trust <Academy> invites you to join as staff"
    text = invite.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = invite.get_body(("html",)).get_content()  # type: ignore[union-attr]
    link = f"{APP_URL}/invite/member?token={m_token}"
    assert link in text and "(Art)" in text and "Nothing changes until you accept" in text
    assert f'href="{link}"' in html and "Trust &lt;Academy&gt;" in html

    (linked,) = smtp.to("mum@trust.test")
    assert linked["Subject"] == "Trust <Academy> linked you to Tam"
    assert "as mother" in linked.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (added,) = smtp.to("teacher@trust.test")
    assert added["Subject"] == "Trust <Academy> added you to its team"
    assert "(Maths)" in added.get_body(("plain",)).get_content()  # type: ignore[union-attr]


# ---- (f) the weekly digest: an inline SVG with one bar per day ------------------------------
DIGEST = {
    "student_name": "Sam", "week_start": "2026-11-16", "week_end": "2026-11-22",
    "days": [{"day": f"2026-11-{16 + i}", "reviews": 3 * i, "minutes": m}
             for i, m in enumerate([0, 10, 25, 5, 40, 0, 15])],
    "grades": [{"course_name": "Maths", "title": "Quiz 3", "percent": 82.5}],
    "attendance": {"present": 4, "absent": 1},
    "upcoming": [{"title": "Essay", "course_name": "English", "due_at": "2026-11-25T09:00:00Z"}],
}


def test_digest_renders_an_svg_bar_per_day() -> None:
    n = Notification(id=1, channel="email", template="weekly_digest", idempotency_key="d",
                     recipient_email="pat@example.test", recipient_user_id=None,
                     student_id=None, payload=DIGEST, attempts=1, max_attempts=6)
    email = Renderer(APP_URL).render(n)
    assert email.subject == "Sam's week on Tutela: Mon 16 Nov to Sun 22 Nov"
    svg = re.search(r"<svg\b.*?</svg>", email.html, re.S)
    assert svg is not None
    bars = re.findall(r'<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                      r'height="([\d.]+)"', svg.group(0))
    assert len(bars) == 7
    heights = [float(h) for *_, h in bars]
    assert heights[4] == 100.0  # the busiest day fills the plot
    assert heights[2] == 62.5 and heights[0] == heights[5] == 1.0  # 25/40; stubs for no activity
    xs = [float(x) for x, *_ in bars]
    assert xs == sorted(xs) and len(set(xs)) == 7
    assert all(float(y) + float(h) == 118.0 for _, y, _, h in bars)  # one baseline
    assert ">Fri<" in svg.group(0)
    assert "Maths · Quiz 3 · 82.5%" in email.text and "present 4, absent 1" in email.text


def test_digest_is_sent(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    f = family(db, "digest")
    queue_digest(db, f)
    # (the weekly job queues every family's digest: other tests' families may get theirs too)
    assert run_once(db, 1, 10, settings=settings, providers={}).sent >= 1
    (msg,) = smtp.to(f["email"])
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.count('<rect class="bar"') == 7
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Quiz 3" in text  # the week's grade: the link grants grades


# ---- (g) re-checked at the moment of sending (issue 22) -------------------------------------
def family(url: str, tag: str) -> dict[str, Any]:
    """An organisation (its admin made it), a student Sam, and Mum with an active link (every
    default permission); last week Sam had a graded quiz."""
    tag = f"{tag}-{uuid.uuid4().hex[:8]}"
    admin = new_user(url, f"head-{tag}@school.test")
    mum = new_user(url, f"mum-{tag}@example.test")
    with connect(url, autocommit=True) as conn, \
            acting_as(conn, admin, email=f"head-{tag}@school.test"):
        org = conn.execute("select id from public.create_organization(%s, %s)",
                           (f"School {tag}", f"school-{tag}")).fetchone()[0]  # type: ignore[index]
        student = conn.execute("select id from public.create_student(%s, %s)",
                               (org, "Sam")).fetchone()[0]  # type: ignore[index]
    link = sql(url, "insert into public.guardian_links (student_id, guardian_id, status, "
                    "created_via, activated_at) values (%s, %s, 'active', 'staff', now()) "
                    "returning id", (student, mum))[0][0]
    monday = "date_trunc('week', (now() at time zone 'utc')::date - 7)::date"
    course = sql(url, "insert into public.courses (organization_id, title) values (%s, 'Maths') "
                      "returning id", (org,))[0][0]
    quiz = sql(url, "insert into public.assignments (organization_id, course_id, title, "
                    f"max_score, due_at) values (%s, %s, 'Quiz 3', 20, {monday} + 1) returning id",
               (org, course))[0][0]
    sql(url, "insert into public.submissions (student_id, organization_id, assignment_id, "
             f"status, score, graded_at) values (%s, %s, %s, 'graded', 17, {monday} + 1)",
        (student, org, quiz))
    return {"admin": admin, "admin_email": f"head-{tag}@school.test", "mum": mum,
            "email": f"mum-{tag}@example.test", "org": org, "student": student, "link": link}


def queue_digest(url: str, f: dict[str, Any]) -> None:
    """The weekly job, as the scheduler runs it: Mum's digest is queued (email)."""
    sql(url, "select private.run_weekly_digests()")
    assert [r["status"] for r in digest_rows(url, f)] == ["pending"]


def digest_rows(url: str, f: dict[str, Any]) -> list[dict[str, Any]]:
    with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(
            "select status, cancel_reason, cancelled_at, sent_at, attempts, payload "
            "from private.notification_outbox where kind = 'weekly_digest' "
            "and recipient_user_id = %s and student_id = %s", (f["mum"], f["student"]),
        ).fetchall()


def as_admin(url: str, f: dict[str, Any], query: str, params: tuple[Any, ...]) -> None:
    """Through the API, as the organisation's admin (PostgREST's role and claims)."""
    with connect(url, autocommit=True) as conn, \
            acting_as(conn, f["admin"], email=f["admin_email"]):
        conn.execute(query, params)


def dispatch_cli(cli: Any, url: str, port: int) -> dict[str, Any]:
    env = {"TUTELA_SMTP_HOST": "127.0.0.1", "TUTELA_SMTP_PORT": str(port)}
    out = cli("dispatch", "--once", "--workers", "2", "--database-url", url, "--json", env=env)
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def test_revoked_before_dispatch_nothing_is_sent(
        db: str, smtp: Collector, cli: Any, smtp_server: tuple[Collector, int]) -> None:
    f = family(db, "revoke")
    queue_digest(db, f)
    as_admin(db, f, "select public.revoke_guardian_link(%s, 'court order')", (f["link"],))
    summary = dispatch_cli(cli, db, smtp_server[1])
    assert summary["sent"] == 0
    assert smtp.to(f["email"]) == []
    (row,) = digest_rows(db, f)
    assert (row["status"], row["cancel_reason"], row["sent_at"]) == (
        "cancelled", "link_revoked", None)
    assert row["cancelled_at"] is not None and row["attempts"] == 0


def test_permission_withdrawn_before_dispatch(
        db: str, smtp: Collector, cli: Any, smtp_server: tuple[Collector, int]) -> None:
    f = family(db, "perm")
    queue_digest(db, f)
    # grades withdrawn: the digest still goes (it needs progress), without the week's grades
    as_admin(db, f, "select public.set_guardian_link_permissions(%s, %s)",
             (f["link"], json.dumps({"grades": False})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 1
    (msg,) = smtp.to(f["email"])
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Quiz 3" not in text and "Quiz 3" not in html
    assert digest_rows(db, f)[0]["payload"]["grades"] is None

    # progress withdrawn before the next week's digest is sent: nothing goes
    smtp.reset()
    sql(db, "delete from private.weekly_digests where guardian_id = %s", (f["mum"],))
    sql(db, "delete from private.notification_outbox where recipient_user_id = %s", (f["mum"],))
    queue_digest(db, f)
    as_admin(db, f, "select public.set_guardian_link_permissions(%s, %s)",
             (f["link"], json.dumps({"progress": False})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 0
    assert smtp.to(f["email"]) == []
    (row,) = digest_rows(db, f)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "permission_withdrawn")


def test_family_access_off_before_dispatch(
        db: str, smtp: Collector, cli: Any, smtp_server: tuple[Collector, int]) -> None:
    f = family(db, "family")
    queue_digest(db, f)
    as_admin(db, f, "select public.update_organization_settings(%s, %s)",
             (f["org"], json.dumps({"family_access_enabled": False})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 0
    assert smtp.to(f["email"]) == []
    (row,) = digest_rows(db, f)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "family_access_off")
    # switched on again: a cancelled message stays cancelled
    as_admin(db, f, "select public.update_organization_settings(%s, %s)",
             (f["org"], json.dumps({"family_access_enabled": True})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 0
    assert digest_rows(db, f)[0]["status"] == "cancelled"


def test_revoked_after_the_claim_is_not_sent(db: str, smtp: Collector,
                                             settings: SmtpSettings) -> None:
    """A worker holds a claimed batch; the link is revoked before it gets to the message: the
    check just before sending finds it cancelled, and the worker skips it."""
    f = family(db, "claimed")
    queue_digest(db, f)
    dispatcher = Dispatcher(db, settings=settings, providers={})
    with connect(db, autocommit=True) as conn, SmtpMailer(settings) as mailer:
        (n,) = claim(conn, 10, 300)
        assert n.template == "weekly_digest" and n.payload["grades"]
        as_admin(db, f, "select public.revoke_guardian_link(%s)", (f["link"],))
        dispatcher.process(conn, mailer, n)
    assert dispatcher.totals == DispatchCounts(cancelled=1)
    assert smtp.to(f["email"]) == []
    (row,) = digest_rows(db, f)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "link_revoked")


def test_withdrawn_invite_is_not_mailed(db: str, smtp: Collector,
                                        settings: SmtpSettings) -> None:
    f = family(db, "invite")
    with connect(db, autocommit=True) as conn, \
            acting_as(conn, f["admin"], email=f["admin_email"]):
        invite = conn.execute("select invite_id from public.invite_guardian(%s, %s)",
                              (f["student"], "gran@example.test")).fetchone()[0]  # type: ignore[index]
        conn.execute("select public.withdraw_guardian_invite(%s)", (invite,))
    assert run_once(db, 1, 10, settings=settings, providers={}) == DispatchCounts()
    assert smtp.to("gran@example.test") == []
    (row,) = rows(db, "kind = 'guardian_invite'")
    assert (row["status"], "token" in row["payload"]) == ("cancelled", False)


# ---- other channels, templates, the CLI ------------------------------------------------------
def test_sms_without_provider_dies_push_with_provider_is_sent(
        db: str, smtp: Collector, settings: SmtpSettings) -> None:
    queue(db, "sms-1", "x@example.test", channel="sms", max_attempts=1)
    queue(db, "push-1", "x@example.test", channel="push")
    queue(db, "odd-1", "y@example.test", template="no_such_template", payload={}, max_attempts=1)

    class Recorder:
        def __init__(self) -> None:
            self.sent: list[Notification] = []

        def send(self, notification: Notification) -> None:
            self.sent.append(notification)

    push = Recorder()
    counts = run_once(db, 2, 10, settings=settings, providers={"push": push})
    assert counts == DispatchCounts(sent=1, dead=2)
    assert [n.idempotency_key for n in push.sent] == ["push-1"]
    state = {r["idempotency_key"]: (r["status"], r["last_error"]) for r in rows(db)}
    assert state == {
        "sms-1": ("dead", "no provider configured for sms"),
        "push-1": ("sent", None),
        "odd-1": ("dead", "no email template 'no_such_template.subject.j2'"),
    }
    assert smtp.messages == []


def test_smtp_server_down_fails_the_batch_and_stops(db: str, smtp: Collector) -> None:
    for i in range(5):
        queue(db, f"down-{i}", f"down{i}@example.test")
    nowhere = SmtpSettings(host="127.0.0.1", port=free_port(), app_url=APP_URL, timeout=5)
    with pytest.raises(TutelaError, match="cannot reach the SMTP server"):
        run_once(db, workers=1, batch=2, settings=nowhere, providers={})
    state = sorted((r["attempts"], r["status"]) for r in rows(db))
    # the claimed batch goes back with a backoff; the rest was not touched
    assert state == [(0, "pending")] * 3 + [(1, "pending")] * 2
    assert all(r["last_error"].startswith("cannot reach the SMTP server 127.0.0.1:")
               for r in rows(db, "attempts = 1"))


def test_run_loop_stops_when_asked(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    stop = threading.Event()
    result: list[DispatchCounts] = []
    worker = threading.Thread(target=lambda: result.append(run_loop(
        db, workers=2, batch=5, interval=0.1, settings=settings, providers={}, stop=stop)))
    worker.start()
    queue(db, "loop-1", "loop@example.test")
    deadline = time.monotonic() + 10
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    assert result == [DispatchCounts(sent=1)]


def test_message_id_is_stable_and_valid() -> None:
    assert message_id("3f2b0c8e-1111-4222-8333-944445555666") \
        == "<3f2b0c8e-1111-4222-8333-944445555666@tutela>"
    assert message_id("a b") == "<a%20b@tutela>" != message_id("a%20b")
    long = message_id("k" * 500)
    assert long.startswith("<sha256-") and long == message_id("k" * 500)


def test_cli_dispatch(db: str, smtp: Collector, cli: Any,
                      smtp_server: tuple[Collector, int]) -> None:
    for i in range(3):
        queue(db, f"cli-{i}", f"cli{i}@example.test")
    env = {"TUTELA_SMTP_HOST": "127.0.0.1", "TUTELA_SMTP_PORT": str(smtp_server[1])}
    out = cli("dispatch", "--once", "--workers", "2", "--database-url", db, "--json", env=env)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["sent"], summary["retried"], summary["dead"]) == (3, 0, 0)
    queue(db, "cli-3", "cli3@example.test")
    out = cli("dispatch", "--database-url", db, env=env)
    assert out.returncode == 0, out.stderr
    assert re.search(r"sent\s*│\s*1\b", out.stdout), out.stdout
    assert "retried" in out.stdout and "dead" in out.stdout
    bad = cli("dispatch", "--database-url", db, env={**env, "TUTELA_SMTP_PORT": "smtp"})
    assert bad.returncode == 1 and "TUTELA_SMTP_PORT" in bad.stderr
    assert "Traceback" not in bad.stderr
