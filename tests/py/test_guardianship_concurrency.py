"""Guardianship rules under concurrent sessions: the cap, invites, revoke vs redeem, throttle.

Each thread has its own connection and acts as PostgREST does: one transaction, `role` and
`request.jwt.claims` set locally (tutela_tests.authenticate_as), one rpc call, commit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from py_admin.db import scratch_database
from py_admin.pgtap import prepare_database

ROUNDS = 40 if os.environ.get("TUTELA_HEAVY") == "1" else 5


@pytest.fixture
def db(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_conc") as url:
        prepare_database(url)
        yield url


def call_as(url: str, uid: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """One API call as a user, in its own transaction; returns the first column of row one."""
    with psycopg.connect(url) as conn:
        conn.execute("select tutela_tests.authenticate_as(%s)", (uid,))
        row = conn.execute(sql, params).fetchone()
        conn.commit()
        return row[0] if row else None


def admin_sql(url: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        row = cur.fetchone() if cur.description else None
        return row[0] if row else None


def new_user(url: str, email: str) -> Any:
    return admin_sql(url, "select tutela_tests.create_user(%s)", (email,))


def run_at_once(fns: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Start every call together; results as ('ok', value) or ('err', sqlstate)."""
    barrier = threading.Barrier(len(fns))
    results: list[tuple[str, Any]] = [("none", None)] * len(fns)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = ("ok", fns[i]())
        except psycopg.Error as exc:
            results[i] = ("err", exc.sqlstate)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def setup_student(url: str, tag: str) -> tuple[Any, Any, Any]:
    admin = new_user(url, f"admin-{tag}@example.test")
    org = call_as(url, admin, "select id from tutela.create_organization(%s, %s)",
                  (f"Org {tag}", f"org-{tag}"))
    student = call_as(url, admin,
                      "select id from tutela.create_student(%s, %s)", (org, f"Kid {tag}"))
    return admin, org, student


def active_or_pending(url: str, student: Any) -> int:
    return int(admin_sql(
        url,
        "select count(*) from tutela.guardian_links "
        "where student_id = %s and status in ('active', 'pending')",
        (student,),
    ))


def test_twenty_concurrent_redemptions_respect_the_cap(db: str) -> None:
    for r in range(ROUNDS):
        admin, _org, student = setup_student(db, f"cap{r}")
        code = call_as(db, admin, "select code from tutela.create_guardian_link_code(%s, 20)",
                       (student,))
        users = [new_user(db, f"parent{r}-{i}@example.test") for i in range(20)]
        results = run_at_once([
            (lambda u=u, c=code: call_as(db, u, "select tutela.redeem_guardian_link_code(%s)",
                                         (c,)))
            for u in users
        ])
        ok = [v for kind, v in results if kind == "ok"]
        errors = [v for kind, v in results if kind == "err"]
        assert len(ok) == 2 and all(v["status"] == "active" for v in ok)
        assert errors == ["TU409"] * 18, results
        assert active_or_pending(db, student) == 2
        uses = admin_sql(db, "select uses from tutela_private.guardian_link_codes where "
                             "student_id = %s",
                         (student,))
        assert uses == 2


def test_same_invite_accepted_twice_at_once(db: str) -> None:
    for r in range(ROUNDS):
        admin, _org, student = setup_student(db, f"inv{r}")
        email = f"coparent{r}@example.test"
        token = call_as(db, admin, "select token from tutela.invite_guardian(%s, %s)",
                        (student, email))
        invitee = new_user(db, email)
        results = run_at_once([
            lambda u=invitee, t=token: call_as(
                db, u, "select id from tutela.accept_guardian_invite(%s)", (t,))
            for _ in range(2)
        ])
        kinds = sorted(kind for kind, _ in results)
        assert kinds == ["err", "ok"], results
        assert next(v for k, v in results if k == "err") in ("TU404", "TU409")
        assert active_or_pending(db, student) == 1


def test_revoke_racing_a_redeem(db: str) -> None:
    for r in range(ROUNDS):
        admin, _org, student = setup_student(db, f"rr{r}")
        first, second = new_user(db, f"a{r}@example.test"), new_user(db, f"b{r}@example.test")
        code1 = call_as(db, admin, "select code from tutela.create_guardian_link_code(%s)",
                        (student,))
        link = call_as(db, first, "select tutela.redeem_guardian_link_code(%s)", (code1,))
        code2 = call_as(db, admin, "select code from tutela.create_guardian_link_code(%s)",
                        (student,))
        # cap 1: the redeem may only win if the revoke has committed first
        admin_sql(db, "update tutela.organizations set max_guardians_per_student = 1 "
                      "where id = (select organization_id from tutela.students where id = %s)",
                  (student,))
        results = run_at_once([
            lambda a=admin, lk=link: call_as(
                db, a, "select status from tutela.revoke_guardian_link(%s)", (lk["id"],)),
            lambda u=second, c=code2: call_as(
                db, u, "select tutela.redeem_guardian_link_code(%s)", (c,)),
        ])
        assert results[0] == ("ok", "revoked")
        assert results[1][0] == "ok" or results[1] == ("err", "TU409"), results
        assert active_or_pending(db, student) <= 1


def test_two_primaries_set_at_once(db: str) -> None:
    for r in range(ROUNDS):
        admin, _org, student = setup_student(db, f"pp{r}")
        code = call_as(db, admin, "select code from tutela.create_guardian_link_code(%s, 2)",
                       (student,))
        links = [
            call_as(db, new_user(db, f"p{r}{i}@example.test"),
                    "select tutela.redeem_guardian_link_code(%s)", (code,))
            for i in range(2)
        ]
        results = run_at_once([
            (lambda lk=lk, a=admin: call_as(
                db, a, "select id from tutela.set_primary_guardian(%s)", (lk["id"],)))
            for lk in links
        ])
        assert all(kind == "ok" for kind, _ in results), results
        primaries = admin_sql(
            db, "select count(*) from tutela.guardian_links where student_id = %s "
                "and is_primary and status = 'active'", (student,))
        assert primaries == 1


def test_throttle_after_five_failures(db: str) -> None:
    attacker = new_user(db, "attacker@example.test")
    for i in range(5):
        out = call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)",
                      (f"AAAA-BBBB-CC{i:02d}",))
        assert out["code"] == "TU404"  # refused, attempt recorded (no exception)
    with pytest.raises(psycopg.Error) as err:
        call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)", ("AAAA-BBBB-CCCC",))
    assert err.value.sqlstate == "TU429"
    recorded = admin_sql(db, "select count(*) from tutela_private.link_code_attempts "
                             "where user_id = %s and not succeeded", (attacker,))
    assert recorded == 5
    # the window passes
    admin_sql(db, "update tutela_private.link_code_attempts "
                  "set attempted_at = attempted_at - interval '16 minutes' where user_id = %s",
              (attacker,))
    out = call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)", ("AAAA-BBBB-CCCC",))
    assert out["code"] == "TU404"


def test_parallel_failures_of_one_user_are_all_counted(db: str) -> None:
    attacker = new_user(db, "parallel@example.test")
    results = run_at_once([
        (lambda i=i: call_as(db, attacker, "select tutela.redeem_guardian_link_code(%s)",
                             (f"ZZZZ-ZZZZ-ZZ{i:02d}",)))
        for i in range(12)
    ])
    refused = [v for k, v in results if k == "ok" and v["code"] == "TU404"]
    throttled = [v for k, v in results if k == "err"]
    assert len(refused) == 5, results
    assert throttled == ["TU429"] * 7
