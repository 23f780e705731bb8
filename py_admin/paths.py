"""Where the project's folders are."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SQL_DIR = PACKAGE_DIR / "sql"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
# an installed wheel's copy of the project's migrations/, rpc/, policies/, seeds/, tests/sql/,
# tests/privilege_matrix.toml and supabase/ (pyproject.toml: the package py_admin._project)
BUNDLED_ROOT = PACKAGE_DIR / "_project"


def is_checkout(folder: Path) -> bool:
    """A Tutela project folder: it holds ``migrations/`` and the ``pyproject.toml`` of the
    project named tutela (an app's own ``migrations/`` and ``pyproject.toml`` are not one)."""
    import tomllib

    if not (folder / "migrations").is_dir():
        return False
    try:
        with (folder / "pyproject.toml").open("rb") as f:
            name = tomllib.load(f).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return bool(name == "tutela")


def project_root() -> Path:
    """The Tutela project folder: $TUTELA_PROJECT_ROOT, else the nearest parent of the current
    directory that is a Tutela checkout (``is_checkout``), else the checkout this package runs
    from (an editable install), else the copy an installed wheel carries."""
    env = os.environ.get("TUTELA_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for d in (here, *here.parents):
        if is_checkout(d):
            return d
    checkout = PACKAGE_DIR.parent
    if is_checkout(checkout) or not (BUNDLED_ROOT / "migrations").is_dir():
        return checkout
    return BUNDLED_ROOT
