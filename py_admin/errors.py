"""The one domain exception of the admin layer."""

from __future__ import annotations


class TutelaError(Exception):
    """A failure the user can act on: shown as a clear message, exit code 1, no traceback."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"
