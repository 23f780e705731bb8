"""Personal spaces (docs/guardianship.md, "Apps without schools") under concurrency: first calls
of tutela.ensure_personal_space() at the same time make one space and one record; at REPEATABLE
READ a call whose snapshot predates another's committed space is refused with 40001 (retry),
never a leaked unique violation, and its retry returns the same record."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import psycopg
import pytest

from py_admin.db import scratch_database
from py_admin.pgtap import prepare_database


@pytest.fixture(scope="module")
def db(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, prefix="tutela_pytest_personal") as url:
        prepare_database(url)
        yield url


def call_as(url: str, uid: Any, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        conn.execute("select tutela_tests.authenticate_as(%s)", (uid,))
        row = conn.execute(sql).fetchone()
        conn.commit()
        return row[0] if row else None


def admin_sql(url: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
        return row[0] if row else None


def new_user(url: str, email: str) -> Any:
    return admin_sql(url, "select tutela_tests.create_user(%s)", (email,))


def run_at_once(fns: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
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


def spaces_of(url: str, uid: Any) -> tuple[int, int]:
    orgs = admin_sql(url, "select count(*) from tutela.organizations where personal_user_id = %s",
                     (uid,))
    students = admin_sql(url, "select count(*) from tutela.students where user_id = %s", (uid,))
    return int(orgs), int(students)


def test_first_calls_at_once_make_one_space(db: str) -> None:
    for i in range(6):
        kid = new_user(db, f"kid{i}@personal.test")
        call = partial(call_as, db, kid, "select id from tutela.ensure_personal_space()")
        results = run_at_once([call] * 5)
        assert all(kind == "ok" for kind, _ in results), results
        assert len({value for _, value in results}) == 1
        assert spaces_of(db, kid) == (1, 1)


def test_an_old_snapshot_is_told_to_retry(db: str) -> None:
    kid = new_user(db, "late@personal.test")
    with psycopg.connect(db) as late:
        late.execute("set transaction isolation level repeatable read")
        late.execute("select tutela_tests.authenticate_as(%s)", (kid,))
        late.execute("select count(*) from tutela.students")  # the snapshot is taken here
        first = call_as(db, kid, "select id from tutela.ensure_personal_space()")
        with pytest.raises(psycopg.Error) as exc:
            late.execute("select id from tutela.ensure_personal_space()")
        assert exc.value.sqlstate == "40001"
        late.rollback()
    assert call_as(db, kid, "select id from tutela.ensure_personal_space()") == first
    assert spaces_of(db, kid) == (1, 1)
