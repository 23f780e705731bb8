"""The notification dispatcher against a real SMTP server (aiosmtpd on 127.0.0.1) and a
migrated database: exactly-once delivery under parallel workers, retries, dead letters, a crash
between send and mark, invite emails and the weekly digest's chart.
"""

from __future__ import annotations

import json
import re
import smtplib
import socket
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
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
    SmtpUnavailable,
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
        # the reply to MAIL FROM and to the end of DATA (None: accept); nth counts from 1
        self.mail_reply: Callable[[int], str | None] = lambda nth: None
        self.data_reply: Callable[[str, int], str | None] = lambda rcpt, nth: None
        self.mails = 0
        self.datas = 0

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.peers.clear()
            self.rcpts.clear()
            self.reject = lambda address, nth: None
            self.mail_reply = lambda nth: None
            self.data_reply = lambda rcpt, nth: None
            self.mails = 0
            self.datas = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        with self.lock:
            self.mails += 1
            nth = self.mails
        verdict = self.mail_reply(nth)
        if verdict:
            return verdict
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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
        with self.lock:
            self.datas += 1
            nth = self.datas
        verdict = self.data_reply(envelope.rcpt_tos[0] if envelope.rcpt_tos else "", nth)
        if verdict:
            return verdict
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
    sql(migrated, "delete from tutela_private.notification_outbox")
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
    sql(url, "insert into tutela_private.notification_outbox (kind, template, channel, "
             "idempotency_key, "
             "recipient_email, payload, max_attempts) values (%s, %s, %s, %s, %s, %s, %s)",
        (template, template, channel, key, email, json.dumps(payload), max_attempts))


def rows(url: str, where: str = "true", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(
            "select id, idempotency_key, recipient_email, status, attempts, last_error, payload, "
            "next_attempt_at - now() as wait from tutela_private.notification_outbox "
            "where " + where,
            params,
        ).fetchall()


def advance(url: str) -> None:
    """The backoff has passed: every pending row is due again."""
    sql(url, "update tutela_private.notification_outbox set next_attempt_at = now() "
             "where status = 'pending'")


# ---- (a) 1,000 messages, 4 workers: each delivered exactly once -----------------------------
def test_thousand_messages_four_workers_exactly_once(db: str, smtp: Collector,
                                                     settings: SmtpSettings) -> None:
    sql(db, "insert into tutela_private.notification_outbox (kind, template, idempotency_key, "
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
    assert sql(db, "select status, count(*) from tutela_private.notification_outbox group by 1") \
        == [("sent", 1000)]
    assert sql(db, "select max(attempts) from tutela_private.notification_outbox") == [(1,)]
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


# ---- (c) a recipient refused every time (4xx) ends dead after its attempts, its error kept ----
def test_dead_letters_are_kept(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    queue(db, "doomed", "nobody@example.test", max_attempts=3)
    queue(db, "fine", "somebody@example.test", max_attempts=3)
    smtp.reject = lambda address, nth: (
        "452 4.2.2 Mailbox full" if address == "nobody@example.test" else None)

    outcomes = []
    for _ in range(3):
        outcomes.append(run_once(db, 2, 10, settings=settings, providers={}))
        advance(db)
    assert outcomes == [DispatchCounts(sent=1, retried=1), DispatchCounts(retried=1),
                        DispatchCounts(dead=1)]
    (dead,) = rows(db, "idempotency_key = 'doomed'")
    assert dead["status"] == "dead"
    assert dead["attempts"] == 3
    assert dead["last_error"] == "recipient refused: 452 4.2.2 Mailbox full"
    assert smtp.rcpts["nobody@example.test"] == 3
    # dead is final: not claimed again
    sql(db, "update tutela_private.notification_outbox set next_attempt_at = now() - interval "
            "'1 day'")
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
    sql(db, "update tutela_private.notification_outbox set claimed_at = now() - interval '11 "
            "seconds'")
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
            org = conn.execute("select id from tutela.create_organization(%s, %s)",
                               ("Hill & Dale School", "hill-dale")).fetchone()[0]  # type: ignore[index]
            student = conn.execute("select id from tutela.create_student(%s, %s)",
                                   (org, "Sam <Lee>")).fetchone()[0]  # type: ignore[index]
            g_token = conn.execute(
                "select token from tutela.invite_guardian(%s, %s, %s, 'mother')",
                (student, "Co.Parent@Example.test", "Jo"),
            ).fetchone()[0]  # type: ignore[index]
        with acting_as(conn, admin, email="head@school.test"):
            s_token = conn.execute(
                "select token from tutela.invite_student(%s, %s, %s)",
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
            org = conn.execute("select id from tutela.create_organization(%s, %s)",
                               ("Trust <Academy>", "trust-academy")).fetchone()[0]  # type: ignore[index]
            conn.execute("select tutela.update_organization_settings(%s, %s::jsonb)",
                         (org, '{"roster_trusted": true}'))
            m_token = conn.execute(
                "select token from tutela.invite_organization_member(%s, %s, 'staff', 'Art')",
                (org, "New.Teacher@Example.test"),
            ).fetchone()[0]  # type: ignore[index]
        conn.execute("set role service_role")
        conn.execute("select tutela.import_roster(%s, 'students', %s::jsonb)",
                     (org, '[{"sis_id": "T1", "display_name": "Tam"}]'))
        conn.execute("select tutela.import_roster(%s, 'guardian-links', %s::jsonb)",
                     (org, '[{"student": "T1", "guardian_email": "mum@trust.test", '
                           '"relation": "mother"}]'))
        conn.execute("select tutela.import_roster(%s, 'staff', %s::jsonb)",
                     (org, '[{"email": "teacher@trust.test", "title": "Maths"}]'))
        conn.execute("reset role")
    queued = sql(db, "select recipient_user_id from tutela_private.notification_outbox "
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
    # the weekly job also digests the families earlier tests made: only this one is looked at
    sql(db, "delete from tutela_private.notification_outbox where recipient_user_id <> %s",
        (f["mum"],))
    assert run_once(db, 1, 10, settings=settings, providers={}).sent == 1
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
        org = conn.execute("select id from tutela.create_organization(%s, %s)",
                           (f"School {tag}", f"school-{tag}")).fetchone()[0]  # type: ignore[index]
        student = conn.execute("select id from tutela.create_student(%s, %s)",
                               (org, "Sam")).fetchone()[0]  # type: ignore[index]
    link = sql(url, "insert into tutela.guardian_links (student_id, guardian_id, status, "
                    "created_via, activated_at) values (%s, %s, 'active', 'staff', now()) "
                    "returning id", (student, mum))[0][0]
    monday = "date_trunc('week', (now() at time zone 'utc')::date - 7)::date"
    course = sql(url, "insert into tutela.courses (organization_id, title) values (%s, 'Maths') "
                      "returning id", (org,))[0][0]
    quiz = sql(url, "insert into tutela.assignments (organization_id, course_id, title, "
                    f"max_score, due_at) values (%s, %s, 'Quiz 3', 20, {monday} + 1) returning id",
               (org, course))[0][0]
    sql(url, "insert into tutela.submissions (student_id, organization_id, assignment_id, "
             f"status, score, graded_at) values (%s, %s, %s, 'graded', 17, {monday} + 1)",
        (student, org, quiz))
    return {"admin": admin, "admin_email": f"head-{tag}@school.test", "mum": mum,
            "email": f"mum-{tag}@example.test", "org": org, "student": student, "link": link}


def queue_digest(url: str, f: dict[str, Any]) -> None:
    """The weekly job, as the scheduler runs it: Mum's digest is queued (email)."""
    sql(url, "select tutela_private.run_weekly_digests()")
    assert [r["status"] for r in digest_rows(url, f)] == ["pending"]


def digest_rows(url: str, f: dict[str, Any]) -> list[dict[str, Any]]:
    with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(
            "select status, cancel_reason, cancelled_at, sent_at, attempts, payload "
            "from tutela_private.notification_outbox where kind = 'weekly_digest' "
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
    as_admin(db, f, "select tutela.revoke_guardian_link(%s, 'court order')", (f["link"],))
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
    as_admin(db, f, "select tutela.set_guardian_link_permissions(%s, %s)",
             (f["link"], json.dumps({"grades": False})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 1
    (msg,) = smtp.to(f["email"])
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Quiz 3" not in text and "Quiz 3" not in html
    assert digest_rows(db, f)[0]["payload"]["grades"] is None

    # progress withdrawn before the next week's digest is sent: nothing goes
    smtp.reset()
    sql(db, "delete from tutela_private.weekly_digests where guardian_id = %s", (f["mum"],))
    sql(db, "delete from tutela_private.notification_outbox where recipient_user_id = %s",
        (f["mum"],))
    queue_digest(db, f)
    as_admin(db, f, "select tutela.set_guardian_link_permissions(%s, %s)",
             (f["link"], json.dumps({"progress": False})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 0
    assert smtp.to(f["email"]) == []
    (row,) = digest_rows(db, f)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "permission_withdrawn")


def test_family_access_off_before_dispatch(
        db: str, smtp: Collector, cli: Any, smtp_server: tuple[Collector, int]) -> None:
    f = family(db, "family")
    queue_digest(db, f)
    as_admin(db, f, "select tutela.update_organization_settings(%s, %s)",
             (f["org"], json.dumps({"family_access_enabled": False})))
    assert dispatch_cli(cli, db, smtp_server[1])["sent"] == 0
    assert smtp.to(f["email"]) == []
    (row,) = digest_rows(db, f)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "family_access_off")
    # switched on again: a cancelled message stays cancelled
    as_admin(db, f, "select tutela.update_organization_settings(%s, %s)",
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
        as_admin(db, f, "select tutela.revoke_guardian_link(%s)", (f["link"],))
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
        invite = conn.execute("select invite_id from tutela.invite_guardian(%s, %s)",
                              (f["student"], "gran@example.test")).fetchone()[0]  # type: ignore[index]
        conn.execute("select tutela.withdraw_guardian_invite(%s)", (invite,))
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


def test_smtp_server_down_touches_no_message(db: str, smtp: Collector) -> None:
    """Issue 27: the dispatcher probes the server before claiming; an outage claims nothing,
    counts nothing, and --once says so."""
    for i in range(5):
        queue(db, f"down-{i}", f"down{i}@example.test")
    nowhere = SmtpSettings(host="127.0.0.1", port=free_port(), app_url=APP_URL, timeout=5)
    with pytest.raises(TutelaError, match="cannot reach the SMTP server"):
        run_once(db, workers=1, batch=2, settings=nowhere, providers={})
    assert sorted((r["attempts"], r["status"]) for r in rows(db)) == [(0, "pending")] * 5


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


# ---- issue 27: delivery that survives outages ------------------------------------------------
def make_due(url: str) -> None:
    """The clock moves on: every pending message is due (its backoff, or the dispatcher's wait
    during an outage, is over)."""
    sql(url, "update tutela_private.notification_outbox set next_attempt_at = now() - interval "
             "'1 second'"
             " where status = 'pending'")


def test_a_long_outage_kills_no_message(db: str, smtp: Collector,
                                        settings: SmtpSettings) -> None:
    """Finding 1: twenty rounds of a refused connection (hours of outage, the clock moved
    between rounds) use no attempt of any message; when the server is back, all are sent, once
    each, at their first attempt."""
    for i in range(30):
        queue(db, f"outage-{i}", f"outage{i}@example.test")
    nowhere = replace(settings, port=free_port(), timeout=2)
    for _ in range(20):
        with pytest.raises(TutelaError, match="cannot reach the SMTP server"):
            run_once(db, workers=2, batch=10, settings=nowhere, providers={})
        make_due(db)
    state = rows(db)
    assert {(r["status"], r["attempts"]) for r in state} == {("pending", 0)}
    assert run_once(db, workers=2, batch=10, settings=settings, providers={}) \
        == DispatchCounts(sent=30)
    assert max(smtp.ids().values()) == 1 and len(smtp.messages) == 30
    assert {(r["status"], r["attempts"]) for r in rows(db)} == {("sent", 1)}


def test_outage_in_the_middle_of_a_batch(db: str, smtp: Collector,
                                         settings: SmtpSettings) -> None:
    """Finding 1: the server closes the session (421) at the third message: that message and
    the rest of the batch go back untried (no attempt counted, the outage kept as their last
    error, due after the dispatcher's wait); the two before it were sent."""
    for i in range(6):
        queue(db, f"mid-{i}", f"mid{i}@example.test")
    smtp.data_reply = lambda rcpt, nth: (
        "421 4.3.0 Service shutting down" if nth == 3 else None)
    with pytest.raises(TutelaError, match="closed the session"):
        run_once(db, workers=1, batch=6, settings=settings, providers={})
    state = sorted(rows(db), key=lambda r: r["idempotency_key"])
    assert [r["status"] for r in state] == ["sent", "sent"] + ["pending"] * 4
    assert [r["attempts"] for r in state] == [1, 1, 0, 0, 0, 0]
    for r in state[2:]:
        assert "421" in r["last_error"] and r["wait"].total_seconds() > 0
    make_due(db)
    assert run_once(db, workers=1, batch=6, settings=settings, providers={}) \
        == DispatchCounts(sent=4)
    assert {r["attempts"] for r in rows(db)} == {1}


class Dropper:
    """A server that accepts connections and closes them at once (or, ``hang``, never
    answers): it counts the connections."""

    def __init__(self, hang: bool = False) -> None:
        self.hang = hang
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.hang:
                if self.hang and self.connections >= 1:
                    conn.sendall(b"220 slow.example ESMTP\r\n")
                self.held.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


def test_during_an_outage_the_dispatcher_probes_once(db: str, smtp: Collector,
                                                     settings: SmtpSettings) -> None:
    """Finding 1: four workers in --loop against a server that drops every connection: one
    probe (one connection), not a batch of failures per worker; nothing is claimed."""
    for i in range(8):
        queue(db, f"probe-{i}", f"probe{i}@example.test")
    dropper = Dropper()
    stop = threading.Event()
    try:
        worker = threading.Thread(target=lambda: run_loop(
            db, workers=4, batch=5, interval=0.05, settings=replace(settings, port=dropper.port),
            providers={}, stop=stop))
        worker.start()
        deadline = time.monotonic() + 10
        while dropper.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the loop would have retried 20 times a worker by now
        stop.set()
        worker.join(10)
    finally:
        dropper.close()
    assert not worker.is_alive()
    assert dropper.connections == 1
    assert {(r["status"], r["attempts"]) for r in rows(db)} == {("pending", 0)}


@pytest.mark.parametrize(("where", "reply", "status", "attempts"), [
    ("rcpt", "550 5.1.1 No such user", "dead", 1),
    ("rcpt", "553 5.1.3 Bad address syntax", "dead", 1),
    ("rcpt", "451 4.7.1 Greylisted", "pending", 1),
    ("rcpt", "452 4.2.2 Mailbox full", "pending", 1),
    ("data", "554 5.6.0 Message refused", "dead", 1),
    ("data", "552 5.3.4 Message too big", "dead", 1),
    ("data", "451 4.3.0 Try again later", "pending", 1),
    ("mail", "451 4.3.0 Queue full", "pending", 0),
    ("mail", "421 4.3.2 Going away", "pending", 0),
    ("mail", "530 5.7.0 Authentication required", "pending", 0),
])
def test_smtp_replies_are_classified(db: str, smtp: Collector, settings: SmtpSettings,
                                     where: str, reply: str, status: str, attempts: int) -> None:
    """Finding 2 (RFC 5321): a 5xx for the recipient or the message ends it dead at once; a 4xx
    for it is retried; a refusal of the session's sender (MAIL FROM) or a 421 is an outage:
    nothing counted."""
    queue(db, "classified", "someone@example.test")
    if where == "rcpt":
        smtp.reject = lambda address, nth: reply
    elif where == "data":
        smtp.data_reply = lambda rcpt, nth: reply
    else:
        smtp.mail_reply = lambda nth: reply
    try:
        run_once(db, 1, 10, settings=settings, providers={})
    except TutelaError:
        assert where == "mail"  # an outage: --once reports it
    (row,) = rows(db)
    assert (row["status"], row["attempts"]) == (status, attempts)
    assert reply.split()[0] in row["last_error"]
    if status == "dead":
        assert row["wait"] is not None and smtp.messages == []


def test_local_errors_are_permanent(db: str, smtp: Collector, settings: SmtpSettings) -> None:
    """Finding 2: no provider, no template, a payload the template cannot render: dead at the
    first attempt (of the default max_attempts), not retried."""
    queue(db, "sms-2", "x@example.test", channel="sms")
    queue(db, "tpl-2", "y@example.test", template="no_such_template", payload={})
    queue(db, "tok-2", "z@example.test", payload={"severity": "info"})  # an alert, no title
    counts = run_once(db, 2, 10, settings=settings, providers={})
    assert counts == DispatchCounts(dead=3)
    assert {(r["status"], r["attempts"]) for r in rows(db)} == {("dead", 1)}


def test_a_provider_may_fail_permanently_or_temporarily(db: str, smtp: Collector,
                                                        settings: SmtpSettings) -> None:
    from py_admin.dispatch import PermanentFailure
    queue(db, "push-perm", "x@example.test", channel="push")
    queue(db, "push-temp", "y@example.test", channel="push")

    class Picky:
        def send(self, n: Notification) -> None:
            if n.idempotency_key == "push-perm":
                raise PermanentFailure("device token unregistered")
            raise RuntimeError("provider timed out")

    assert run_once(db, 1, 10, settings=settings, providers={"push": Picky()}) \
        == DispatchCounts(retried=1, dead=1)
    state = {r["idempotency_key"]: (r["status"], r["last_error"]) for r in rows(db)}
    assert state == {"push-perm": ("dead", "device token unregistered"),
                     "push-temp": ("pending", "RuntimeError: provider timed out")}


def test_deferred_at_the_end_of_the_lease_counts_no_attempt(
        db: str, smtp: Collector, settings: SmtpSettings) -> None:
    """Finding 3: a batch whose lease runs out before a message's turn gives it back untried:
    due at once, no attempt counted."""
    for i in range(3):
        queue(db, f"lease-{i}", f"lease{i}@example.test")
    ticks = iter([0.0, 0.0, 1.0, 100.0, 100.0, 100.0])
    dispatcher = Dispatcher(db, batch=10, lease_seconds=60, settings=settings,
                            clock=lambda: next(ticks))
    stop = threading.Event()
    with connect(db, autocommit=True) as conn, SmtpMailer(settings) as mailer:
        dispatcher.drain(conn, mailer, stop)
    # the first two went; the third was given back untried, due at once, claimed by the next
    # round of the same drain and sent at its first attempt
    state = sorted(rows(db), key=lambda r: r["idempotency_key"])
    assert [(r["status"], r["attempts"]) for r in state] == [("sent", 1)] * 3
    assert dispatcher.totals == DispatchCounts(sent=3, deferred=1)


def test_a_failed_complete_is_not_counted_as_sent(db: str, smtp: Collector,
                                                  settings: SmtpSettings) -> None:
    """Finding 3: the row was taken by another claim while this worker sent it: not counted
    as sent (the other claim sends it again, with the same Message-ID)."""
    queue(db, "taken", "x@example.test", channel="push")

    class Slow:
        def send(self, n: Notification) -> None:
            # meanwhile the lease ran out and another dispatcher claimed the row
            sql(db, "update tutela_private.notification_outbox set claims = claims + 1, "
                    "attempts = attempts + 1 where idempotency_key = 'taken'")

    counts = run_once(db, 1, 10, settings=settings, providers={"push": Slow()})
    assert counts.sent == 0 and counts.unconfirmed == 1


def test_a_send_never_outlasts_its_lease(db: str, smtp: Collector,
                                         settings: SmtpSettings) -> None:
    """Finding 3: a server that greets and then hangs, an SMTP timeout (30 s) longer than the
    lease (10 s): the send is cut off inside the lease, and the message goes back untried."""
    queue(db, "hang", "hang@example.test")
    hanger = Dropper(hang=True)
    dispatcher = Dispatcher(db, batch=1, lease_seconds=10,
                            settings=replace(settings, port=hanger.port, timeout=30))
    started = time.monotonic()
    try:
        with connect(db, autocommit=True) as conn, \
                SmtpMailer(replace(settings, port=hanger.port, timeout=30)) as mailer:
            mailer._smtp = smtplib.SMTP()  # a session that got the greeting, then hangs
            mailer._smtp.connect("127.0.0.1", hanger.port)
            (n,) = claim(conn, 1, 10)
            with pytest.raises(SmtpUnavailable):
                dispatcher.process(conn, mailer, n)
    finally:
        hanger.close()
    assert time.monotonic() - started < 10
    (row,) = rows(db)
    assert (row["status"], row["attempts"]) == ("pending", 0)


def test_operator_lists_retries_and_requeues(db: str, smtp: Collector, cli: Any,
                                             smtp_server: tuple[Collector, int]) -> None:
    """Finding 1: tutela outbox list shows what is stuck; retry makes waiting messages due now;
    requeue gives dead ones a fresh start."""
    queue(db, "stuck-dead", "dead@example.test")
    queue(db, "stuck-wait", "wait@example.test")
    queue(db, "stuck-other", "other@example.test")
    sql(db, "update tutela_private.notification_outbox set status = 'dead', attempts = 6, "
            "last_error = 'cannot reach the SMTP server' where idempotency_key = 'stuck-dead'")
    sql(db, "update tutela_private.notification_outbox set next_attempt_at = now() + interval "
            "'5 hours', "
            "attempts = 3, last_error = 'SMTP 451' where idempotency_key like 'stuck-wait'")
    out = cli("outbox", "list", "--database-url", db, "--json")
    assert out.returncode == 0, out.stderr
    listed = {r["idempotency_key"]: r for r in json.loads(out.stdout)["messages"]}
    assert set(listed) == {"stuck-dead", "stuck-wait", "stuck-other"}
    assert listed["stuck-dead"]["status"] == "dead"
    out = cli("outbox", "list", "--status", "dead", "--database-url", db, "--json")
    assert [r["idempotency_key"] for r in json.loads(out.stdout)["messages"]] == ["stuck-dead"]

    out = cli("outbox", "requeue", "--database-url", db)
    assert out.returncode == 1 and "--all" in out.stderr  # a filter or --all, never by accident
    out = cli("outbox", "requeue", "--status", "dead", "--error", "SMTP server",
              "--database-url", db, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["requeued"] == 1
    out = cli("outbox", "retry", "--template", "alert", "--database-url", db, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["retried"] == 1  # stuck-wait (stuck-dead is due already)
    state = {r["idempotency_key"]: (r["status"], r["attempts"]) for r in rows(db)}
    assert state["stuck-dead"] == ("pending", 0) and state["stuck-wait"][0] == "pending"
    assert run_once(db, 1, 10, settings=SmtpSettings(port=smtp_server[1], app_url=APP_URL),
                    providers={}).sent == 3


def invite_rows(url: str, kind: str) -> list[dict[str, Any]]:
    return rows(url, "kind = %s order by created_at", (kind,))


def kill_invite_mail(url: str, kind: str) -> None:
    """What an outage did before issue 27: the invite's email dead, its token gone."""
    sql(url, "update tutela_private.notification_outbox set status = 'dead', attempts = 6, "
             "payload = payload - 'token', last_error = 'cannot reach the SMTP server' "
             "where kind = %s", (kind,))


def token_works(url: str, table: str, invite_id: Any, token: str) -> bool:
    return bool(sql(url, f"select token_hash = tutela_private.hash_secret(%s) from tutela.{table} "
                         "where id = %s", (token, invite_id))[0][0])


@pytest.mark.parametrize("kind", ["guardian_invite", "student_invite", "member_invite"])
def test_dead_invite_is_resent_by_staff(db: str, smtp: Collector, settings: SmtpSettings,
                                        kind: str) -> None:
    """Finding 1: an invite whose email died is resent by staff through the API: a new token
    by email (it works; the old one no longer does)."""
    f = family(db, "resend")
    with connect(db, autocommit=True) as conn, \
            acting_as(conn, f["admin"], email=f["admin_email"]):
        if kind == "guardian_invite":
            invite, old = conn.execute("select invite_id, token from tutela.invite_guardian("
                                       "%s, %s)", (f["student"], "gran@example.test")).fetchone()  # type: ignore[misc]
            table, fn, to = "guardian_invites", "resend_guardian_invite", "gran@example.test"
        elif kind == "student_invite":
            student, old = conn.execute("select student_id, token from tutela.invite_student("
                                        "%s, 'Pupil', 'pupil2@example.test')",
                                        (f["org"],)).fetchone()  # type: ignore[misc]
            invite = conn.execute("select id from tutela.student_invites where student_id = %s",
                                  (student,)).fetchone()[0]  # type: ignore[index]
            table, fn, to = "student_invites", "resend_student_invite", "pupil2@example.test"
        else:
            invite, old = conn.execute("select invite_id, token from tutela."
                                       "invite_organization_member(%s, 'new@staff.test')",
                                       (f["org"],)).fetchone()  # type: ignore[misc]
            table, fn, to = "membership_invites", "resend_organization_invite", "new@staff.test"
    kill_invite_mail(db, kind)
    assert run_once(db, 1, 10, settings=settings, providers={}) == DispatchCounts()
    with connect(db, autocommit=True) as conn, \
            acting_as(conn, f["admin"], email=f["admin_email"]):
        conn.execute(f"select * from tutela.{fn}(%s)", (invite,))
    assert run_once(db, 1, 10, settings=settings, providers={}).sent == 1
    (mail,) = smtp.to(to)
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    new = re.search(r"token=([A-Za-z0-9_%-]+)", text)
    assert new is not None
    token = urllib.parse.unquote(new.group(1))
    assert token != old
    assert token_works(db, table, invite, token) and not token_works(db, table, invite, old)


def test_roster_resync_reissues_a_dead_invite(db: str, smtp: Collector,
                                              settings: SmtpSettings) -> None:
    """Finding 1: re-importing the roster re-issues a pending roster invite whose email died,
    instead of reporting it unchanged (guardian links and staff)."""
    f = family(db, "roster")
    links = '[{"student": "S1", "guardian_email": "dad@roster.test", "relation": "father"}]'
    staff = '[{"email": "coach@roster.test", "title": "PE"}]'
    sql(db, "update tutela.students set sis_id = 'S1' where id = %s", (f["student"],))

    def sync() -> dict[str, Any]:
        with connect(db, autocommit=True) as conn:
            conn.execute("set role service_role")
            a = conn.execute("select tutela.import_roster(%s, 'guardian-links', %s::jsonb)",
                             (f["org"], links)).fetchone()[0]  # type: ignore[index]
            b = conn.execute("select tutela.import_roster(%s, 'staff', %s::jsonb)",
                             (f["org"], staff)).fetchone()[0]  # type: ignore[index]
            conn.execute("reset role")
        return {"links": a["counts"], "staff": b["counts"]}

    first = sync()
    assert first["links"]["invite"] == 1 and first["staff"]["invite"] == 1
    again = sync()
    assert again["links"]["unchanged"] == 1 and again["staff"]["unchanged"] == 1
    kill_invite_mail(db, "guardian_invite")
    kill_invite_mail(db, "member_invite")
    third = sync()
    assert third["links"]["invite"] == 1 and third["staff"]["invite"] == 1
    assert run_once(db, 1, 10, settings=settings, providers={}).sent == 2
    assert len(smtp.to("dad@roster.test")) == 1 and len(smtp.to("coach@roster.test")) == 1
    assert sync()["links"]["unchanged"] == 1  # sent now: unchanged again


def test_loop_that_loses_its_database_says_so_and_stops(
        monkeypatch: pytest.MonkeyPatch, settings: SmtpSettings) -> None:
    """Finding 4: a --loop dispatcher whose database is gone (a cluster that moved, a dead
    port) reconnects to the same URL for a while, then stops with an error instead of retrying
    forever."""
    import py_admin.dispatch as dispatch_module

    monkeypatch.setattr(dispatch_module, "DATABASE_LOST_AFTER", 0.5)
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/tutela?connect_timeout=2"
    result: list[BaseException] = []

    def run() -> None:
        try:
            run_loop(dead, workers=2, batch=5, interval=0.1, settings=settings, providers={})
        except BaseException as exc:
            result.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the loop retried the dead database forever"
    (exc,) = result
    assert isinstance(exc, TutelaError) and "unreachable" in str(exc)
