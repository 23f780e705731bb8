"""Locate the PostgreSQL server binaries of this machine (standard library only)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MIN_MAJOR = 15
SERVER_TOOLS = ("initdb", "pg_ctl", "postgres")
DEBIAN_ROOT = Path("/usr/lib/postgresql")


@dataclass(frozen=True)
class PgInstall:
    """A PostgreSQL server installation: its bin directory, major version and share dir."""

    bindir: Path
    major: int
    sharedir: Path

    def tool(self, name: str) -> str:
        path = self.bindir / name
        if path.exists():
            return str(path)
        found = shutil.which(name)
        if found is None:
            raise FileNotFoundError(f"{name} not found in {self.bindir} or on PATH")
        return found

    @property
    def has_pgtap(self) -> bool:
        return (self.sharedir / "extension" / "pgtap.control").exists()

    @property
    def has_pg_cron(self) -> bool:
        """pg_cron's extension and its library (loaded at server start) are both there."""
        return (self.sharedir / "extension" / "pg_cron.control").exists() and (
            self.pkglibdir / "pg_cron.so"
        ).exists()

    @property
    def pkglibdir(self) -> Path:
        """Where the server's loadable libraries live (pg_config --pkglibdir)."""
        return _pkglibdir_of(self.bindir, self.major)


def _has_server_tools(bindir: Path) -> bool:
    return all((bindir / t).exists() for t in SERVER_TOOLS)


def _major_of(bindir: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else None


def _sharedir_of(bindir: Path, major: int) -> Path:
    own = bindir / "pg_config"
    candidates = [str(own)] if own.exists() else []
    candidates.append("pg_config")
    for exe in candidates:
        try:
            out = subprocess.run(
                [exe, "--sharedir", "--version"], capture_output=True, text=True, check=True
            ).stdout.splitlines()
        except (OSError, subprocess.CalledProcessError):
            continue
        if len(out) == 2 and re.search(rf"\b{major}(\.|\b)", out[1]):
            return Path(out[0].strip())
    return Path(f"/usr/share/postgresql/{major}")


def _pkglibdir_of(bindir: Path, major: int) -> Path:
    own = bindir / "pg_config"
    candidates = [str(own)] if own.exists() else []
    candidates.append("pg_config")
    for exe in candidates:
        try:
            out = subprocess.run(
                [exe, "--pkglibdir", "--version"], capture_output=True, text=True, check=True
            ).stdout.splitlines()
        except (OSError, subprocess.CalledProcessError):
            continue
        if len(out) == 2 and re.search(rf"\b{major}(\.|\b)", out[1]):
            return Path(out[0].strip())
    return bindir.parent / "lib"


def candidate_bindirs() -> list[Path]:
    """Where a server may live, in order of preference."""
    found: list[Path] = []
    env = os.environ.get("TUTELA_PG_BINDIR")
    if env:
        found.append(Path(env))
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            found.append(Path(out))
        except (OSError, subprocess.CalledProcessError):
            pass
    if DEBIAN_ROOT.is_dir():
        majors = sorted(
            (p for p in DEBIAN_ROOT.iterdir() if p.name.isdigit()),
            key=lambda p: int(p.name),
            reverse=True,
        )
        found.extend(p / "bin" for p in majors)
    which = shutil.which("initdb")
    if which:
        found.append(Path(os.path.realpath(which)).parent)
    return found


def find_install() -> PgInstall | None:
    """The preferred server installation of version >= MIN_MAJOR, or None."""
    seen: set[Path] = set()
    for bindir in candidate_bindirs():
        if bindir in seen or not _has_server_tools(bindir):
            continue
        seen.add(bindir)
        major = _major_of(bindir)
        if major is None or major < MIN_MAJOR:
            continue
        return PgInstall(bindir=bindir, major=major, sharedir=_sharedir_of(bindir, major))
    return None
