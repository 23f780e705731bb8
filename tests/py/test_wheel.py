"""The installable package: a wheel built from this checkout, installed into a new virtual
environment outside it, runs Tutela from an empty folder with only DATABASE_URL.

Offline by construction: the wheel is built with the checkout's own setuptools
(``pip wheel --no-deps --no-build-isolation --no-index``), installed with ``--no-deps
--no-index``, and the new environment finds the dependencies (typer, psycopg, ...) in this
test's own environment through a ``.pth`` file naming its site-packages. A ``.pth`` line only
appends that folder to ``sys.path`` (its own ``.pth`` files, such as the editable install's
finder, are not run), after the new environment's site-packages: ``py_admin`` is the wheel's.
The wheel is built from a copy of the files git would commit (tracked and new, not ignored), so
a stale ``build/`` of the checkout never gets in and the build writes nothing into it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from py_admin.db import connect
from py_admin.demo import PEOPLE

ROOT = Path(__file__).resolve().parents[2]
# what `tutela` reads from the project folder; the wheel must carry every file of them
BUNDLED = ("migrations", "rpc", "policies", "seeds", "tests/sql", "tests/privilege_matrix.toml",
           "supabase")
SUITE = ("tests/sql/profiles", "tests/sql/reports")  # `tutela test` on a part of the suite


@dataclass(frozen=True)
class Installed:
    src: Path  # the copy of the checkout the wheel was built from
    wheel: Path
    venv: Path
    tutela: Path
    python: Path
    workdir: Path  # an empty folder outside any checkout


def _run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300, **kw)
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _checkout_files() -> list[str]:
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=False,
    )
    if proc.returncode != 0:
        pytest.skip("not a git checkout: cannot tell the project's files from generated ones")
    return [n for n in proc.stdout.decode().split("\0") if n and (ROOT / n).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for name in _checkout_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--quiet", "--wheel-dir", str(dist), str(src)])
    wheels = sorted(dist.glob("tutela-*.whl"))
    assert len(wheels) == 1, wheels

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; "
                         "print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "zz_tutela_test_deps.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", "--quiet", str(wheels[0])])
    workdir = base / "empty"
    workdir.mkdir()
    return Installed(src, wheels[0], venv, venv / "bin" / "tutela", python, workdir)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "TUTELA_PROJECT_ROOT", "TUTELA_HOME", "VIRTUAL_ENV",
                        "PYTHONPATH")}
    env.update(NO_COLOR="1", COLUMNS="200", **extra)
    return env


def _tutela(inst: Installed, *args: str, url: str | None = None,
            ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = _env(DATABASE_URL=url) if url else _env()
    proc = subprocess.run([str(inst.tutela), *args], cwd=inst.workdir, env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    if ok:
        assert proc.returncode == 0, f"tutela {' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _files(folder: Path, what: str) -> set[str]:
    top = folder / what
    if top.is_file():
        return {what}
    return {str(p.relative_to(folder)) for p in top.rglob("*") if p.is_file()}


def _version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def _head() -> str:
    return max(p.name[:4] for p in (ROOT / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))


def test_the_wheel_carries_the_project(installed: Installed) -> None:
    """project_root() outside a checkout is the copy inside the installed package, and that
    copy holds every file of the project's folders."""
    proc = _run([str(installed.python), "-c",
                 "import py_admin, py_admin.paths as p; print(py_admin.__file__); "
                 "print(p.project_root())"], cwd=installed.workdir, env=_env())
    module, root = (Path(line) for line in proc.stdout.splitlines())
    assert module.is_relative_to(installed.venv)
    assert root == module.parent / "_project"
    for what in BUNDLED:
        expected = _files(installed.src, what)
        assert expected, what
        assert _files(root, what) == expected, what
    assert (root / "migrations" / "baseline").is_dir()
    assert (root / "supabase" / "config.toml").is_file()


def test_commands_from_an_empty_folder(installed: Installed, empty_db: str) -> None:
    version, head = _version(), _head()

    # before Tutela is installed: a message, not a traceback
    early = _tutela(installed, "jobs", "list", url=empty_db, ok=False)
    assert early.returncode == 1
    assert "Tutela is not installed in this database" in early.stderr

    migrated = _tutela(installed, "migrate", url=empty_db)
    baseline = next((ROOT / "migrations" / "baseline").glob("*.sql")).name
    assert f"applied [baseline] baseline/{baseline}" in migrated.stdout
    with connect(empty_db) as conn:
        recorded = {r[0] for r in conn.execute(
            "select name from tutela_private.tutela_migrations where kind = 'versioned'")}
        jobs = [r[0] for r in conn.execute("select name from tutela_private.jobs order by 1")]
    assert recorded == {p.name for p in (ROOT / "migrations").glob("*.sql")}
    assert "nothing to apply" in _tutela(installed, "migrate", url=empty_db).stdout

    status = json.loads(_tutela(installed, "status", "--json", url=empty_db).stdout)
    assert status["tutela"] == {"version": version, "schema": head}
    assert status["database"] == {"version": version, "schema": head,
                                  "source": "tutela_private.tutela_migrations",
                                  "state": "current"}
    states = {f["name"]: f["state"] for f in status["files"]}
    assert set(states.values()) == {"applied"}
    assert f"baseline/{baseline}" in states and f"{head}_" in " ".join(states)
    text = _tutela(installed, "status", url=empty_db).stdout
    assert f"database: Tutela {version} (schema {head}, from tutela_private" in text

    seeded = _tutela(installed, "seed", "demo", url=empty_db)
    assert "seeded demo data" in seeded.stdout
    emails = sorted(email for _, email, _, _ in PEOPLE)
    with connect(empty_db) as conn:
        found = sorted(str(r[0]) for r in conn.execute(
            "select u.email from auth.users as u join tutela.profiles as p on p.user_id = u.id "
            "where u.email = any(%s)", (emails,)))
    assert found == emails

    listed = json.loads(_tutela(installed, "jobs", "list", "--json", url=empty_db).stdout)
    assert jobs and [j["name"] for j in listed] == jobs
    table = _tutela(installed, "jobs", "list", url=empty_db).stdout
    assert all(name in table for name in jobs)


def test_tutela_test_runs_the_bundled_suite(installed: Installed, server_url: str) -> None:
    """`tutela test` on the suite the wheel carries (a part of it: the whole takes ~40 s),
    against a scratch database it makes on the server."""
    root = installed.venv.glob("lib/python*/site-packages/py_admin/_project")
    bundle = next(root)
    files = sorted(p for s in SUITE for p in (bundle / s).rglob("*.test.sql"))
    proc = _tutela(installed, "test", *(str(bundle / s) for s in SUITE), url=server_url)
    m = re.search(r"^(\d+) files, (\d+) assertions: (\d+) passed, (\d+) file\(s\) failed$",
                  proc.stdout, re.MULTILINE)
    assert m, proc.stdout
    n_files, total, passed, failed = map(int, m.groups())
    assert (n_files, failed) == (len(files), 0)
    assert total == passed and total >= len(files)
    assert proc.stdout.count("\nok ") + proc.stdout.startswith("ok ") == len(files)


def test_version_and_completion_installed(installed: Installed) -> None:
    assert _tutela(installed, "--version").stdout == f"tutela {_version()} (schema {_head()})\n"
    script = _tutela(installed, "--show-completion", "bash").stdout
    assert "_tutela_completion" in script and "complete " in script


def test_render_and_lint_the_bundled_sources(installed: Installed, server_url: str) -> None:
    """The registry renders to the files the wheel carries; the catalog checks and the privilege
    matrix pass on a database migrated from them (ruff and mypy: no Python sources to check)."""
    rendered = _tutela(installed, "policies", "render", "--check")
    assert "is up to date" in rendered.stdout
    lint = _tutela(installed, "lint", "--no-sqlfluff", url=server_url)
    assert "catalog checks: 0 violation(s)" in lint.stdout
    assert "is not a checkout: no Python sources" in lint.stdout
    assert lint.stdout.rstrip().endswith("lint: clean")
    matrix = _tutela(installed, "lint", "--matrix", url=server_url)
    assert re.search(r"\d+ tables x \d+ actors x \d+ commands: \d+ probes, 0 problem\(s\)",
                     matrix.stdout), matrix.stdout


def test_the_embedded_cluster_lives_in_the_users_data_folder(installed: Installed,
                                                             tmp_path: Path) -> None:
    """Installed from a wheel, outside a checkout: `tutela db ...` keeps its cluster in
    $XDG_DATA_HOME/tutela, never inside site-packages."""
    data = tmp_path / "xdg"
    env = _env(XDG_DATA_HOME=str(data))
    proc = subprocess.run([str(installed.tutela), "db", "status", "--json"],
                          cwd=installed.workdir, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # not running: nothing started
    info = json.loads(proc.stdout)
    assert info["running"] is False
    assert (data / "tutela").is_dir()
    site = Path(_run([str(installed.python), "-c",
                      "import py_admin.paths as p; print(p.BUNDLED_ROOT)"]).stdout.strip())
    assert not (site / ".tutela").exists()
    assert not (site.parent / ".tutela").exists()
