"""The embedded cluster: made with initdb, run as an unprivileged user, idempotent start."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from py_admin.cluster import CRON_DB, Cluster
from py_admin.pgbin import find_install


def _has_pg_cron() -> bool:
    install = find_install()
    return install is not None and install.has_pg_cron


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    base = tmp_path / "tutela-home"
    yield base
    if (base / "data").exists() or (base / "LOCATION").exists():
        Cluster(base, ephemeral=True).destroy()
    shutil.rmtree(base, ignore_errors=True)


def test_start_is_idempotent_and_survives_a_stale_pid_file(home: Path) -> None:
    cluster = Cluster(home, ephemeral=True)
    assert cluster.start() is True
    assert cluster.start() is False  # already running
    with psycopg.connect(cluster.url()) as conn:
        assert conn.execute("select current_database()").fetchone() == ("tutela",)
    assert cluster.stop() is True
    assert cluster.stop() is False

    # a pid file left behind whose pid now belongs to another process
    (cluster.data / "postmaster.pid").write_text(f"{os.getpid()}\n{cluster.data}\n")
    assert cluster.start() is True
    with psycopg.connect(cluster.url()) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


@pytest.mark.skipif(os.geteuid() != 0, reason="only meaningful when the harness runs as root")
def test_server_runs_as_unprivileged_user_when_root(home: Path) -> None:
    cluster = Cluster(home, ephemeral=True)
    cluster.start()
    pid = cluster.status()["pid"]
    uid_line = next(
        line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("Uid:")
    )
    assert int(uid_line.split()[1]) != 0
    assert cluster.user is not None and int(uid_line.split()[1]) == cluster.user.uid


def test_socket_and_loopback_port(home: Path) -> None:
    cluster = Cluster(home, ephemeral=True)
    cluster.start()
    assert list(cluster.run_dir.glob(".s.PGSQL.*"))  # unix socket
    with psycopg.connect(host=str(cluster.run_dir), port=cluster.port, user="postgres",
                         dbname="tutela") as conn:
        assert conn.execute("select inet_server_addr()").fetchone() == (None,)
    with psycopg.connect(cluster.url()) as conn:
        addr = conn.execute("select host(inet_server_addr())").fetchone()
        assert addr == ("127.0.0.1",)


def test_db_commands(cli: Any, home: Path) -> None:
    env = {"TUTELA_HOME": str(home)}
    assert cli("db", "status", env=env).returncode == 3  # not running yet
    first = cli("db", "start", env=env)
    assert first.returncode == 0, first.stderr
    assert "started" in first.stdout
    again = cli("db", "start", env=env)
    assert "already running" in again.stdout
    url = cli("db", "url", env=env).stdout.strip()
    assert url.startswith("postgresql://postgres:") and url.endswith("/tutela")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table marker (id int)")
    psql = cli("db", "psql", "-tAc", "select count(*) from marker", env=env)
    assert psql.returncode == 0 and psql.stdout.strip() == "0"
    assert cli("db", "reset", env=env, input="n\n").returncode == 1  # asks, and no means no
    reset = cli("db", "reset", "--yes", env=env)
    assert reset.returncode == 0, reset.stderr
    with psycopg.connect(cli("db", "url", env=env).stdout.strip()) as conn:
        assert conn.execute("select to_regclass('marker')").fetchone() == (None,)
    assert cli("db", "stop", env=env).stdout.strip() == "stopped"
    assert cli("db", "status", env=env).returncode == 3


def test_port_is_kept_after_a_crash(home: Path) -> None:
    """Issue 27, finding 4: a server killed with connections open leaves TIME-WAIT sockets on
    its port; the next start keeps the port (saved URLs keep working)."""
    import socket

    cluster = Cluster(home, ephemeral=True)
    cluster.start()
    port, url = cluster.port, cluster.url()
    assert port is not None
    cluster._run([cluster.install.tool("pg_ctl"), "-D", str(cluster.data), "-m", "immediate",
                  "stop"])
    # what the crash leaves: connections the server side closed first, in TIME-WAIT on the port
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(4)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        for _ in clients:
            conn, _ = listener.accept()
            conn.close()  # the server side closes first: TIME-WAIT on port
    for c in clients:
        c.close()
    with socket.socket() as probe, pytest.raises(OSError):
        probe.bind(("127.0.0.1", port))  # TIME-WAIT is there (a bind without SO_REUSEADDR)
    assert cluster.start() is True
    assert cluster.port == port, "the cluster moved to another port"
    with psycopg.connect(url) as conn:  # the saved URL still works
        assert conn.execute("select 1").fetchone() == (1,)


def test_port_taken_by_another_process_is_an_error(home: Path) -> None:
    import socket

    from py_admin.errors import TutelaError

    cluster = Cluster(home, ephemeral=True)
    cluster.start()
    port = cluster.port
    cluster.stop()
    with socket.socket() as squatter:
        # the stopped server's closed connections may hold the port in TIME_WAIT: a listener
        # binds anyway with SO_REUSEADDR, as PostgreSQL itself does
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))  # type: ignore[arg-type]
        squatter.listen(1)
        with pytest.raises(TutelaError, match="taken by another process"):
            cluster.start()
    assert cluster.port == port


@pytest.mark.skipif(not _has_pg_cron(),
                    reason="pg_cron is not installed for this server (`make setup` installs it)")
def test_db_start_loads_pg_cron_into_a_cluster_started_without_it(cli: Any, home: Path) -> None:
    """A cluster made and running before pg_cron was configured: `tutela db start` restarts it
    with pg_cron preloaded and its database made, keeping every row; then it is idempotent."""
    env = {"TUTELA_HOME": str(home)}
    old = Cluster(home)
    old.cron = False  # what a cluster made before pg_cron was part of the harness runs with
    old.start()
    url = old.url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table marker as select 42 as answer")
        assert conn.execute("show shared_preload_libraries").fetchone() == ("auto_explain",)
    assert Cluster(home).needs_restart() is True

    out = cli("db", "start", env=env)
    assert out.returncode == 0, out.stderr
    assert "restarted to load pg_cron" in out.stdout
    with psycopg.connect(url) as conn:  # same URL, same port, the row still there
        assert conn.execute("select answer from marker").fetchone() == (42,)
        assert conn.execute("show shared_preload_libraries").fetchone() == (
            "pg_cron, auto_explain",)
        assert conn.execute("show cron.database_name").fetchone() == (CRON_DB,)
    with psycopg.connect(old.url(CRON_DB), autocommit=True) as conn:
        # enabled by the platform, as on Supabase: postgres reads cron.job, does not own it
        assert conn.execute("select count(*) from cron.job").fetchone() == (0,)
        assert conn.execute(
            "select pg_catalog.has_table_privilege('cron.job', 'insert')").fetchone() == (False,)

    again = cli("db", "start", env=env)
    assert again.returncode == 0 and "already running" in again.stdout, again.stdout
    assert Cluster(home).needs_restart() is False
