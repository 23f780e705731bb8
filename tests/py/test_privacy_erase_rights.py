"""`tutela privacy erase` decides on the requester's right at the moment of use (issue 25).

The command shows who asked (name, email, the right they asked on, whether they still hold
it), when, and what would be erased; it asks for confirmation on a terminal and refuses
without one unless --yes. An erasure whose requester lost the right is cancelled, with the
reason, and nothing is deleted: whether a trigger cancelled it when the right was lost (a
revoked link) or the command's own call finds it at the moment of use (here the trigger is
switched off to stand for a loss no statement announces, such as a child coming of age).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from py_admin.actors import acting_as
from py_admin.db import connect
from py_admin.demo import NOAH_STUDENT, PAT, run_demo
from py_admin.migrate import migrate

ALEX_ADMIN = "d0000000-0000-4000-8000-000000000101"


def _pat_requests_noahs_erasure(url: str) -> str:
    """The demo, Noah aged 12 (under the consent age), and Pat (primary) asking to erase him."""
    migrate(url)
    run_demo(url)
    with connect(url) as conn:
        conn.execute(
            "update tutela.students set birth_date = current_date - interval '12 years' "
            "where id = %s", (NOAH_STUDENT,))
        conn.commit()
        with acting_as(conn, PAT) as c:
            request = c.execute(
                "select id from tutela.request_data_erasure(%s)", (NOAH_STUDENT,)
            ).fetchone()[0]
    return str(request)


def _state(url: str, request: str) -> tuple[Any, ...]:
    with connect(url) as conn:
        row = conn.execute(
            "select r.status, r.cancel_reason, "
            "(select count(*) from tutela.students where id = %s), "
            "(select count(*) from tutela.card_reviews where student_id = %s) "
            "from tutela.data_requests as r where r.id = %s",
            (NOAH_STUDENT, NOAH_STUDENT, request),
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_shows_who_asked_and_refuses_without_a_terminal(empty_db: str, cli: Any) -> None:
    request = _pat_requests_noahs_erasure(empty_db)
    before = _state(empty_db, request)
    proc = cli("privacy", "erase", "--request", request, "--database-url", empty_db, input="")
    assert proc.returncode == 1, proc.stdout
    out = proc.stdout
    assert "Pat Parent" in out and "pat.parent@demo.tutela.test" in out
    assert "primary_guardian" in out and "requested at:" in out
    assert "still holds the right: yes" in out
    assert "Noah" in out and "card_reviews" in out  # what would be erased
    assert "no terminal" in proc.stderr and "--yes" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _state(empty_db, request) == before
    assert before[0] == "pending" and before[2] == 1 and before[3] > 0


def _run_on_a_terminal(url: str, request: str, answer: str) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as stdin and type the answer."""
    master, slave = os.openpty()
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    env.pop("DATABASE_URL", None)
    exe = str(Path(sys.executable).parent / "tutela")
    proc = subprocess.Popen(
        [exe, "privacy", "erase", "--request", request, "--database-url", url],
        stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    os.close(slave)
    time.sleep(0.5)
    os.write(master, (answer + "\n").encode())
    out, err = proc.communicate(timeout=120)
    os.close(master)
    return proc.returncode, out + err


def test_asks_on_a_terminal(empty_db: str) -> None:
    request = _pat_requests_noahs_erasure(empty_db)
    code, out = _run_on_a_terminal(empty_db, request, "n")
    assert code == 1 and "Erase this student's data?" in out and "not confirmed" in out
    assert _state(empty_db, request)[:3] == ("pending", None, 1)
    code, out = _run_on_a_terminal(empty_db, request, "y")
    assert code == 0, out
    with connect(empty_db) as conn:
        status = conn.execute(
            "select status from tutela.data_requests where id = %s", (request,)).fetchone()
        assert status is not None and status[0] == "completed"
        left = conn.execute(
            "select count(*) from tutela.students where id = %s", (NOAH_STUDENT,)).fetchone()
        assert left is not None and left[0] == 0


def test_revoked_guardian_request_is_cancelled_not_carried_out(empty_db: str, cli: Any) -> None:
    request = _pat_requests_noahs_erasure(empty_db)
    with connect(empty_db) as conn:
        link = conn.execute(
            "select id from tutela.guardian_links where student_id = %s and guardian_id = %s",
            (NOAH_STUDENT, PAT)).fetchone()
        assert link is not None
        with acting_as(conn, ALEX_ADMIN) as c:  # a court order: the school revokes Pat
            c.execute("select tutela.revoke_guardian_link(%s, 'court order')", (link[0],))
    assert _state(empty_db, request)[:3] == (
        "cancelled", "requester_lost_right: link_revoked", 1)
    proc = cli("privacy", "erase", "--request", request, "--yes", "--database-url", empty_db)
    assert proc.returncode == 1
    assert "cancelled" in proc.stdout and "link_revoked" in proc.stdout
    assert "TU409" in proc.stderr and "nothing was deleted" in proc.stderr
    state = _state(empty_db, request)
    assert state[2] == 1 and state[3] > 0  # Noah's record is whole


def test_right_lost_unannounced_is_caught_at_the_moment_of_use(empty_db: str, cli: Any) -> None:
    request = _pat_requests_noahs_erasure(empty_db)
    with connect(empty_db) as conn:
        # a loss no trigger sees (the calendar): stood for by switching the trigger off
        conn.execute("alter table tutela.guardian_links "
                     "disable trigger guardian_links_cancel_erasure_requests")
        conn.execute("update tutela.guardian_links set status = 'revoked', is_primary = false, "
                     "revoked_at = now() where student_id = %s and guardian_id = %s",
                     (NOAH_STUDENT, PAT))
        conn.execute("alter table tutela.guardian_links "
                     "enable trigger guardian_links_cancel_erasure_requests")
        conn.commit()
    assert _state(empty_db, request)[0] == "pending"
    proc = cli("privacy", "erase", "--request", request, "--yes", "--database-url", empty_db)
    assert proc.returncode == 1
    assert "still holds the right: no: requester_lost_right: link_revoked" in proc.stdout
    assert "the erasure was cancelled: requester_lost_right: link_revoked" in proc.stderr
    assert "Traceback" not in proc.stderr
    state = _state(empty_db, request)
    assert state[:3] == ("cancelled", "requester_lost_right: link_revoked", 1)
    assert state[3] > 0  # nothing was deleted
