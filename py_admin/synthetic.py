"""`tutela seed synthetic`: a large, plausible, deterministic data set for benchmarks.

Everything is derived from (seed, students, days, anchor): ids are built from the seed and a row
number, and every random choice comes from a `random.Random` seeded per organisation or per
student, so the same arguments give the same rows. Rows go in through COPY (text format), in
chunks of students, inside ONE transaction: either the whole data set lands or nothing does.

Triggers during the load:
- Kept (they run on every COPY): foreign keys and checks, the guardian cap (constraint trigger),
  the sign-up trigger that makes profiles, score and level checks, the "by" stamps and the
  achievement queue.
- Switched off for the load, and back on before the commit: the statement-level stats triggers
  of card_reviews, activity_events and points_ledger and their before-insert triggers (XP is
  computed here with the same rule as tutela_hidden.review_xp, Leitner boxes are replayed here in
  review order), and the event triggers that notify guardians of new grades, absences and
  certificates (history is not news). Their rollups are rebuilt set-based per chunk:
  daily_study_stats, student_stats (with tutela_private.recompute_streaks) and
  tutela_private.course_averages.
  `verify()` then recounts them from the raw rows.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from py_admin.errors import TutelaError

SUBJECTS = ("Maths", "Biology", "History", "French", "Physics", "Geography")
TOPICS = ("Basics", "Practice", "Exam prep", "Vocabulary", "")
ACTIVITY_KINDS = ("lesson_video", "practice_set", "reading", "habit_logged", "quiz_attempt")
SKILL_CATEGORIES = ("Technique", "Knowledge", "Fitness")

# Kinds of generated ids: the first group of each uuid.
K_ORG, K_USER, K_STUDENT, K_COURSE, K_MODULE, K_ASSIGNMENT = 1, 2, 3, 4, 5, 6
K_CLASS, K_SKILL, K_DRILL, K_SESSION, K_CARD, K_LINK = 7, 8, 9, 10, 11, 12
K_ENROLL, K_SUBMISSION, K_ATTEND, K_CERT, K_LESSON, K_SCORE = 13, 14, 15, 16, 17, 18
K_DRILL_ASSIGN, K_ASSESS, K_JOURNAL, K_ACHIEVE, K_SUB = 19, 20, 21, 22, 23

# Per organisation catalog sizes
COURSES, MODULES, ASSIGNMENTS, CLASSES, SKILLS, DRILLS, SESSIONS = 8, 3, 8, 12, 12, 8, 30
STUDENTS_PER_ORG = 200
CHUNK = 4000  # students per round of COPYs

# Statement-level and event triggers switched off during the load (see the module docstring)
LOAD_TRIGGERS = (
    ("card_reviews", "card_reviews_before_insert"),
    ("card_reviews", "card_reviews_stats_insert"),
    ("activity_events", "activity_events_before_insert"),
    ("activity_events", "activity_events_stats_insert"),
    ("points_ledger", "points_ledger_stats_insert"),
    ("submissions", "submissions_notify_insert"),
    ("live_class_attendance", "live_class_attendance_notify_insert"),
    ("certificates", "certificates_notify"),
)

# Tables in load order, with their COPY columns. (schema.table, columns)
TABLES: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "slug", "max_guardians_per_student", "created_at"),
    "auth.users": ("id", "aud", "role", "email", "raw_app_meta_data", "raw_user_meta_data",
                   "email_confirmed_at", "created_at", "updated_at"),
    "memberships": ("id", "organization_id", "user_id", "role", "title"),
    "courses": ("id", "organization_id", "title", "subject", "level", "is_published",
                "created_at"),
    "course_modules": ("id", "organization_id", "course_id", "position", "title"),
    "skills": ("id", "organization_id", "category", "name", "max_level", "position"),
    "assignments": ("id", "organization_id", "course_id", "module_id", "title", "kind", "due_at",
                    "max_score", "passing_percent", "created_at"),
    "assignment_skills": ("assignment_id", "skill_id", "organization_id"),
    "live_classes": ("id", "organization_id", "course_id", "title", "starts_at", "ends_at"),
    "drills": ("id", "organization_id", "skill_id", "title", "instructions"),
    "coaching_sessions": ("id", "organization_id", "coach_id", "starts_at", "duration_minutes",
                          "focus"),
    "students": ("id", "organization_id", "display_name", "email", "birth_date", "user_id",
                 "invite_accepted_at", "created_at"),
    "guardian_links": ("id", "student_id", "guardian_id", "relation", "is_primary", "status",
                       "permissions", "created_via", "created_at", "activated_at", "revoked_at"),
    "subscriptions": ("id", "plan_id", "student_id", "guardian_id", "status", "started_at",
                      "next_billing_at"),
    "flashcards": ("id", "student_id", "subject", "topic", "question", "answer", "leitner_box",
                   "due_at", "last_reviewed_at", "created_at", "updated_at"),
    "card_reviews": ("student_id", "flashcard_id", "reviewed_at", "correct", "quality",
                     "duration_ms", "xp"),
    "enrollments": ("id", "student_id", "organization_id", "course_id", "status",
                    "progress_percent", "enrolled_at", "last_accessed_at", "completed_at"),
    "submissions": ("id", "student_id", "organization_id", "assignment_id", "status",
                    "submitted_at", "score", "auto_score", "reviewer_score", "graded_at",
                    "graded_by", "created_at"),
    "live_class_attendance": ("id", "student_id", "organization_id", "live_class_id", "status",
                              "joined_at"),
    "certificates": ("id", "student_id", "organization_id", "course_id", "title", "issued_at",
                     "verification_code"),
    "lessons": ("id", "student_id", "organization_id", "coach_id", "scheduled_at", "status",
                "topic"),
    "session_students": ("session_id", "student_id", "organization_id", "attendance"),
    "session_scores": ("id", "session_id", "student_id", "organization_id", "score",
                       "coach_notes"),
    "drill_assignments": ("id", "drill_id", "student_id", "organization_id", "assigned_by",
                          "due_at", "completed_at", "created_at"),
    "skill_assessments": ("id", "skill_id", "student_id", "organization_id", "level",
                          "assessed_at", "assessed_by"),
    "journal_entries": ("id", "student_id", "entry_date", "mood", "energy", "confidence",
                        "body"),
    "activity_events": ("student_id", "kind", "occurred_at", "minutes"),
    "points_ledger": ("student_id", "points", "reason", "source_kind", "awarded_at"),
    "student_achievements": ("id", "student_id", "achievement_id", "awarded_at",
                             "metric_value"),
}

# Tables rebuilt from the raw rows (shown in the report, not COPYed)
ROLLUPS = ("daily_study_stats", "student_stats", "tutela_private.course_averages")

N = "\\N"  # NULL in COPY text format


def review_xp(correct: bool, quality: int | None) -> int:
    """The rule of tutela_hidden.review_xp: correct 10 + 2 * quality (3 when absent), wrong 2."""
    return 10 + 2 * (3 if quality is None else quality) if correct else 2


@dataclass(frozen=True)
class Config:
    students: int
    days: int = 90
    seed: int = 1
    anchor: date | None = None  # first day after the history (UTC); default today

    def anchor_day(self) -> date:
        return self.anchor or datetime.now(UTC).date()


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Report:
    config: Config
    tables: dict[str, TableStat] = field(default_factory=dict)
    seconds: float = 0.0
    analyze_seconds: float = 0.0
    rollup_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "students": self.config.students, "days": self.config.days,
            "seed": self.config.seed, "anchor": self.config.anchor_day().isoformat(),
            "seconds": round(self.seconds, 2), "rows": self.rows,
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else None,
            "rollup_seconds": round(self.rollup_seconds, 2),
            "analyze_seconds": round(self.analyze_seconds, 2),
            "tables": {
                name: {"rows": t.rows, "seconds": round(t.seconds, 2),
                       "rows_per_second": round(t.rows / t.seconds) if t.seconds else None}
                for name, t in self.tables.items()
            },
        }


def expected_rows(students: int) -> dict[str, int]:
    """Rough row counts per table, for the progress bars' totals."""
    orgs = org_count(students)
    guardians = int(students * 0.6)
    return {
        "organizations": orgs, "auth.users": int(students * 0.85) + guardians + 3 * orgs,
        "memberships": 3 * orgs, "courses": COURSES * orgs,
        "course_modules": COURSES * MODULES * orgs,
        "assignments": COURSES * ASSIGNMENTS * orgs,
        "assignment_skills": int(1.5 * COURSES * ASSIGNMENTS * orgs),
        "live_classes": CLASSES * orgs, "skills": SKILLS * orgs, "drills": DRILLS * orgs,
        "coaching_sessions": SESSIONS * orgs, "students": students,
        "guardian_links": int(students * 0.98), "subscriptions": int(students * 0.1),
        "flashcards": 20 * students, "card_reviews": 100 * students,
        "enrollments": 3 * students, "submissions": 20 * students,
        "live_class_attendance": 5 * students, "certificates": int(0.45 * students),
        "lessons": 2 * students, "session_students": 2 * students,
        "session_scores": int(1.6 * students), "drill_assignments": 3 * students,
        "skill_assessments": 4 * students, "journal_entries": 3 * students,
        "activity_events": 10 * students, "points_ledger": 2 * students,
        "student_achievements": 2 * students,
    }


def org_count(students: int) -> int:
    return max(2, students // STUDENTS_PER_ORG)


class Ids:
    """Deterministic uuids: kind, the seed, a row number."""

    def __init__(self, seed: int) -> None:
        self.tag = f"{seed & 0xFFFF:04x}"

    def __call__(self, kind: int, n: int) -> str:
        return f"{kind:08x}-{self.tag}-4000-8000-{n:012x}"


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def _opt(value: object) -> str:
    return N if value is None else str(value)


class Generator:
    """Makes the rows of one data set; `load` sends them."""

    def __init__(self, cfg: Config, achievements: Sequence[str], plans: dict[str, str]) -> None:
        if cfg.students < 1:
            raise TutelaError("--students must be at least 1")
        if not 7 <= cfg.days <= 730:
            raise TutelaError("--days must be from 7 to 730")
        self.cfg = cfg
        self.id = Ids(cfg.seed)
        self.anchor = datetime.combine(cfg.anchor_day(), datetime.min.time(), UTC)
        self.orgs = org_count(cfg.students)
        self.achievements = list(achievements)
        self.plans = plans
        self.guardian_no = 0
        self.link_no = 0
        self.sub_no = 0
        self.caps = [self._org_rng(o).choices((2, 1, 3), (90, 5, 5))[0] for o in range(self.orgs)]

    # ---- helpers -------------------------------------------------------------------------
    def _org_rng(self, org: int) -> random.Random:
        return random.Random(self.cfg.seed * 7_919 + org)

    def _student_rng(self, i: int) -> random.Random:
        return random.Random(self.cfg.seed * 1_000_003 + 17 * i + 5)

    def org_of(self, i: int) -> int:
        return i * self.orgs // self.cfg.students

    def staff_user(self, org: int, k: int) -> str:
        return self.id(K_USER, org * 4 + k)  # k = 0 admin, 1 and 2 staff

    def day_time(self, rng: random.Random, day_offset: int) -> datetime:
        """A moment on the day `day_offset` days before the anchor (1 = yesterday)."""
        return self.anchor - timedelta(days=day_offset) + timedelta(
            seconds=rng.randrange(6 * 3600, 23 * 3600))

    # ---- the organisations and their catalogs ----------------------------------------------
    def catalog(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in (
            "organizations", "auth.users", "memberships", "courses", "course_modules",
            "skills", "assignments", "assignment_skills", "live_classes", "drills",
            "coaching_sessions")}
        a = self.anchor
        created = ts(a - timedelta(days=self.cfg.days + 30))
        for o in range(self.orgs):
            rng = self._org_rng(o)
            oid = self.id(K_ORG, o)
            slug = f"syn-{self.id.tag}-{o}"
            out["organizations"].append(
                f"{oid}\tSynthetic School {o}\t{slug}\t{self.caps[o]}\t{created}")
            for k, (role, title) in enumerate((("admin", "Head"), ("staff", "Teacher"),
                                               ("staff", "Coach"))):
                uid = self.staff_user(o, k)
                email = f"staff{o}.{k}@syn{self.id.tag}.tutela.test"
                out["auth.users"].append(self._user_row(uid, email, f"{title} {o}.{k}", created))
                out["memberships"].append(
                    f"{self.id(K_USER, 10_000_000 + o * 4 + k)}\t{oid}\t{uid}\t{role}\t{title}")
            for s in range(SKILLS):
                cat = SKILL_CATEGORIES[s % len(SKILL_CATEGORIES)]
                out["skills"].append(
                    f"{self.id(K_SKILL, o * SKILLS + s)}\t{oid}\t{cat}\tSkill {s}\t5\t{s}")
            for c in range(COURSES):
                cid = self.id(K_COURSE, o * COURSES + c)
                subject = SUBJECTS[c % len(SUBJECTS)]
                published = "f" if c == COURSES - 1 else "t"  # one draft per organisation
                out["courses"].append(
                    f"{cid}\t{oid}\t{subject} {c}\t{subject}\tLevel {c % 3 + 1}\t{published}"
                    f"\t{created}")
                for m in range(MODULES):
                    mid = self.id(K_MODULE, (o * COURSES + c) * MODULES + m)
                    out["course_modules"].append(f"{mid}\t{oid}\t{cid}\t{m + 1}\tUnit {m + 1}")
                for k in range(ASSIGNMENTS):
                    n = (o * COURSES + c) * ASSIGNMENTS + k
                    aid = self.id(K_ASSIGNMENT, n)
                    mid = self.id(K_MODULE, (o * COURSES + c) * MODULES + k % MODULES)
                    kind = ("assignment", "quiz", "mission", "project", "exam")[k % 5]
                    # due dates from two months back to three weeks ahead
                    due = a + timedelta(hours=rng.randrange(-60 * 24, 21 * 24))
                    max_score = (100, 20, 10)[k % 3]
                    out["assignments"].append(
                        f"{aid}\t{oid}\t{cid}\t{mid}\tTask {c}.{k}\t{kind}\t{ts(due)}"
                        f"\t{max_score}\t60\t{created}")
                    for sk in sorted(rng.sample(range(SKILLS), rng.choice((1, 2)))):
                        out["assignment_skills"].append(
                            f"{aid}\t{self.id(K_SKILL, o * SKILLS + sk)}\t{oid}")
            for lc in range(CLASSES):
                start = a + timedelta(hours=rng.randrange(-45 * 24, 14 * 24))
                course = self.id(K_COURSE, o * COURSES + lc % (COURSES - 1))
                out["live_classes"].append(
                    f"{self.id(K_CLASS, o * CLASSES + lc)}\t{oid}\t{course}\tLive class {lc}"
                    f"\t{ts(start)}\t{ts(start + timedelta(hours=1))}")
            for d in range(DRILLS):
                out["drills"].append(
                    f"{self.id(K_DRILL, o * DRILLS + d)}\t{oid}"
                    f"\t{self.id(K_SKILL, o * SKILLS + d)}\tDrill {d}\tRepeat ten times")
            for cs in range(SESSIONS):
                start = a + timedelta(hours=rng.randrange(-60 * 24, 10 * 24))
                out["coaching_sessions"].append(
                    f"{self.id(K_SESSION, o * SESSIONS + cs)}\t{oid}\t{self.staff_user(o, 2)}"
                    f"\t{ts(start)}\t60\tFocus {cs % 7}")
        return out

    def _user_row(self, uid: str, email: str, name: str, created: str) -> str:
        return (f"{uid}\tauthenticated\tauthenticated\t{email}"
                '\t{"provider": "email", "providers": ["email"]}'
                f'\t{{"display_name": "{name}"}}\t{created}\t{created}\t{created}')

    # ---- students, in chunks ---------------------------------------------------------------
    def chunk(self, first: int, last: int) -> dict[str, list[str]]:
        """Every row of students first..last-1 (families never cross a chunk)."""
        out: dict[str, list[str]] = {name: [] for name in TABLES
                                     if name not in self._catalog_tables()}
        self._families(first, last, out)
        for i in range(first, last):
            self._student(i, out)
        return out

    @staticmethod
    def _catalog_tables() -> set[str]:
        return {"organizations", "memberships", "courses", "course_modules", "skills",
                "assignments", "assignment_skills", "live_classes", "drills",
                "coaching_sessions"}

    def _families(self, first: int, last: int, out: dict[str, list[str]]) -> None:
        """Students, their logins, guardians (1-4 children each) and links, up to the cap."""
        rng = random.Random(self.cfg.seed * 31 + first)
        created = self.anchor - timedelta(days=self.cfg.days + 20)
        i = first
        while i < last:
            org = self.org_of(i)
            size = rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0]
            kids = [k for k in range(i, min(i + size, last)) if self.org_of(k) == org]
            i += len(kids)
            cap = self.caps[org]
            n_guardians = min(cap, rng.choices((1, 2, 3), (68, 30, 2))[0])
            family = f"Family{kids[0]}"
            guardians = []
            for g in range(n_guardians):
                gid = self.id(K_USER, 20_000_000 + self.guardian_no)
                self.guardian_no += 1
                guardians.append(gid)
                out["auth.users"].append(self._user_row(
                    gid, f"parent{self.guardian_no}@syn{self.id.tag}.tutela.test",
                    f"{('Sam', 'Alex', 'Kim')[g]} {family}", ts(created)))
            if rng.random() < 0.15:
                plan = rng.choice(("starter", "professional"))
                self.sub_no += 1
                out["subscriptions"].append(
                    f"{self.id(K_SUB, self.sub_no)}\t{self.plans[plan]}\t{N}\t{guardians[0]}"
                    f"\tactive\t{ts(created)}\t{ts(self.anchor + timedelta(days=12))}")
            for k in kids:
                srng = self._student_rng(k)
                sid = self.id(K_STUDENT, k)
                user = N
                if srng.random() < 0.85:
                    user = self.id(K_USER, 100_000_000 + k)
                    out["auth.users"].append(self._user_row(
                        user, f"student{k}@syn{self.id.tag}.tutela.test", f"Student {k}",
                        ts(created)))
                birth = date(2008, 1, 1) + timedelta(days=srng.randrange(0, 3650))
                out["students"].append(
                    f"{sid}\t{self.id(K_ORG, org)}\tStudent {k} {family}\t{N}\t{birth}\t{user}"
                    f"\t{ts(created) if user != N else N}\t{ts(created)}")
                primary_done = False
                for g, gid in enumerate(guardians):
                    status = rng.choices(("active", "pending", "revoked"), (94, 3, 3))[0]
                    perms = {"progress": True, "sessions": True, "lessons": True,
                             "card_content": rng.random() >= 0.2, "grades": rng.random() >= 0.05,
                             "attendance": True, "journal": rng.random() < 0.1,
                             "messaging": True}
                    primary = status == "active" and not primary_done
                    primary_done = primary_done or primary
                    pj = "{" + ", ".join(
                        f'"{key}": {"true" if v else "false"}' for key, v in perms.items()) + "}"
                    self.link_no += 1
                    activated = ts(created) if status != "pending" else N
                    revoked = ts(created + timedelta(days=5)) if status == "revoked" else N
                    out["guardian_links"].append(
                        f"{self.id(K_LINK, self.link_no)}\t{sid}\t{gid}"
                        f"\t{('mother', 'father', 'guardian')[g]}\t{'t' if primary else 'f'}"
                        f"\t{status}\t{pj}\t{rng.choice(('code', 'invite', 'staff'))}"
                        f"\t{ts(created)}\t{activated}\t{revoked}")

    def _student(self, i: int, out: dict[str, list[str]]) -> None:
        rng = self._student_rng(i)
        rng.random()  # the login draw of _families
        rng.randrange(0, 3650)
        cfg, a, ident = self.cfg, self.anchor, self.id
        sid = ident(K_STUDENT, i)
        org = self.org_of(i)
        oid = ident(K_ORG, org)
        teacher, coach = self.staff_user(org, 1), self.staff_user(org, 2)
        days = cfg.days

        # flashcards and their reviews (the Leitner box replayed in review order)
        n_cards = rng.randint(10, 30)
        activity = rng.uniform(0.15, 0.95)  # share of days with study
        active_days = [d for d in range(1, days + 1) if rng.random() < activity] or [1]
        n_reviews = rng.randint(40, 160)
        reviews: list[tuple[datetime, int, bool, int, int]] = []
        for _ in range(n_reviews):
            moment = self.day_time(rng, rng.choice(active_days))
            correct = rng.random() < 0.75
            quality = rng.randint(3, 5) if correct else rng.randint(0, 2)
            reviews.append((moment, rng.randrange(n_cards), correct, quality,
                            rng.randrange(2000, 30000)))
        reviews.sort()
        state: dict[int, tuple[int, datetime, datetime]] = {}
        rows = out["card_reviews"]
        for moment, card, correct, quality, duration in reviews:
            box = state[card][0] if card in state else 1
            box = min(box + 1, 5) if correct else 1
            due = moment + (timedelta(days=2 ** (box - 1)) if correct
                            else timedelta(minutes=10))
            state[card] = (box, due, moment)
            rows.append(
                f"{sid}\t{ident(K_CARD, i * 32 + card)}\t{ts(moment)}\t{'t' if correct else 'f'}"
                f"\t{quality}\t{duration}\t{review_xp(correct, quality)}")
        created = a - timedelta(days=days + 10)
        for c in range(n_cards):
            subject = SUBJECTS[(i + c) % len(SUBJECTS)]
            topic = TOPICS[c % len(TOPICS)]
            box, due, last = state.get(c, (1, created, None))
            out["flashcards"].append(
                f"{ident(K_CARD, i * 32 + c)}\t{sid}\t{subject}\t{topic}"
                f"\tCard {c} of {subject} for student {i}\tAnswer {c}\t{box}\t{ts(due)}"
                f"\t{ts(last) if last else N}\t{ts(created)}\t{ts(last or created)}")

        # activity events and points
        for _ in range(rng.randint(4, 16)):
            moment = self.day_time(rng, rng.choice(active_days))
            out["activity_events"].append(
                f"{sid}\t{rng.choice(ACTIVITY_KINDS)}\t{ts(moment)}\t{rng.randint(0, 45)}")
        for k in range(rng.randint(1, 3)):
            moment = self.day_time(rng, rng.randint(1, days))
            points = rng.choice((5, 10, 20, 50, -5))
            out["points_ledger"].append(
                f"{sid}\t{points}\t{'Bonus' if points > 0 else 'Correction'} {k}\tmanual"
                f"\t{ts(moment)}")

        # courses: enrolments, submissions, certificates
        courses = sorted(rng.sample(range(COURSES - 1), 3))
        for n, c in enumerate(courses):
            cid = ident(K_COURSE, org * COURSES + c)
            status = rng.choices(("active", "completed", "dropped"), (80, 15, 5))[0]
            enrolled = a - timedelta(days=days + 5)
            completed = a - timedelta(days=rng.randint(1, 20)) if status == "completed" else None
            progress = 100 if status == "completed" else rng.randint(0, 95)
            out["enrollments"].append(
                f"{ident(K_ENROLL, i * 4 + n)}\t{sid}\t{oid}\t{cid}\t{status}\t{progress}"
                f"\t{ts(enrolled)}\t{ts(self.day_time(rng, rng.randint(1, 14)))}"
                f"\t{ts(completed) if completed else N}")
            if completed:
                out["certificates"].append(
                    f"{ident(K_CERT, i * 4 + n)}\t{sid}\t{oid}\t{cid}\tCertificate {c}"
                    f"\t{ts(completed)}"
                    f"\t{hashlib.sha256(f'{cfg.seed}:{i}:{n}'.encode()).hexdigest()[:18]}")
            for k in range(ASSIGNMENTS):
                if rng.random() < 1 / 6:  # about 20 of 24 assignments have a submission
                    continue
                n_a = (org * COURSES + c) * ASSIGNMENTS + k
                max_score = (100, 20, 10)[k % 3]
                status_s = rng.choices(
                    ("graded", "returned", "submitted", "in_review", "in_progress", "pending"),
                    (60, 5, 10, 5, 10, 10))[0]
                created_s = self.day_time(rng, rng.randint(10, days))
                submitted: datetime | None = None
                graded: datetime | None = None
                score = auto = reviewer = grader = None
                if status_s in ("submitted", "in_review", "graded", "returned"):
                    submitted = created_s + timedelta(hours=rng.randint(1, 72))
                if status_s in ("graded", "returned") and submitted is not None:
                    graded = submitted + timedelta(hours=rng.randint(1, 96))
                    score = round(max_score * min(1.0, max(0.0, rng.gauss(0.74, 0.16))), 2)
                    auto = round(max_score * rng.uniform(0.5, 1.0), 2)
                    reviewer = score
                    grader = teacher
                out["submissions"].append(
                    f"{ident(K_SUBMISSION, i * 32 + n * ASSIGNMENTS + k)}\t{sid}\t{oid}"
                    f"\t{ident(K_ASSIGNMENT, n_a)}\t{status_s}"
                    f"\t{ts(submitted) if submitted else N}\t{_opt(score)}\t{_opt(auto)}"
                    f"\t{_opt(reviewer)}\t{ts(graded) if graded else N}\t{_opt(grader)}"
                    f"\t{ts(created_s)}")

        # live classes, lessons, coaching sessions
        for n, lc in enumerate(sorted(rng.sample(range(CLASSES), 5))):
            status = rng.choices(("attended", "missed", "registered"), (70, 15, 15))[0]
            out["live_class_attendance"].append(
                f"{ident(K_ATTEND, i * 8 + n)}\t{sid}\t{oid}\t{ident(K_CLASS, org * CLASSES + lc)}"
                f"\t{status}\t{N}")
        past = self.day_time(rng, rng.randint(1, 30))
        future = a + timedelta(days=rng.randint(0, 10), hours=rng.randint(8, 18))
        out["lessons"].append(
            f"{ident(K_LESSON, i * 2)}\t{sid}\t{oid}\t{coach}\t{ts(past)}"
            f"\t{rng.choice(('completed', 'completed', 'cancelled', 'missed'))}\tTechnique")
        out["lessons"].append(
            f"{ident(K_LESSON, i * 2 + 1)}\t{sid}\t{oid}\t{coach}\t{ts(future)}\tscheduled"
            "\tNext steps")
        for n, cs in enumerate(sorted(rng.sample(range(SESSIONS), 2))):
            session = ident(K_SESSION, org * SESSIONS + cs)
            attendance = rng.choices(("present", "absent", "excused"), (80, 12, 8))[0]
            out["session_students"].append(f"{session}\t{sid}\t{oid}\t{attendance}")
            if attendance == "present":
                out["session_scores"].append(
                    f"{ident(K_SCORE, i * 2 + n)}\t{session}\t{sid}\t{oid}"
                    f"\t{round(rng.uniform(3, 10), 2)}\tKeep the shoulders square")

        # drills and skills
        for n, d in enumerate(sorted(rng.sample(range(DRILLS), 3))):
            due = a + timedelta(days=rng.randint(-10, 7))
            done = due - timedelta(hours=rng.randint(1, 48)) if rng.random() < 0.5 else None
            out["drill_assignments"].append(
                f"{ident(K_DRILL_ASSIGN, i * 4 + n)}\t{ident(K_DRILL, org * DRILLS + d)}\t{sid}"
                f"\t{oid}\t{coach}\t{ts(due)}\t{ts(done) if done else N}"
                f"\t{ts(due - timedelta(days=7))}")
        for n, s in enumerate(sorted(rng.sample(range(SKILLS), 4))):
            out["skill_assessments"].append(
                f"{ident(K_ASSESS, i * 4 + n)}\t{ident(K_SKILL, org * SKILLS + s)}\t{sid}\t{oid}"
                f"\t{rng.randint(0, 5)}\t{ts(self.day_time(rng, rng.randint(1, days)))}\t{coach}")

        # journal and badges
        for n, d in enumerate(sorted(rng.sample(range(1, days + 1), 3))):
            out["journal_entries"].append(
                f"{ident(K_JOURNAL, i * 4 + n)}\t{sid}\t{(a - timedelta(days=d)).date()}"
                f"\t{rng.randint(1, 5)}\t{rng.randint(1, 5)}\t{rng.randint(1, 5)}"
                "\tA good day at practice")
        if self.achievements:
            for n, ach in enumerate(rng.sample(self.achievements,
                                               min(rng.randint(0, 4), len(self.achievements)))):
                out["student_achievements"].append(
                    f"{ident(K_ACHIEVE, i * 8 + n)}\t{sid}\t{ach}"
                    f"\t{ts(self.day_time(rng, rng.randint(1, days)))}\t{N}")


# ---- loading ------------------------------------------------------------------------------
def _qualified(name: str) -> str:
    return name if "." in name else f"tutela.{name}"


def _copy(conn: psycopg.Connection[Any], table: str, rows: list[str]) -> None:
    if not rows:
        return
    cols = ", ".join(TABLES[table])
    with conn.cursor() as cur, cur.copy(
        f"copy {_qualified(table)} ({cols}) from stdin"
    ) as cp:
        batch = 5000
        for k in range(0, len(rows), batch):
            cp.write("\n".join(rows[k:k + batch]) + "\n")


def _set_triggers(conn: psycopg.Connection[Any], enable: bool) -> None:
    verb = "enable" if enable else "disable"
    for table, trigger in LOAD_TRIGGERS:
        conn.execute(f"alter table tutela.{table} {verb} trigger {trigger}")


ROLLUP_SQL = (
    # daily rows: reviews by the UTC day of reviewed_at, activity by that of occurred_at
    """
    insert into tutela.daily_study_stats (student_id, day, reviews, correct, xp, minutes,
      activities)
    select x.student_id, x.day, sum(x.reviews), sum(x.correct), sum(x.xp), sum(x.minutes),
      sum(x.activities)
    from (
      select r.student_id, (r.reviewed_at at time zone 'UTC')::date as day, count(*) as reviews,
        count(*) filter (where r.correct) as correct, sum(r.xp) as xp, 0 as minutes,
        0 as activities
      from tutela.card_reviews as r where r.student_id = any(%(ids)s) group by 1, 2
      union all
      select e.student_id, (e.occurred_at at time zone 'UTC')::date, 0, 0, 0, sum(e.minutes),
        count(*)
      from tutela.activity_events as e where e.student_id = any(%(ids)s) group by 1, 2
    ) as x
    group by 1, 2
    """,
    # totals; total_points = review XP + points
    """
    insert into tutela.student_stats (student_id, total_reviews, total_correct, total_xp,
      total_points, total_minutes, last_active_at)
    select s.id, coalesce(r.n, 0), coalesce(r.c, 0), coalesce(r.xp, 0),
      coalesce(r.xp, 0) + coalesce(p.points, 0), coalesce(e.minutes, 0),
      greatest(r.last_at, e.last_at)
    from unnest(%(ids)s::uuid[]) as s (id)
    left join (
      select student_id, count(*) as n, count(*) filter (where correct) as c, sum(xp) as xp,
        max(reviewed_at) as last_at
      from tutela.card_reviews where student_id = any(%(ids)s) group by 1
    ) as r on r.student_id = s.id
    left join (
      select student_id, sum(minutes) as minutes, max(occurred_at) as last_at
      from tutela.activity_events where student_id = any(%(ids)s) group by 1
    ) as e on e.student_id = s.id
    left join (
      select student_id, sum(points) as points
      from tutela.points_ledger where student_id = any(%(ids)s) group by 1
    ) as p on p.student_id = s.id
    where r.student_id is not null or e.student_id is not null or p.student_id is not null
    """,
    "select tutela_private.recompute_streaks(%(ids)s::uuid[])",
    """
    insert into tutela_private.course_averages (student_id, course_id, average_percent, graded)
    select s.student_id, a.course_id, round(avg(100 * s.score / a.max_score), 2), count(*)
    from tutela.submissions as s join tutela.assignments as a on a.id = s.assignment_id
    where s.student_id = any(%(ids)s) and s.status in ('graded', 'returned')
      and s.score is not null
    group by 1, 2
    """,
)


Progress = Callable[[str, int], None]


def load(conn: psycopg.Connection[Any], cfg: Config, *, on_rows: Progress | None = None,
         commit: bool = True) -> Report:
    """Generate and load the data set on `conn` in one transaction; ANALYZE after the commit."""
    started = time.monotonic()
    achievements = [r[0] for r in conn.execute(
        "select id::text from tutela.achievements order by code").fetchall()]
    plans = dict(conn.execute(
        "select code, id::text from tutela.plans").fetchall())
    if not {"starter", "professional"} <= plans.keys():
        raise TutelaError("plans are missing", hint="run `tutela migrate` first")
    gen = Generator(cfg, achievements, plans)
    exists = conn.execute("select 1 from tutela.organizations where id = %s",
                          (gen.id(K_ORG, 0),)).fetchone()
    if exists:
        raise TutelaError(f"this database already holds synthetic data of seed {cfg.seed}",
                          hint="load another --seed, or use a fresh database")
    report = Report(cfg, {name: TableStat() for name in TABLES})
    for name in ROLLUPS:
        report.tables[name] = TableStat()

    def send(rows_by_table: dict[str, list[str]]) -> None:
        for table in TABLES:
            rows = rows_by_table.get(table)
            if not rows:
                continue
            t0 = time.monotonic()
            _copy(conn, table, rows)
            stat = report.tables[table]
            stat.seconds += time.monotonic() - t0
            stat.rows += len(rows)
            if on_rows:
                on_rows(table, len(rows))

    try:
        conn.execute("set local synchronous_commit = off")
        _set_triggers(conn, enable=False)
        t0 = time.monotonic()
        cat = gen.catalog()
        report.tables["organizations"].seconds += time.monotonic() - t0
        send(cat)
        for first in range(0, cfg.students, CHUNK):
            last = min(first + CHUNK, cfg.students)
            t0 = time.monotonic()
            rows = gen.chunk(first, last)
            gen_seconds = time.monotonic() - t0
            # generation time is shared among the tables in proportion to their rows
            total = sum(len(v) for v in rows.values()) or 1
            for table, v in rows.items():
                report.tables[table].seconds += gen_seconds * len(v) / total
            send(rows)
            ids = [gen.id(K_STUDENT, k) for k in range(first, last)]
            t0 = time.monotonic()
            for statement in ROLLUP_SQL:
                conn.execute(statement, {"ids": ids})
            report.rollup_seconds += time.monotonic() - t0
            if on_rows:
                on_rows("rollups", last - first)
        _set_triggers(conn, enable=True)
        for name, sql_count in (
            ("daily_study_stats", "select count(*) from tutela.daily_study_stats as d "
             "join tutela.students as s on s.id = d.student_id where s.organization_id = any(%s)"),
            ("student_stats", "select count(*) from tutela.student_stats as d "
             "join tutela.students as s on s.id = d.student_id where s.organization_id = any(%s)"),
            ("tutela_private.course_averages", "select count(*) from "
                                               "tutela_private.course_averages as d "
             "join tutela.students as s on s.id = d.student_id where s.organization_id = any(%s)"),
        ):
            row = conn.execute(sql_count,
                               ([gen.id(K_ORG, o) for o in range(gen.orgs)],)).fetchone()
            report.tables[name].rows = int(row[0]) if row else 0
        report.tables[ROLLUPS[0]].seconds = report.rollup_seconds
    except BaseException:
        conn.rollback()
        raise
    if commit:
        conn.commit()
        t0 = time.monotonic()
        conn.autocommit = True
        try:
            conn.execute("analyze")
        finally:
            conn.autocommit = False
        report.analyze_seconds = time.monotonic() - t0
    report.seconds = time.monotonic() - started
    return report


def student_ids(cfg: Config) -> list[str]:
    ident = Ids(cfg.seed)
    return [ident(K_STUDENT, k) for k in range(cfg.students)]


def organization_ids(cfg: Config) -> list[str]:
    ident = Ids(cfg.seed)
    return [ident(K_ORG, o) for o in range(org_count(cfg.students))]


VERIFY_SQL: dict[str, str] = {
    # each query counts rows that break a rule; all must be 0
    "xp follows tutela_hidden.review_xp": """
        select count(*) from tutela.card_reviews as r
        where r.student_id = any(%(ids)s) and r.xp <> tutela_hidden.review_xp(r.correct, r.quality)
    """,
    "daily_study_stats equal a recount": """
        with recount as (
          select student_id, day, sum(reviews) as reviews, sum(correct) as correct,
            sum(xp) as xp, sum(minutes) as minutes, sum(activities) as activities
          from (
            select student_id, (reviewed_at at time zone 'UTC')::date as day, 1 as reviews,
              correct::int as correct, xp, 0 as minutes, 0 as activities
            from tutela.card_reviews where student_id = any(%(ids)s)
            union all
            select student_id, (occurred_at at time zone 'UTC')::date, 0, 0, 0, minutes, 1
            from tutela.activity_events where student_id = any(%(ids)s)
          ) as x group by 1, 2
        ),
        stored as (
          select student_id, day, reviews::numeric, correct::numeric, xp::numeric,
            minutes::numeric, activities::numeric
          from tutela.daily_study_stats where student_id = any(%(ids)s)
        )
        select count(*) from (
          (select * from recount except select * from stored)
          union all
          (select * from stored except select * from recount)
        ) as diff
    """,
    "student_stats totals equal a recount": """
        select count(*) from tutela.student_stats as s
        where s.student_id = any(%(ids)s) and (
          s.total_reviews <> (select count(*) from tutela.card_reviews as r
            where r.student_id = s.student_id)
          or s.total_xp <> (select coalesce(sum(r.xp), 0) from tutela.card_reviews as r
            where r.student_id = s.student_id)
          or s.total_points <> s.total_xp + (select coalesce(sum(p.points), 0)
            from tutela.points_ledger as p where p.student_id = s.student_id)
          or s.total_minutes <> (select coalesce(sum(e.minutes), 0)
            from tutela.activity_events as e where e.student_id = s.student_id)
        )
    """,
    "flashcards sit where their newest review put them": """
        select count(*) from tutela.flashcards as f
        join lateral (
          select r.reviewed_at, r.correct from tutela.card_reviews as r
          where r.flashcard_id = f.id and r.student_id = f.student_id
          order by r.reviewed_at desc, r.id desc limit 1
        ) as last on true
        where f.student_id = any(%(ids)s) and (
          f.last_reviewed_at <> last.reviewed_at
          or (last.correct and f.leitner_box = 1)
          or (not last.correct and (f.leitner_box <> 1
            or f.due_at <> last.reviewed_at + interval '10 minutes'))
          or (last.correct and f.due_at <> last.reviewed_at
            + interval '1 day' * (2 ^ (f.leitner_box - 1)))
        )
    """,
    "guardian links within the cap": """
        select count(*) from tutela.students as s
        where s.id = any(%(ids)s) and tutela_private.guardian_slots_left(s.id) < 0
    """,
}


def verify(conn: psycopg.Connection[Any], ids: Iterable[str]) -> dict[str, int]:
    """Rule breaks per check for these students (all 0 when the load is right)."""
    id_list = list(ids)
    out = {}
    for name, sql in VERIFY_SQL.items():
        row = conn.execute(sql, {"ids": id_list}).fetchone()
        out[name] = int(row[0]) if row else 0
    return out


def run_synthetic(url: str, students: int, days: int, seed: int, anchor: str | None,
                  as_json: bool, console: Any, check: bool = True) -> Report:
    """The command: a progress bar per table, then rows per second per table."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from py_admin.db import connect

    try:
        anchor_day = date.fromisoformat(anchor) if anchor else None
    except ValueError:
        raise TutelaError(f"--anchor {anchor!r} is not a date (YYYY-MM-DD)") from None
    cfg = Config(students=students, days=days, seed=seed, anchor=anchor_day)
    totals = expected_rows(students)
    with connect(url) as conn:
        if as_json:
            report = load(conn, cfg)
        else:
            with Progress(TextColumn("{task.description:<24}"), BarColumn(),
                          MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                          console=console, transient=False) as progress:
                tasks = {name: progress.add_task(name, total=totals.get(name, students),
                                                 rate="")
                         for name in (*TABLES, "rollups")}
                started = time.monotonic()
                done: dict[str, int] = {}

                def on_rows(table: str, n: int) -> None:
                    done[table] = done.get(table, 0) + n
                    task = tasks[table]
                    total = max(progress.tasks[task].total or 0, done[table])
                    rate = done[table] / max(time.monotonic() - started, 1e-6)
                    progress.update(task, completed=done[table], total=total,
                                    rate=f"{rate:,.0f} rows/s")

                report = load(conn, cfg, on_rows=on_rows)
                for name, task in tasks.items():  # the bars end at the real counts
                    real = done.get(name, 0)
                    progress.update(task, completed=real, total=real)
    data = report.as_dict()
    if check:
        t0 = time.monotonic()
        with connect(url) as conn:
            broken = verify(conn, student_ids(cfg))
        data["verify"] = {"seconds": round(time.monotonic() - t0, 1), "rule_breaks": broken}
    if as_json:
        print(json.dumps(data, indent=2))
    if check and any(data["verify"]["rule_breaks"].values()):
        raise TutelaError("the loaded data breaks a rule: " + ", ".join(
            f"{k}: {v}" for k, v in data["verify"]["rule_breaks"].items() if v))
    if as_json:
        return report
    table = Table(title=f"Synthetic data: {students:,} students, {days} days, seed {seed}")
    for col in ("table", "rows", "seconds", "rows/s"):
        table.add_column(col, justify="left" if col == "table" else "right")
    for name, t in data["tables"].items():
        rate = t["rows_per_second"]
        table.add_row(name, f"{t['rows']:,}", f"{t['seconds']:.1f}",
                      f"{rate:,}" if rate else "")
    table.add_row("total", f"{data['rows']:,}", f"{data['seconds']:.1f}",
                  f"{data['rows_per_second']:,}", style="bold")
    console.print(table)
    console.print(f"rollups rebuilt in {data['rollup_seconds']:.1f} s (inside the load); "
                  f"ANALYZE {data['analyze_seconds']:.1f} s", highlight=False)
    if check:
        console.print(f"verified in {data['verify']['seconds']:.1f} s: "
                      + "; ".join(f"{k}: ok" for k in data["verify"]["rule_breaks"]),
                      highlight=False)
    return report
