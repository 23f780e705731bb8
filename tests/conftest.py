"""pytest wiring: one throwaway PostgreSQL per session, and pgTAP files as test items.

Server, in order of preference:
- ``TUTELA_TEST_DATABASE_URL``: an existing server (a role that may create databases);
- ``TUTELA_TEST_BACKEND=docker`` with a Docker engine: a testcontainers PostgreSQL
  (image ``TUTELA_TEST_DOCKER_IMAGE``, default ``supabase/postgres:15.8.1.060``, which has pgTAP);
- otherwise a throwaway cluster made with this machine's initdb, in a temporary folder, that
  stands in for a Supabase project (py_admin/cluster.py): `postgres`, which every test connects
  as, is not a superuser, and the API roles get no default privileges (``TUTELA_SUPABASE_MODE``
  ``today``, the default) or, in mode ``legacy``, an older project's defaults that grant them
  every new object. tests/py/test_supabase_modes.py makes a cluster of the other mode too.

Every ``tests/sql/**/*.test.sql`` file is one test item, run by psql like pg_prove would, against
one database migrated from scratch with the test helpers installed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from py_admin.db import connect, scratch_database, with_dbname
from py_admin.pgtap import FileResult, prepare_database, run_file

ROOT = Path(__file__).resolve().parent.parent


class _Server:
    """The session's PostgreSQL server, started on first use."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.mode: str | None = None  # the local cluster's Supabase mode; None for others
        self.cluster: Any = None  # the local cluster (py_admin.cluster.Cluster), if it is ours
        self._cleanup: list[Any] = []
        self._sql_db: str | None = None
        self.tap_results: list[FileResult] = []

    def start(self) -> str:
        if self.url is not None:
            return self.url
        explicit = os.environ.get("TUTELA_TEST_DATABASE_URL")
        if explicit:
            self.url = explicit
        elif os.environ.get("TUTELA_TEST_BACKEND") == "docker":
            from testcontainers.postgres import PostgresContainer

            image = os.environ.get("TUTELA_TEST_DOCKER_IMAGE", "supabase/postgres:15.8.1.060")
            container = PostgresContainer(image, username="postgres", password="postgres")
            container.start()
            self._cleanup.append(container.stop)
            host = container.get_container_host_ip()
            port = container.get_exposed_port(5432)
            self.url = f"postgresql://postgres:postgres@{host}:{port}/postgres"
        else:
            from py_admin.cluster import Cluster

            base = Path(tempfile.mkdtemp(prefix="tutela-pytest-"))
            os.chmod(base, 0o755)
            cluster = Cluster(base, ephemeral=True)
            cluster.start()
            self.mode = cluster.mode
            self.cluster = cluster
            self._cleanup.append(lambda: (cluster.destroy(), shutil.rmtree(base, True)))
            self.url = cluster.url()
        return self.url

    def sql_db(self) -> str:
        """A database migrated from scratch with pgTAP and the test helpers, for SQL files."""
        if self._sql_db is None:
            server = self.start()
            cm = scratch_database(server, prefix="tutela_pytest_sql")
            url = cm.__enter__()
            self._cleanup.append(lambda: cm.__exit__(None, None, None))
            prepare_database(url, root=ROOT)
            self._sql_db = url
        return self._sql_db

    def stop(self) -> None:
        for fn in reversed(self._cleanup):
            fn()
        self._cleanup.clear()


SERVER = _Server()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--heavy", action="store_true",
        help="heavy profiles (same as TUTELA_HEAVY=1): the nightly fuzz, many race rounds, "
        "every pgTAP file on an upgraded database",
    )


def pytest_configure(config: pytest.Config) -> None:
    # before the test modules are imported: they read TUTELA_HEAVY for their profiles
    if config.getoption("--heavy"):
        os.environ["TUTELA_HEAVY"] = "1"


def pytest_report_header(config: pytest.Config) -> str:
    heavy = os.environ.get("TUTELA_HEAVY") == "1"
    return f"tutela profile: {'heavy (nightly)' if heavy else 'ci'}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    SERVER.stop()


# ---- pgTAP files as items -------------------------------------------------------------------
class PgTapError(Exception):
    def __init__(self, result: FileResult) -> None:
        super().__init__(result.path.name)
        self.result = result


class PgTapItem(pytest.Item):
    def runtest(self) -> None:
        result = run_file(SERVER.sql_db(), self.path)
        SERVER.tap_results.append(result)
        if not result.ok:
            raise PgTapError(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PgTapError):
            res = excinfo.value.result
            lines = [f"{self.path.relative_to(ROOT)}: {res.passed} of {res.planned} passed"]
            lines += res.problems
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"pgtap: {self.path.relative_to(ROOT)}"


class PgTapFile(pytest.File):
    def collect(self) -> Iterator[PgTapItem]:
        yield PgTapItem.from_parent(self, name=self.path.name)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> PgTapFile | None:
    # tests/fixtures holds other projects (an app's own pgTAP files run against its database
    # by the test that builds it), not Tutela's suite
    if file_path.name.endswith(".test.sql") and "fixtures" not in file_path.relative_to(
            ROOT).parts:
        return PgTapFile.from_parent(parent, path=file_path)  # type: ignore[no-any-return]
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    results = SERVER.tap_results
    if not results:
        return
    total = sum(len(r.assertions) for r in results)
    failed = sum(len(r.failed) for r in results)
    terminalreporter.write_line(
        f"pgTAP: {total} assertions in {len(results)} files, {total - failed} passed, "
        f"{failed} failed"
    )


# ---- fixtures for Python tests --------------------------------------------------------------
@pytest.fixture(scope="session")
def server_url() -> str:
    """URL of the session's server (its maintenance database)."""
    return with_dbname(SERVER.start(), "postgres")


@pytest.fixture(scope="session")
def server_mode(server_url: str) -> str | None:
    """The Supabase mode of the session's own cluster (today | legacy); None for a server
    given by TUTELA_TEST_DATABASE_URL or Docker."""
    return SERVER.mode


@pytest.fixture(scope="session")
def local_cluster(server_url: str) -> Any:
    """The session's own cluster (for what the Supabase platform does, e.g. enabling pg_cron);
    None when the server is someone else's."""
    return SERVER.cluster


@pytest.fixture
def empty_db(server_url: str) -> Iterator[str]:
    """A new, empty database, dropped afterwards."""
    with scratch_database(server_url, prefix="tutela_pytest") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_db() -> str:
    """The shared migrated database (with test helpers); tests must roll back what they do."""
    return SERVER.sql_db()


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's SQL sources, to edit freely (TUTELA_PROJECT_ROOT points here)."""
    dst = tmp_path / "project"
    for name in ("migrations", "rpc", "policies", "seeds"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dst / name)
    (dst / "tests" / "sql").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "sql" / "helpers.sql", dst / "tests" / "sql" / "helpers.sql")
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


@pytest.fixture
def conn_factory() -> Iterator[Any]:
    opened: list[Any] = []

    def make(url: str, autocommit: bool = False) -> Any:
        c = connect(url, autocommit=autocommit)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def cli() -> Any:
    """Run the real `tutela` command; returns the CompletedProcess."""
    import subprocess
    import sys

    def run(*args: str, root: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
        full_env.pop("DATABASE_URL", None)
        if root is not None:
            full_env["TUTELA_PROJECT_ROOT"] = str(root)
        full_env.update(env or {})
        exe = str(Path(sys.executable).parent / "tutela")
        return subprocess.run(
            [exe, *args], capture_output=True, text=True, env=full_env, input=input,
            check=False, timeout=300,
        )

    return run


@pytest.fixture(scope="session")
def supabase_push() -> Any:
    """`supabase db push --db-url URL` of a copy of supabase/ (the CLI writes supabase/.temp)
    in a folder of the caller's, with the pinned CLI; returns the CLI's output."""
    import subprocess

    cli_path = ROOT / "node_modules" / ".bin" / "supabase"

    def push(url: str, workdir: Path) -> str:
        assert cli_path.exists(), "run `make setup`: it installs the Supabase CLI (npm ci)"
        shutil.copytree(ROOT / "supabase", workdir / "supabase")
        sep = "&" if "?" in url else "?"
        proc = subprocess.run(
            [str(cli_path), "db", "push", "--db-url", f"{url}{sep}sslmode=disable", "--yes"],
            cwd=workdir, capture_output=True, text=True, check=False, timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout + proc.stderr

    return push
