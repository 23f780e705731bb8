"""`tutela init`: expose Tutela's API schema in an app's Supabase project (``config.toml``).

Only one thing changes: the array ``[api] schemas`` gets ``"tutela"``. The rest of the file stays
byte for byte (comments, order, spacing, other tables). The file is read with ``tomllib`` to
validate it, edited as text at the one place, and the result is parsed again: unless it equals
the original with ``"tutela"`` added to that one array, nothing is written.

- ``schemas`` present: ``"tutela"`` is appended inside the array (one line, or a line of its own
  in a multi-line array, with the indentation and trailing-comma style of the last element).
- ``schemas`` missing under ``[api]``: added right after the ``[api]`` line with Supabase's
  default (``"public", "graphql_public"``) and ``"tutela"``, so what was exposed stays exposed.
- ``[api]`` missing (or only implied by ``[api.tls]``): an ``[api]`` table with that ``schemas``
  line is appended to the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from py_admin.errors import TutelaError

API_SCHEMA = "tutela"
# what Supabase exposes when config.toml names no schemas (and what `supabase init` writes)
SUPABASE_DEFAULT_SCHEMAS = ("public", "graphql_public")
SCHEMAS_COMMENT = (
    "# Schemas the Data API exposes. \"tutela\" is Tutela's API (added by `tutela init`)."
)

_API_HEADER = re.compile(
    r"""^[ \t]*\[[ \t]*(?:api|"api"|'api')[ \t]*\][ \t]*(?:#[^\r\n]*)?(?=\r?$)""", re.M
)
_ANY_HEADER = re.compile(r"^[ \t]*\[", re.M)
_SCHEMAS_KEY = re.compile(r"""^[ \t]*(?:schemas|"schemas"|'schemas')[ \t]*=[ \t]*""", re.M)


@dataclass(frozen=True)
class InitResult:
    path: Path
    changed: bool
    before: str  # the lines that changed, as they were ("" when added)
    after: str  # the same lines now
    schemas: list[str]  # [api] schemas after the change


def add_api_schema(
    supabase_dir: Path, schema: str = API_SCHEMA, *, write: bool = True
) -> InitResult:
    """Add ``schema`` to ``[api] schemas`` of ``<supabase_dir>/config.toml``; see the module.
    With ``write=False`` only the result is computed (checked the same way), nothing written."""
    path = supabase_dir / "config.toml"
    if not path.is_file():
        raise TutelaError(
            f"no config.toml in {supabase_dir}",
            hint="run it in the app's folder that holds supabase/ (made by `supabase init`), or "
            "pass --supabase-dir PATH to the folder holding config.toml",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TutelaError(f"cannot read {path}: {exc.strerror}; nothing was changed") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TutelaError(f"{path} is not UTF-8 text; nothing was changed") from None
    data = _parse(text, path)
    api = data.get("api")
    if api is not None and not isinstance(api, dict):
        raise TutelaError(f"{path}: `api` is not a table; nothing was changed",
                          hint="Supabase expects an [api] table; fix the file, then run again")
    current = None if api is None else api.get("schemas")
    if current is not None and not (
        isinstance(current, list) and all(isinstance(s, str) for s in current)
    ):
        raise TutelaError(f"{path}: [api] schemas is not a list of names; nothing was changed",
                          hint='write it as schemas = ["public", "graphql_public"]')
    if current is not None and schema in current:
        return InitResult(path, False, "", "", list(current))

    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        if api is None or (current is None and _API_HEADER.search(text) is None):
            # no [api] table, or one made implicitly by [api.tls]: an [api] table of its own
            new_text, before, after = _append_api_table(text, schema, newline)
            expected_schemas = [*SUPABASE_DEFAULT_SCHEMAS, schema]
        elif current is None:
            new_text, before, after = _add_schemas_key(text, schema, newline)
            expected_schemas = [*SUPABASE_DEFAULT_SCHEMAS, schema]
        else:
            new_text, before, after = _extend_array(text, schema, newline)
            expected_schemas = [*current, schema]
    except TutelaError as exc:
        raise TutelaError(f"{path}: {exc.message}", hint=exc.hint) from None

    expected: dict[str, Any] = dict(data)
    expected["api"] = {**(api or {}), "schemas": expected_schemas}
    try:
        ok = tomllib.loads(new_text) == expected
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise TutelaError(
            f"{path}: could not add {schema!r} to [api] schemas without touching the rest of "
            "the file; nothing was changed",
            hint=f'add "{schema}" to the schemas array under [api] by hand',
        )
    if write:
        try:
            path.write_bytes(new_text.encode("utf-8"))
        except OSError as exc:
            raise TutelaError(f"cannot write {path}: {exc.strerror}") from None
    return InitResult(path, True, before, after, expected_schemas)


def confirms_emails(supabase_dir: Path) -> bool:
    """Whether config.toml turns on ``[auth.email] enable_confirmations`` (off when absent, as
    in Supabase's own default). Tutela's invites need it (docs/security.md)."""
    path = supabase_dir / "config.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # add_api_schema reports an unreadable file; nothing to warn about here
    auth = data.get("auth")
    email = auth.get("email") if isinstance(auth, dict) else None
    return isinstance(email, dict) and email.get("enable_confirmations") is True


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TutelaError(
            f"{path} is not valid TOML: {exc}; nothing was changed",
            hint="fix the file (`supabase start` reads it too), then run `tutela init` again",
        ) from None


def _schemas_line(schema: str) -> str:
    names = ", ".join(f'"{s}"' for s in (*SUPABASE_DEFAULT_SCHEMAS, schema))
    return f"schemas = [{names}]"


def _append_api_table(text: str, schema: str, nl: str) -> tuple[str, str, str]:
    block = f"[api]{nl}{SCHEMAS_COMMENT}{nl}{_schemas_line(schema)}{nl}"
    if text.strip() == "" or text.endswith(nl + nl):
        sep = ""
    elif text.endswith("\n"):
        sep = nl  # one blank line before the new table
    else:
        sep = nl + nl
    return text + sep + block, "", block.rstrip("\r\n")


def _api_section(text: str) -> tuple[int, int]:
    """(start, end) of the [api] table's body: after its header line, up to the next header."""
    m = _API_HEADER.search(text)
    if m is None:
        raise _not_found()
    start = m.end()
    nxt = _ANY_HEADER.search(text, start + 1)
    return start, (nxt.start() if nxt else len(text))


def _add_schemas_key(text: str, schema: str, nl: str) -> tuple[str, str, str]:
    start, _ = _api_section(text)
    insert = f"{nl}{SCHEMAS_COMMENT}{nl}{_schemas_line(schema)}"
    if start == len(text):  # [api] is the last line, without a newline
        return text + insert + nl, "", insert.strip("\r\n")
    return text[:start] + insert + text[start:], "", insert.strip("\r\n")


def _extend_array(text: str, schema: str, nl: str) -> tuple[str, str, str]:
    start, end = _api_section(text)
    key = _SCHEMAS_KEY.search(text, start, end)
    if key is None or key.end() >= len(text) or text[key.end()] != "[":
        raise _not_found()
    open_at = key.end()
    close_at, last_value_end = _scan_array(text, open_at)
    line_start = text.rfind("\n", 0, key.start()) + 1
    line_end = text.find("\n", close_at)
    line_end = len(text) if line_end == -1 else line_end
    before = text[line_start:line_end].rstrip("\r")
    item = f'"{schema}"'

    if last_value_end is None:  # an empty array
        new = text[: open_at + 1] + item + text[open_at + 1:]
    elif "\n" not in text[open_at:close_at]:  # on one line
        new = text[:last_value_end] + ", " + item + text[last_value_end:]
    else:
        new = _extend_multiline(text, item, open_at, last_value_end, close_at, nl)
    new_line_end = new.find("\n", close_at + (len(new) - len(text)))
    new_line_end = len(new) if new_line_end == -1 else new_line_end
    after = new[line_start:new_line_end].rstrip("\r")
    return new, before, after


def _extend_multiline(
    text: str, item: str, open_at: int, last_end: int, close_at: int, nl: str
) -> str:
    """Add ``item`` on a line of its own after the array's last element."""
    elem_line_start = text.rfind("\n", 0, last_end) + 1
    elem_line_end = text.find("\n", last_end)
    if elem_line_end == -1 or elem_line_end > close_at:
        # the closing bracket shares the last element's line: stay on that line
        return text[:last_end] + ", " + item + text[last_end:]
    head = text[elem_line_start:last_end]
    indent = head[: len(head) - len(head.lstrip(" \t"))]
    if open_at >= elem_line_start:  # the last element shares the opening bracket's line
        indent = "  "
    rest = text[last_end:elem_line_end]
    has_comma = rest.lstrip(" \t").startswith(",")
    cr = "\r" if text[elem_line_end - 1: elem_line_end] == "\r" else ""
    line_end = elem_line_end - len(cr)
    if has_comma:
        return text[:line_end] + nl + indent + item + "," + text[line_end:]
    return (text[:last_end] + "," + text[last_end:line_end] + nl + indent + item
            + text[line_end:])


def _scan_array(text: str, open_at: int) -> tuple[int, int | None]:
    """Index of the ``]`` closing the array opened at ``open_at``, and the end of its last value
    (None for an empty array). Knows TOML strings (basic, literal, multi-line) and comments."""
    i = open_at + 1
    depth = 1
    last_end: int | None = None
    n = len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j == -1 else j
            continue
        if c in "\"'":
            i = _string_end(text, i)
            if depth == 1:
                last_end = i
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i, last_end
            if depth == 1:
                last_end = i + 1
        elif depth == 1 and c not in " \t\r\n,":
            # a bare value (number, boolean): not a schema name; the re-parse check refuses it
            j = i
            while j < n and text[j] not in " \t\r\n,]#":
                j += 1
            last_end = j
            i = j
            continue
        i += 1
    raise _not_found()


def _string_end(text: str, i: int) -> int:
    q = text[i]
    if text.startswith(q * 3, i):
        end = text.find(q * 3, i + 3)
        if end == -1:
            raise _not_found()
        end += 3
        while text.startswith(q, end):  # up to two quotes may close a multi-line string
            end += 1
        return end
    j = i + 1
    while j < len(text):
        if q == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == q:
            return j + 1
        j += 1
    raise _not_found()


def _not_found() -> TutelaError:
    return TutelaError(
        "could not find the schemas array under [api]; nothing was changed",
        hint=f'add "{API_SCHEMA}" to the schemas array under [api] by hand',
    )
