"""The notification dispatcher (`tutela dispatch`): sends what the outbox holds.

The protocol is SQL's (rpc/notifications.sql), run as the service role:

1. ``tutela.claim_notifications(batch, lease)`` hands this worker up to ``batch`` due messages
   (``FOR UPDATE SKIP LOCKED``: concurrent workers never get the same row) and marks them
   ``sending``. Each due message is checked again in the claim: one its recipient may no
   longer receive (link revoked, permission withdrawn, family access off, invite withdrawn or
   expired...) is ``cancelled`` there, with its reason, and never handed out;
2. just before sending, ``tutela.recheck_notification(id, attempt)`` checks it once more (a
   revoke since the claim cancels it: the worker skips it) and gives the payload to send; the
   message is rendered (jinja2 templates under ``templates/email/``) and sent (SMTP for
   email; a :class:`Provider` for sms and push);
3. ``tutela.complete_notification(id)`` marks it ``sent`` (and drops an invite's token), or, on
   any error, ``tutela.fail_notification(id, error)`` schedules a retry with backoff or, once
   ``max_attempts`` is reached, keeps it as ``dead`` with its last error.

Delivery is at least once. A worker that dies between the SMTP hand-off and step 3 leaves its
rows ``sending``; once their lease has run out another claim takes them again and they are sent
again, with the same ``Message-ID: <idempotency_key@tutela>``, so that a receiver can drop the
duplicate.

sms and push have no provider here: such a message fails with "no provider configured for sms"
on every attempt and ends ``dead``, unless a provider is given (``providers=`` or
``TUTELA_SMS_PROVIDER`` / ``TUTELA_PUSH_PROVIDER`` = ``package.module:factory``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import os
import signal
import smtplib
import socket
import ssl
import string
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate
from types import FrameType, TracebackType
from typing import Any, Protocol
from urllib.parse import quote, urljoin, urlsplit

import jinja2
import psycopg
from psycopg.rows import dict_row

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.errors import TutelaError
from py_admin.paths import TEMPLATES_DIR

EMAIL_TEMPLATES_DIR = TEMPLATES_DIR / "email"
DEFAULT_MAIL_FROM = "Tutela <no-reply@tutela.local>"
DEFAULT_APP_URL = "http://localhost:3000"
MESSAGE_ID_DOMAIN = "tutela"
CHANNELS = ("email", "sms", "push")
log = logging.getLogger("tutela.dispatch")


# ---- settings -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SmtpSettings:
    """Where and how email goes; :meth:`from_env` reads the ``TUTELA_SMTP_*`` variables."""

    host: str = "127.0.0.1"
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    mail_from: str = DEFAULT_MAIL_FROM
    app_url: str = DEFAULT_APP_URL
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """TUTELA_SMTP_HOST (127.0.0.1), TUTELA_SMTP_PORT (25), TUTELA_SMTP_USER and
        TUTELA_SMTP_PASSWORD (both or neither), TUTELA_SMTP_STARTTLS (0/1), TUTELA_SMTP_TIMEOUT
        (30 s), TUTELA_MAIL_FROM, TUTELA_APP_URL (the base of links in emails)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port_text = get("TUTELA_SMTP_PORT") or "25"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise TutelaError(f"TUTELA_SMTP_PORT must be a port number, not {port_text!r}")
        tls_text = (get("TUTELA_SMTP_STARTTLS") or "0").lower()
        if tls_text not in ("0", "1", "false", "true", "no", "yes"):
            raise TutelaError(f"TUTELA_SMTP_STARTTLS must be 0 or 1, not {tls_text!r}")
        timeout_text = get("TUTELA_SMTP_TIMEOUT") or "30"
        try:
            timeout = float(timeout_text)
        except ValueError:
            raise TutelaError(
                f"TUTELA_SMTP_TIMEOUT must be a number of seconds, not {timeout_text!r}"
            ) from None
        user, password = get("TUTELA_SMTP_USER"), env.get("TUTELA_SMTP_PASSWORD") or None
        if (user is None) != (password is None):
            raise TutelaError("set both TUTELA_SMTP_USER and TUTELA_SMTP_PASSWORD, or neither")
        app_url = get("TUTELA_APP_URL") or DEFAULT_APP_URL
        if urlsplit(app_url).scheme not in ("http", "https"):
            raise TutelaError(f"TUTELA_APP_URL must be an http(s) URL, not {app_url!r}")
        return cls(
            host=get("TUTELA_SMTP_HOST") or "127.0.0.1",
            port=int(port_text),
            user=user,
            password=password,
            starttls=tls_text in ("1", "true", "yes"),
            mail_from=get("TUTELA_MAIL_FROM") or DEFAULT_MAIL_FROM,
            app_url=app_url.rstrip("/"),
            timeout=timeout,
        )


# ---- messages -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Notification:
    """One claimed outbox row, as claim_notifications returns it."""

    id: Any
    channel: str
    template: str
    idempotency_key: str
    recipient_email: str | None
    recipient_user_id: Any
    student_id: Any
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    claim: int = 0
    lease_seconds: int = 300

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Notification:
        return cls(
            id=row["id"], channel=row["channel"], template=row["template"],
            idempotency_key=row["idempotency_key"], recipient_email=row["recipient_email"],
            recipient_user_id=row["recipient_user_id"], student_id=row["student_id"],
            payload=dict(row["payload"] or {}), attempts=row["attempts"],
            max_attempts=row["max_attempts"], claim=row["claim"],
            lease_seconds=row["lease_seconds"],
        )


class Provider(Protocol):
    """Sends a message on a channel other than email (sms, push). Raise to fail the attempt;
    return normally once the provider has accepted the message."""

    def send(self, notification: Notification) -> None: ...


class PermanentFailure(Exception):
    """This message can never be delivered as it is: it ends ``dead`` at once. A provider raises
    it for a refusal that retrying cannot change (any other exception is temporary)."""


class TemporaryFailure(Exception):
    """This message failed this time (a 4xx for its recipient or its data): retried with
    backoff, counted against its ``max_attempts``."""


class MessageError(PermanentFailure):
    """A message that cannot be sent as it is (no template, a payload without what the template
    needs, no address, no provider for its channel): kept in last_error as it reads."""


class NoProviderError(MessageError):
    """A message on a channel no provider was configured for."""


class SmtpUnavailable(Exception):
    """An outage, not the message's fault: the SMTP server cannot be reached, drops or hangs,
    refuses TLS or the login, answers 421, or refuses our sender. The message is given back
    without counting an attempt (and so is the rest of the batch); the dispatcher backs off as a
    whole and probes once before claiming again."""


def _code(exc: smtplib.SMTPResponseException) -> int:
    return int(exc.smtp_code)


def classify_smtp(exc: BaseException) -> BaseException:
    """One SMTP error as outage (:class:`SmtpUnavailable`), :class:`PermanentFailure` or
    :class:`TemporaryFailure` (RFC 5321: 5yz permanent, 4yz temporary; 421 closes the session;
    per recipient at RCPT, per message at DATA, per session at MAIL FROM)."""
    if isinstance(exc, SmtpUnavailable | PermanentFailure | TemporaryFailure):
        return exc
    text = describe_error(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [int(code) for code, _ in exc.recipients.values()]
        if 421 in codes:
            return SmtpUnavailable(f"the SMTP server closed the session: {text}")
        if codes and all(500 <= c < 600 for c in codes):
            return PermanentFailure(text)
        return TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # the envelope sender is the session's, not the message's: an outage (our sender
        # refused, the server short of storage), except a message too large for the server
        if _code(exc) == 552:
            return PermanentFailure(text)
        return SmtpUnavailable(f"the SMTP server refused the sender: {text}")
    if isinstance(exc, smtplib.SMTPResponseException):
        code = _code(exc)
        if code == 421:
            return SmtpUnavailable(f"the SMTP server closed the session: {text}")
        if 500 <= code < 600:
            return PermanentFailure(text)
        return TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        return SmtpUnavailable(f"the SMTP server went away: {text}")
    return TemporaryFailure(text)


_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$&'*+-/=?^_`{|}~")


def message_id(idempotency_key: str) -> str:
    """``<key@tutela>``: the same on every retry of a message. Characters a Message-ID may not
    hold (RFC 5322 dot-atom) are written %XX, so distinct keys keep distinct ids."""
    left = "".join(
        c if c in _ATEXT else "".join(f"%{b:02X}" for b in c.encode()) for c in idempotency_key
    )
    if not left or len(left) > 200:
        left = "sha256-" + hashlib.sha256(idempotency_key.encode()).hexdigest()
    return f"<{left}@{MESSAGE_ID_DOMAIN}>"


# ---- rendering ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _parse_moment(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value) if "T" in value or " " in value \
                else date.fromisoformat(value)
        except ValueError:
            return None
    return None


def format_moment(value: Any) -> str:
    """A timestamp or date from a payload as a person reads it: 'Mon 17 Nov 2026, 09:30 UTC'."""
    moment = _parse_moment(value)
    if moment is None:
        return "" if value is None else str(value)
    if isinstance(moment, datetime):
        zone = moment.tzname() or ""
        zone = "UTC" if zone in ("UTC", "UTC+00:00", "+00:00") else zone
        return f"{moment:%a %d %b %Y, %H:%M} {zone}".strip()
    return f"{moment:%a %d %b %Y}"


def format_day(value: Any) -> str:
    """A date as 'Mon 17 Nov'."""
    moment = _parse_moment(value)
    return f"{moment:%a %d %b}" if moment is not None else str(value)


def _number(value: Any) -> float:
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 0.0


def _describe(item: Any, keys: tuple[tuple[str, ...], ...]) -> str:
    """One line for a digest list entry whose exact shape the SQL side decides."""
    if not isinstance(item, Mapping):
        return str(item)
    parts: list[str] = []
    for names in keys:
        for name in names:
            if item.get(name) not in (None, ""):
                value = item[name]
                if name in ("percent", "average_percent"):
                    value = f"{_number(value):g}%"
                elif name.endswith(("_at", "_on", "date")) or name in ("due", "day"):
                    value = format_moment(value)
                parts.append(str(value))
                break
    if not parts:
        parts = [f"{k}: {v}" for k, v in item.items() if v not in (None, "")]
    return " · ".join(parts)


_GRADE_KEYS = (
    ("course_name", "course", "subject"),
    ("title", "assignment_title", "assignment", "name"),
    ("percent", "average_percent", "score", "grade"),
    ("letter", "letter_grade"),
)
_UPCOMING_KEYS = (
    ("title", "name"),
    ("course_name", "course", "subject"),
    ("due_at", "due_on", "due", "date", "starts_at"),
)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    label_x: float
    minutes: float
    reviews: float
    title: str


@dataclass(frozen=True)
class Chart:
    """An SVG bar chart of daily activity, every coordinate computed here (the template only
    writes numbers out)."""

    width: float
    height: float
    baseline: float
    max_minutes: float
    bars: list[Bar]


def digest_chart(days: Any, *, bar_width: float = 32, gap: float = 12, plot_height: float = 100,
                 top: float = 18, bottom: float = 22, side: float = 10) -> Chart:
    """One bar per day of the digest; its height is that day's minutes, scaled so the busiest
    day fills the plot (a day without activity gets a 1-pixel stub)."""
    entries = [d for d in (days or []) if isinstance(d, Mapping)]
    minutes = [_number(d.get("minutes")) for d in entries]
    peak = max(minutes, default=0.0)
    baseline = top + plot_height
    bars: list[Bar] = []
    for i, (entry, value) in enumerate(zip(entries, minutes, strict=True)):
        height = round(plot_height * value / peak, 1) if peak > 0 else 0.0
        height = max(height, 1.0)
        x = side + i * (bar_width + gap)
        reviews = _number(entry.get("reviews"))
        day = _parse_moment(entry.get("day"))
        bars.append(Bar(
            x=x, y=round(baseline - height, 1), width=bar_width, height=height,
            label=f"{day:%a}" if day is not None else str(entry.get("day", "")),
            label_x=x + bar_width / 2, minutes=value, reviews=reviews,
            title=f"{format_day(entry.get('day'))}: {value:g} min, {reviews:g} reviews",
        ))
    width = 2 * side + len(bars) * bar_width + max(len(bars) - 1, 0) * gap
    return Chart(width=width, height=baseline + bottom, baseline=baseline, max_minutes=peak,
                 bars=bars)


class Renderer:
    """Renders ``<template>.subject.j2``, ``.txt.j2`` and ``.html.j2`` (HTML autoescaped) from
    py_admin/templates/email/, with a context built per template from the payload."""

    def __init__(self, app_url: str = DEFAULT_APP_URL) -> None:
        self.app_url = app_url.rstrip("/")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(EMAIL_TEMPLATES_DIR),
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html.j2",), default_for_string=False, default=False
            ),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["moment"] = format_moment
        self.env.filters["day"] = format_day
        self._lock = threading.Lock()

    def link(self, target: Any, default: str = "/") -> str:
        """An absolute http(s) link: a path is joined to the app URL; anything else (say
        ``javascript:``) falls back to ``default``."""
        text = str(target or "").strip()
        if text.startswith("/") and not text.startswith("//"):
            return self.app_url + text
        if urlsplit(text).scheme in ("http", "https") and urlsplit(text).netloc:
            return text
        return urljoin(self.app_url + "/", default.lstrip("/"))

    def context(self, n: Notification) -> dict[str, Any]:
        p = n.payload
        ctx: dict[str, Any] = {
            "payload": p, "app_url": self.app_url, "template": n.template,
            "recipient_email": n.recipient_email,
            "student_name": p.get("student_name") or "your child",
            "settings_url": self.app_url + "/settings/notifications",
        }
        if n.template in ("guardian_invite", "student_invite", "member_invite"):
            token = p.get("token")
            if not token:
                raise MessageError(f"{n.template} payload has no token (already sent?)")
            kind = {"guardian_invite": "guardian", "student_invite": "student",
                    "member_invite": "member"}[n.template]
            ctx.update(
                token=token,
                accept_url=f"{self.app_url}/invite/{kind}?token={quote(str(token), safe='')}",
                organization_name=p.get("organization_name") or "your school",
                invitee_name=p.get("invitee_name"),
                relation=p.get("relation"),
                role=p.get("role"),
                title=p.get("title"),
                expires=format_moment(p.get("expires_at")),
            )
        elif n.template in ("guardian_linked", "member_added"):
            ctx.update(
                organization_name=p.get("organization_name") or "your school",
                relation=p.get("relation"),
                role=p.get("role"),
                title=p.get("title"),
                dashboard_url=self.app_url + "/dashboard",
                contact_hint="If this is not right, tell the school: they can undo it at once.",
            )
        elif n.template == "alert":
            if not p.get("title"):
                raise MessageError("alert payload has no title")
            raw = p.get("severity")
            severity: str = raw if isinstance(raw, str) and raw in (
                "info", "warning", "critical") else "info"
            ctx.update(
                severity=severity,
                action_url=self.link(p.get("action_url"), "/alerts"),
                severity_colour={"info": "#2563eb", "warning": "#d97706",
                                 "critical": "#dc2626"}[severity],
            )
        elif n.template == "weekly_digest":
            days = p.get("days") or []
            attendance = p.get("attendance") or {}
            ctx.update(
                chart=digest_chart(days),
                days=[{"day": format_day(d.get("day")), "reviews": _number(d.get("reviews")),
                       "minutes": _number(d.get("minutes"))}
                      for d in days if isinstance(d, Mapping)],
                total_minutes=sum(_number(d.get("minutes")) for d in days
                                  if isinstance(d, Mapping)),
                total_reviews=sum(_number(d.get("reviews")) for d in days
                                  if isinstance(d, Mapping)),
                week=f"{format_day(p.get('week_start'))} to {format_day(p.get('week_end'))}",
                grades=[_describe(g, _GRADE_KEYS) for g in p.get("grades") or []],
                attendance=[(str(k).replace("_", " "), v) for k, v in attendance.items()]
                if isinstance(attendance, Mapping) else [],
                upcoming=[_describe(u, _UPCOMING_KEYS) for u in p.get("upcoming") or []],
                dashboard_url=self.app_url + "/dashboard",
            )
        elif n.template == "milestone_reached":
            ctx.update(dashboard_url=self.app_url + "/dashboard")
        return ctx

    def render(self, n: Notification) -> RenderedEmail:
        ctx = self.context(n)
        try:
            with self._lock:  # jinja2 compiles lazily into a shared cache
                templates = [self.env.get_template(f"{n.template}.{part}.j2")
                             for part in ("subject", "txt", "html")]
        except jinja2.TemplateNotFound as exc:
            raise MessageError(f"no email template {exc.name!r}") from None
        subject, text, html = (t.render(ctx) for t in templates)
        subject = " ".join(subject.split())[:250]
        if not subject:
            raise MessageError(f"template {n.template!r} rendered an empty subject")
        return RenderedEmail(subject=subject, text=text, html=html)


def build_email(n: Notification, rendered: RenderedEmail, settings: SmtpSettings) -> EmailMessage:
    if not n.recipient_email:
        raise MessageError("the recipient has no email address")
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = settings.mail_from
    msg["To"] = n.recipient_email
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(n.idempotency_key)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Tutela-Template"] = n.template
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


# ---- SMTP -----------------------------------------------------------------------------------
class SmtpMailer:
    """One SMTP session per worker, opened on first use, reused, reopened after an error."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._cut = False

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(
                f"cannot reach the SMTP server {s.host}:{s.port}: {describe_error(exc)}"
            ) from exc
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.user and s.password:
                smtp.login(s.user, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise SmtpUnavailable(
                f"the SMTP server {s.host}:{s.port} refused the session: {describe_error(exc)}"
            ) from exc
        except BaseException:
            smtp.close()
            raise
        return smtp

    def open(self) -> None:
        """Opens the session if it is not open (the dispatcher's probe before claiming):
        raises :class:`SmtpUnavailable` during an outage."""
        if self._smtp is None:
            self._smtp = self._open()

    def send(self, msg: EmailMessage, deadline: float | None = None) -> None:
        """Sends one message; raises :class:`SmtpUnavailable` (an outage),
        :class:`PermanentFailure` or :class:`TemporaryFailure`. ``deadline`` (time.monotonic):
        the send is cut off then (its socket shut down: an outage), so that it never outlasts
        the claim's lease."""
        watchdog: threading.Timer | None = None
        self._cut = False
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SmtpUnavailable("no time left in the lease to send")
            watchdog = threading.Timer(left, self._cut_off)
            watchdog.daemon = True
            watchdog.start()
        try:
            self._send(msg)
        except BaseException as exc:
            if not isinstance(exc, Exception):
                raise
            raise classify_smtp(exc) from exc
        finally:
            if watchdog is not None:
                watchdog.cancel()

    def _cut_off(self) -> None:
        self._cut = True
        smtp = self._smtp
        sock = getattr(smtp, "sock", None) if smtp is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _send(self, msg: EmailMessage) -> None:
        reused = self._smtp is not None
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.send_message(msg)
        except smtplib.SMTPServerDisconnected:
            self.close()
            if not reused or self._cut:
                raise
            # the server dropped an idle session: once more on a new one
            self._smtp = self._open()
            self._send_or_close(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
            # the session is fine after a refusal of this message: reset it for the next one
            self._reset()
            raise
        except BaseException:
            self.close()
            raise

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def _send_or_close(self, msg: EmailMessage) -> None:
        assert self._smtp is not None
        try:
            self._smtp.send_message(msg)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def describe_error(exc: BaseException) -> str:
    """The error kept in last_error: the SMTP reply where there is one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(reply)}" for code, reply in exc.recipients.values()]
        return "recipient refused: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, PermanentFailure | TemporaryFailure | SmtpUnavailable):
        return str(exc)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


# ---- providers for other channels -----------------------------------------------------------
def providers_from_env(env: Mapping[str, str] | None = None) -> dict[str, Provider]:
    """``TUTELA_SMS_PROVIDER`` / ``TUTELA_PUSH_PROVIDER`` = ``package.module:factory``: the
    factory is called without arguments and returns a :class:`Provider`."""
    env = os.environ if env is None else env
    found: dict[str, Provider] = {}
    for channel in ("sms", "push"):
        spec = env.get(f"TUTELA_{channel.upper()}_PROVIDER", "").strip()
        if not spec:
            continue
        module_name, _, attr = spec.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr or "provider")
        except (ImportError, AttributeError) as exc:
            raise TutelaError(f"cannot load the {channel} provider {spec!r}: {exc}") from None
        found[channel] = factory()
    return found


# ---- the protocol ---------------------------------------------------------------------------
Conn = psycopg.Connection[Any]


def claim(conn: Conn, batch: int, lease_seconds: int) -> list[Notification]:
    with acting_as(conn, None, role="service_role"):
        cur = conn.cursor(row_factory=dict_row)
        rows = cur.execute("select * from tutela.claim_notifications(%s, %s)",
                           (batch, lease_seconds)).fetchall()
    return [Notification.from_row(r) for r in rows]


def recheck(conn: Conn, notification_id: Any, attempt: int | None = None) -> dict[str, Any] | None:
    """The payload to send now, or None: the message was cancelled since the claim (it may no
    longer be sent: it is never sent) or is no longer this claim's."""
    with acting_as(conn, None, role="service_role"):
        row = conn.execute("select tutela.recheck_notification(%s, %s)",
                           (notification_id, attempt)).fetchone()
    if row is None or row[0] is None:
        return None
    return dict(row[0])


def complete(conn: Conn, notification_id: Any, attempt: int | None = None) -> bool:
    """Marks a claimed row sent; `attempt` (the claim's attempt number) makes sure the claim is
    still ours: a row re-claimed after our lease ran out is left to its new holder."""
    with acting_as(conn, None, role="service_role"):
        row = conn.execute("select tutela.complete_notification(%s, %s)",
                           (notification_id, attempt)).fetchone()
    return bool(row and row[0])


def fail(conn: Conn, notification_id: Any, error: str, attempt: int | None = None, *,
         permanent: bool = False) -> str | None:
    """Records a failed attempt of the message itself (``permanent``: it ends dead at once); the
    new status ('pending' or 'dead'), None if the row was not ours and 'sending' any more."""
    with acting_as(conn, None, role="service_role"):
        row = conn.execute("select tutela.fail_notification(%s, %s, %s, %s)",
                           (notification_id, error, attempt, permanent)).fetchone()
    return None if row is None else row[0]


def release(conn: Conn, notification_id: Any, attempt: int, reason: str | None = None,
            retry_seconds: int = 0) -> str | None:
    """Gives a claimed message back untried (an outage, a lease running out): no attempt is
    counted; due again in ``retry_seconds``. 'pending', or None if it was not ours any more."""
    with acting_as(conn, None, role="service_role"):
        row = conn.execute("select tutela.release_notification(%s, %s, %s, %s)",
                           (notification_id, attempt, reason, retry_seconds)).fetchone()
    return None if row is None else row[0]


# ---- workers --------------------------------------------------------------------------------
@dataclass
class DispatchCounts:
    """sent: handed to SMTP or a provider, and marked sent; retried: failed this time, will be
    tried again; dead: failed for good (permanently, or its attempts or time limit used up;
    kept with the error); deferred: claimed but given back untried, no attempt counted (an
    outage, or the claim's lease running out before its turn); cancelled: claimed, then not sent
    because the check just before sending found it cancelled (or no longer this worker's
    claim); unconfirmed: handed over, but the row was no longer this worker's claim when it
    came to mark it (its lease had run out: another claim sends it again, same Message-ID).
    Messages the claim itself cancelled are never handed to a worker and are not counted."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    cancelled: int = 0
    unconfirmed: int = 0

    @property
    def failed(self) -> int:
        return self.retried + self.dead

    def __add__(self, other: DispatchCounts) -> DispatchCounts:
        return DispatchCounts(self.sent + other.sent, self.retried + other.retried,
                              self.dead + other.dead, self.deferred + other.deferred,
                              self.cancelled + other.cancelled,
                              self.unconfirmed + other.unconfirmed)


#: the margin kept between the end of a send and the end of its lease (seconds)
LEASE_MARGIN = 5.0
#: an outage: the first wait before probing again, and the longest (seconds)
OUTAGE_FIRST_WAIT = 5.0
OUTAGE_MAX_WAIT = 300.0


@dataclass
class Dispatcher:
    """What one worker needs: settings, renderer, providers and the claim parameters."""

    url: str
    batch: int = 50
    lease_seconds: int = 300
    settings: SmtpSettings = field(default_factory=SmtpSettings.from_env)
    providers: Mapping[str, Provider] = field(default_factory=dict)
    on_progress: Callable[[DispatchCounts], None] | None = None
    #: the clock a batch's lease is measured with (tests move it)
    clock: Callable[[], float] = time.monotonic
    renderer: Renderer = field(init=False)
    totals: DispatchCounts = field(init=False, default_factory=DispatchCounts)
    outage: str | None = field(init=False, default=None)
    probes: int = field(init=False, default=0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _probe_lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _outage_until: float = field(init=False, default=0.0)
    _outage_wait: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if not 1 <= self.batch <= 1000:
            raise TutelaError("the batch is 1 to 1000 messages")
        if not 10 <= self.lease_seconds <= 86400:
            raise TutelaError("the lease is 10 to 86400 seconds")
        self.renderer = Renderer(self.settings.app_url)

    def _count(self, **delta: int) -> None:
        with self._lock:
            for key, value in delta.items():
                setattr(self.totals, key, getattr(self.totals, key) + value)
            snapshot = replace(self.totals)
        if self.on_progress is not None:
            self.on_progress(snapshot)

    # -- outages: the dispatcher as a whole backs off, one worker probes -----------------------
    def outage_wait(self) -> float:
        """Seconds until the next probe (0: no outage)."""
        with self._lock:
            return max(self._outage_until - time.monotonic(), 0.0) if self.outage else 0.0

    def note_outage(self, exc: BaseException) -> float:
        """An outage seen (or still there): the wait before the next probe doubles, from 5 s up
        to 5 minutes. Returns it."""
        with self._lock:
            first = self.outage is None
            self._outage_wait = OUTAGE_FIRST_WAIT if first else min(
                max(self._outage_wait, OUTAGE_FIRST_WAIT) * 2, OUTAGE_MAX_WAIT)
            self.outage = describe_error(exc)
            self._outage_until = time.monotonic() + self._outage_wait
            wait = self._outage_wait
        if first:
            log.warning("SMTP outage: %s; messages wait, no attempt counted; probing again "
                        "in %g s", self.outage, wait)
        return wait

    def probe(self, mailer: SmtpMailer, stop: threading.Event) -> bool:
        """Before claiming: the SMTP session is open (False: stopped while waiting out an
        outage). During an outage only one worker probes at a time, once per wait, and nothing
        is claimed until a probe succeeds. Raises :class:`SmtpUnavailable` when it fails."""
        while True:
            wait = self.outage_wait()
            if wait > 0:
                if stop.wait(wait):
                    return False
                continue
            with self._probe_lock:
                with self._lock:
                    in_outage = self.outage is not None
                    if in_outage and self._outage_until > time.monotonic():
                        continue  # another worker probed meanwhile and failed
                try:
                    if in_outage:
                        self.probes += 1
                    mailer.open()
                except SmtpUnavailable as exc:
                    self.note_outage(exc)
                    raise
                if in_outage:
                    with self._lock:
                        self.outage = None
                    log.warning("SMTP server reachable again: dispatching")
                return True

    # -- one batch ------------------------------------------------------------------------------
    def deliver(self, n: Notification, mailer: SmtpMailer, deadline: float | None = None) -> None:
        """Send one message; raises :class:`SmtpUnavailable` (outage), :class:`PermanentFailure`
        or anything else (a temporary failure)."""
        if n.channel == "email":
            mailer.send(build_email(n, self.renderer.render(n), self.settings), deadline)
            return
        provider = self.providers.get(n.channel)
        if provider is None:
            raise NoProviderError(f"no provider configured for {n.channel}")
        provider.send(n)

    def drain(self, conn: Conn, mailer: SmtpMailer, stop: threading.Event) -> None:
        """Claim and send batches until nothing is due (or ``stop`` is set between batches)."""
        while not stop.is_set():
            batch = claim(conn, self.batch, self.lease_seconds)
            if not batch:
                return
            claimed = self.clock()
            for i, n in enumerate(batch):
                if self.clock() - claimed > n.lease_seconds * 0.8:
                    # its lease is running out before its turn: given back untried, due now
                    # (another claim takes it at once; never sent twice, no attempt counted)
                    self.give_back(conn, batch[i:], None, 0)
                    break
                try:
                    self.process(conn, mailer, n)
                except SmtpUnavailable as exc:
                    # an outage: the rest of the batch goes back untried; the dispatcher waits
                    self.give_back(conn, batch[i + 1:], describe_error(exc),
                                   int(self.outage_wait()))
                    raise

    def give_back(self, conn: Conn, rest: list[Notification], reason: str | None,
                  retry_seconds: int) -> None:
        for n in rest:
            if release(conn, n.id, n.claim, reason, retry_seconds) == "pending":
                self._count(deferred=1)

    def process(self, conn: Conn, mailer: SmtpMailer, n: Notification) -> None:
        # checked once more right before sending: never send what was cancelled since the claim;
        # the check renews the lease: the send below is cut off before it ends
        payload = recheck(conn, n.id, n.claim)
        if payload is None:
            self._count(cancelled=1)
            return
        deadline = time.monotonic() + n.lease_seconds - LEASE_MARGIN
        n = replace(n, payload=payload)
        try:
            self.deliver(n, mailer, deadline)
        except SmtpUnavailable as exc:
            # not the message's failure: back untried, after the dispatcher's wait
            wait = self.note_outage(exc)
            self.give_back(conn, [n], describe_error(exc), int(wait))
            raise
        except PermanentFailure as exc:
            self.record_failure(conn, n, describe_error(exc), permanent=True)
            return
        except Exception as exc:
            self.record_failure(conn, n, describe_error(exc))
            return
        # sent: from here on a crash means the message goes out again after the lease
        if complete(conn, n.id, n.claim):
            self._count(sent=1)
        else:
            self._count(unconfirmed=1)

    def record_failure(self, conn: Conn, n: Notification, error: str, *,
                       permanent: bool = False) -> None:
        status = fail(conn, n.id, error, n.claim, permanent=permanent)
        if status == "dead":
            self._count(dead=1)
        elif status == "pending":
            self._count(retried=1)
        # None: the lease ran out and another claim owns the row now

    def worker(self, stop: threading.Event, *, loop: bool, interval: float,
               errors: list[BaseException]) -> None:
        lost_db_since: float | None = None
        while True:
            try:
                with connect(self.url, autocommit=True) as conn, \
                        SmtpMailer(self.settings) as mailer:
                    lost_db_since = None
                    while True:
                        if not self.probe(mailer, stop):
                            return
                        self.drain(conn, mailer, stop)
                        mailer.close()
                        if not loop or stop.wait(interval):
                            return
            except SmtpUnavailable as exc:
                if not loop:
                    # a one-off run ends at an outage: the other workers stop too (after the
                    # batch they are sending) instead of waiting it out to probe again
                    errors.append(exc)
                    stop.set()
                    return
                # the probe or a send found an outage: the wait is the dispatcher's (probe())
                log.debug("dispatch worker: %s", exc)
            except (psycopg.Error, TutelaError) as exc:
                if not loop:
                    errors.append(exc)
                    return
                # the database went away: reconnect to the same URL; rows claimed and not marked
                # come back after their lease. Past DATABASE_LOST_AFTER, say so and stop.
                now = time.monotonic()
                lost_db_since = lost_db_since or now
                if now - lost_db_since > DATABASE_LOST_AFTER:
                    errors.append(TutelaError(
                        f"the database has been unreachable for {int(now - lost_db_since)} s: "
                        f"{str(exc).strip()}",
                        hint="check that it runs (tutela db status) and that DATABASE_URL "
                             "points at it; then start tutela dispatch --loop again"))
                    stop.set()
                    return
                log.warning("dispatch worker: %s; reconnecting in %g s", str(exc).strip(),
                            interval)
                if stop.wait(interval):
                    return
            except BaseException as exc:
                errors.append(exc)
                return

    def run(self, workers: int, *, loop: bool = False, interval: float = 5.0,
            stop: threading.Event | None = None) -> DispatchCounts:
        if workers < 1:
            raise TutelaError("at least one worker")
        stop = stop or threading.Event()
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=self.worker, name=f"tutela-dispatch-{i}", daemon=True,
                             kwargs={"stop": stop, "loop": loop, "interval": interval,
                                     "errors": errors})
            for i in range(workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.2)
        if errors:
            first = errors[0]
            if isinstance(first, TutelaError):
                raise first
            if isinstance(first, SmtpUnavailable):
                raise TutelaError(
                    f"{first} (nothing was counted against the messages: they wait)",
                    hint="check TUTELA_SMTP_HOST, TUTELA_SMTP_PORT, TUTELA_SMTP_STARTTLS and "
                         "the credentials; tutela outbox list shows what waits") from first
            if isinstance(first, psycopg.Error):
                raise TutelaError(f"dispatch failed: {str(first).strip()}") from first
            raise first
        return replace(self.totals)


#: a ``--loop`` dispatcher that cannot reach its database for this long stops with an error
DATABASE_LOST_AFTER = 600.0


def run_once(url: str, workers: int = 4, batch: int = 50, *, lease_seconds: int = 300,
             settings: SmtpSettings | None = None,
             providers: Mapping[str, Provider] | None = None,
             on_progress: Callable[[DispatchCounts], None] | None = None) -> DispatchCounts:
    """Send everything due now with ``workers`` threads (one connection and one SMTP session
    each), then return. A message that fails is retried by a later run (after its backoff).
    SIGINT/SIGTERM stop the workers after their current batch."""
    dispatcher = Dispatcher(
        url, batch=batch, lease_seconds=lease_seconds,
        settings=settings or SmtpSettings.from_env(),
        providers=providers_from_env() if providers is None else providers,
        on_progress=on_progress,
    )
    stop = threading.Event()
    with _stop_on_signals(stop):
        return dispatcher.run(workers, stop=stop)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (from the main thread only; elsewhere: no handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_loop(url: str, workers: int = 4, batch: int = 50, *, interval: float = 5.0,
             lease_seconds: int = 300, settings: SmtpSettings | None = None,
             providers: Mapping[str, Provider] | None = None,
             on_progress: Callable[[DispatchCounts], None] | None = None,
             stop: threading.Event | None = None) -> DispatchCounts:
    """Dispatch until SIGINT/SIGTERM (or ``stop``): each worker drains what is due, then sleeps
    ``interval`` seconds. A batch under way is finished before stopping."""
    stop = stop or threading.Event()
    dispatcher = Dispatcher(
        url, batch=batch, lease_seconds=lease_seconds,
        settings=settings or SmtpSettings.from_env(),
        providers=providers_from_env() if providers is None else providers,
        on_progress=on_progress,
    )
    with _stop_on_signals(stop):
        return dispatcher.run(workers, loop=True, interval=interval, stop=stop)
