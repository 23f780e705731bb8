"""Delivery under kill -9 (issue 27): dispatchers killed at random while they send lose no
message, and duplicate at most what was in flight at each kill (the message a worker had sent
but not yet marked). Delivery is at least once, with one Message-ID per message: the numbers
this measures are in docs/notifications.md ("Delivery guarantees").

N messages are queued; `tutela dispatch --loop` (2 workers, batch 20, lease 10 s) is started and
killed with SIGKILL at random moments, then started again, KILLS times; a last dispatcher runs
until the outbox is empty. The real aiosmtpd server counts what arrived, by Message-ID.
TUTELA_HEAVY=1 measures 3,000 messages and 40 kills.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_dispatch import (  # noqa: F401  (pytest fixtures used by name)
    Collector,
    db,
    migrated,
    queue,
    smtp,
    smtp_server,
    sql,
)

HEAVY = os.environ.get("TUTELA_HEAVY") == "1"
MESSAGES = 3000 if HEAVY else 400
KILLS = 40 if HEAVY else 12
WORKERS = 2


def _dispatcher(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TUTELA_SMTP_HOST="127.0.0.1", TUTELA_SMTP_PORT=str(port),
               NO_COLOR="1")
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "tutela"), "dispatch", "--loop",
         "--workers", str(WORKERS), "--batch", "20", "--lease", "10", "--interval", "0.2",
         "--database-url", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )


def _left(url: str) -> int:
    return int(sql(url, "select count(*) from tutela_private.notification_outbox "
                        "where status <> 'sent'")[0][0])


def test_kill_9_loses_nothing_and_duplicates_at_most_what_was_in_flight(
    db: str, smtp: Collector, smtp_server: tuple[Collector, int],  # noqa: F811
) -> None:
    port = smtp_server[1]
    for i in range(MESSAGES):
        queue(db, f"kill9-{i}", f"parent{i}@kill.test", max_attempts=10)
    rnd = random.Random(27)
    kills = 0
    proc = _dispatcher(db, port)
    try:
        while kills < KILLS and _left(db) > 0:
            time.sleep(rnd.uniform(0.3, 1.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
            proc = _dispatcher(db, port)
        deadline = time.monotonic() + 180
        while _left(db) > 0 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert kills >= KILLS // 2, "the outbox emptied before most kills: raise MESSAGES"
    assert _left(db) == 0, sql(db, "select status, count(*) from "
                                   "tutela_private.notification_outbox group by 1")
    ids = smtp.ids()
    duplicates = sum(n - 1 for n in ids.values())
    print(f"kill -9: {MESSAGES} messages, {kills} kills, {len(ids)} delivered, "
          f"{duplicates} duplicate(s)")
    assert len(ids) == MESSAGES  # nothing lost
    assert duplicates <= kills * WORKERS  # at most the message each worker had in flight
