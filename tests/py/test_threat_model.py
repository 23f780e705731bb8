"""docs/security.md maps every threat to a test, and every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REF_RE = re.compile(r"`((?:py|sql)/[^`]+)`")


def threat_rows() -> list[str]:
    text = (ROOT / "docs" / "security.md").read_text()
    section = text.split("## Threats, controls and the tests that prove them", 1)[1]
    section = section.split("\n## ", 1)[0]
    return [line for line in section.splitlines() if re.match(r"^\| \d+ \|", line)]


def resolve(ref: str) -> bool:
    """Whether a reference names a real test: py/file.py::test_name, or sql/ files (a glob)."""
    if ref.startswith("py/"):
        path, _, name = ref.partition("::")
        file = ROOT / "tests" / path
        if not file.exists():
            return False
        pattern = rf"^def {re.escape(name)}\("
        return not name or re.search(pattern, file.read_text(), re.M) is not None
    return any((ROOT / "tests").glob(ref))


def test_every_threat_names_a_test() -> None:
    rows = threat_rows()
    assert len(rows) >= 25
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4, row
        refs = REF_RE.findall(cells[3])
        assert refs, f"threat {cells[0]} names no test"


def test_every_named_test_exists() -> None:
    missing = [ref for row in threat_rows() for ref in REF_RE.findall(row.split("|")[4])
               if not resolve(ref)]
    assert missing == []


def test_a_wrong_reference_is_caught() -> None:
    assert not resolve("py/test_secrets.py::test_that_does_not_exist")
    assert not resolve("sql/guardianship/999_nothing.test.sql")
    assert resolve("py/test_secrets.py::test_malformed_guesses_count_too")
