"""Named data sets under seeds/: `tutela seed demo`."""

from __future__ import annotations

from pathlib import Path

from py_admin.db import connect
from py_admin.errors import TutelaError
from py_admin.paths import project_root
from py_admin.sqlsplit import split_statements


def seed_files(name: str, root: Path | None = None) -> list[Path]:
    folder = (root or project_root()) / "seeds" / name
    files = sorted(folder.glob("*.sql"))
    if not files:
        raise TutelaError(f"no seed files in seeds/{name}/")
    return files


def apply_seed(url: str, name: str, root: Path | None = None) -> list[str]:
    """Apply seeds/<name>/*.sql in name order, in one transaction. Returns the files applied."""
    files = seed_files(name, root)
    with connect(url) as conn:
        for path in files:
            for line, statement in split_statements(path.read_text()):
                try:
                    conn.execute(statement.encode())
                except Exception as exc:
                    conn.rollback()
                    raise TutelaError(
                        f"seeds/{name}/{path.name}:{line}: {str(exc).strip()}; nothing was seeded",
                        hint="run `tutela migrate` first",
                    ) from None
        conn.commit()
    return [p.name for p in files]
