"""Install what Tutela needs from the operating system (standard library only).

Run as ``python3 -m py_admin.sysdeps`` (``make setup`` does). On Debian/Ubuntu it installs
what is missing with apt-get (as root, or through sudo): the venv module, a PostgreSQL
server (>= 15), pgTAP and pg_cron for that server. Elsewhere it names what to install and exits
1 (pg_cron: it names it and goes on; the cluster then runs without it and the pg_cron tests
are skipped).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import NoReturn

from py_admin.pgbin import MIN_MAJOR, PgInstall, find_install

_updated = False


def _say(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def _apt_prefix() -> list[str] | None:
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        return ["sudo", "-n"]
    return None


def _apt_install(packages: list[str], why: str) -> None:
    global _updated
    prefix = _apt_prefix()
    if prefix is None:
        _fail(
            f"{why}: please install {' '.join(packages)} (or the equivalent for your system); "
            "automatic installation needs apt-get and root or sudo."
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _updated:
        _say("apt-get update")
        subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
        _updated = True
    _say(f"apt-get install {' '.join(packages)}  ({why})")
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


def _fail(msg: str) -> NoReturn:
    print(f"[setup] error: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def ensure_venv_module() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import ensurepip, venv"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        _apt_install(["python3-venv"], "Python's venv module is missing")


def ensure_postgres() -> PgInstall:
    install = find_install()
    if install is None:
        _apt_install(["postgresql", "postgresql-contrib"], f"no PostgreSQL >= {MIN_MAJOR} server")
        install = find_install()
        if install is None:
            _fail(f"PostgreSQL >= {MIN_MAJOR} still not found after installing it")
    assert install is not None
    if not install.has_pgtap:
        _apt_install([f"postgresql-{install.major}-pgtap"], "pgTAP is missing")
        install = find_install()
        if install is None or not install.has_pgtap:
            _fail(f"pgTAP not found for PostgreSQL {install.major if install else '?'}")
    assert install is not None
    return install


def ensure_pg_cron(install: PgInstall) -> bool:
    """pg_cron for the server found: the clusters preload it and the tests check that Tutela's
    jobs and an app's of the same names stay apart. Without apt-get it says what to install and
    goes on (the harness works without it; the pg_cron tests are skipped)."""
    if install.has_pg_cron:
        return True
    package = f"postgresql-{install.major}-cron"
    if _apt_prefix() is None:
        _say(
            f"warning: pg_cron is missing for PostgreSQL {install.major} "
            f"({install.sharedir / 'extension' / 'pg_cron.control'} or "
            f"{install.pkglibdir / 'pg_cron.so'} not found): install {package} (or the "
            "equivalent for your system) and restart the cluster (`tutela db stop && tutela "
            "db start`); until then the pg_cron tests are skipped"
        )
        return False
    _apt_install([package], "pg_cron is missing")
    if not install.has_pg_cron:
        _fail(f"pg_cron not found for PostgreSQL {install.major} after installing {package}")
    return True


def ensure_pg_prove() -> None:
    """pg_prove runs the pgTAP files the way `supabase test db` does (a compatibility test)."""
    if shutil.which("pg_prove") is None:
        _apt_install(["libtap-parser-sourcehandler-pgtap-perl"], "pg_prove is missing")


def ensure_report_renderer() -> None:
    """WeasyPrint (a Python dependency) prints reports to PDF with pango from the system;
    pdftoppm (poppler-utils) turns a PDF page into an image in the report tests."""
    import ctypes.util

    missing = [
        pkg for pkg, lib in (("libpango-1.0-0", "pango-1.0"), ("libpangoft2-1.0-0", "pangoft2-1.0"))
        if ctypes.util.find_library(lib) is None
    ]
    if shutil.which("pdftoppm") is None:
        missing.append("poppler-utils")
    if missing:
        _apt_install(missing, "the PDF report renderer (WeasyPrint) and its test need them")


def ensure_node() -> None:
    """npm installs the pinned Supabase CLI (package-lock.json), which the tests use to push
    Tutela's supabase/ project the way an app's developer does."""
    if shutil.which("npm") is None:
        _apt_install(["nodejs", "npm"], "npm installs the Supabase CLI the tests push with")


def main() -> None:
    try:
        ensure_venv_module()
        install = ensure_postgres()
        cron = ensure_pg_cron(install)
        ensure_pg_prove()
        ensure_report_renderer()
        ensure_node()
    except subprocess.CalledProcessError as exc:
        _fail(f"{' '.join(map(str, exc.cmd))} failed with exit code {exc.returncode}")
    _say(f"PostgreSQL {install.major} at {install.bindir}, pgTAP present, "
         f"pg_cron {'present' if cron else 'missing'}")


if __name__ == "__main__":
    main()
