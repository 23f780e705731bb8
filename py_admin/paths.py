"""Where the project's folders are."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The Tutela project folder: $TUTELA_PROJECT_ROOT, else the nearest parent of the current
    directory holding ``migrations/`` and ``pyproject.toml``, else the checkout of this package."""
    env = os.environ.get("TUTELA_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for d in (here, *here.parents):
        if (d / "migrations").is_dir() and (d / "pyproject.toml").is_file():
            return d
    return Path(__file__).resolve().parent.parent


PACKAGE_DIR = Path(__file__).resolve().parent
SQL_DIR = PACKAGE_DIR / "sql"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
