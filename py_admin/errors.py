"""The one domain exception of the admin layer, and the registry of SQLSTATEs in docs/errors.md."""

from __future__ import annotations

import re
from pathlib import Path


class TutelaError(Exception):
    """A failure the user can act on: shown as a clear message, exit code 1, no traceback."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"


def documented_sqlstates(root: Path) -> set[str]:
    """SQLSTATEs of the Codes table in docs/errors.md that a function call may raise. Class 23
    is documented for direct writes only ("the functions report these cases as TU409"), and
    classes 22 and 54 for a body the server cannot even convert into a function's argument
    (the payment callback's `\u0000` and deep nesting, before any function runs): a function
    that raises one of those has a bug, so they are left out."""
    text = (root / "docs" / "errors.md").read_text()
    section = text.split("## Codes", 1)[1].split("\n## ", 1)[0]
    codes = set(re.findall(r"^\| `([0-9A-Z]{5})` \|", section, re.M))
    return {c for c in codes if not c.startswith(("22", "23", "54"))}
