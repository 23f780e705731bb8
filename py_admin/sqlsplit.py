"""Split a SQL script into statements, keeping the line each one starts on.

Knows what PostgreSQL's lexer knows about where a `;` does not end a statement: quoted
strings ('...', E'...' with backslash escapes), quoted identifiers, dollar-quoted bodies
($tag$...$tag$), line comments and nested block comments.
"""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")


def split_statements(text: str) -> list[tuple[int, str]]:
    """[(line number of the statement's first character, statement text without `;`)]."""
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    start = 0
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            j = text.find("\n", i)
            i = n if j == -1 else j + 1
        elif ch == "/" and nxt == "*":
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif ch == "'":
            escapes = i > 0 and text[i - 1] in "eE" and (i < 2 or not text[i - 2].isalnum())
            i += 1
            while i < n:
                if escapes and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == "'":
                    if i + 1 < n and text[i + 1] == "'":
                        i += 2
                        continue
                    break
                i += 1
            i += 1
        elif ch == '"':
            j = i + 1
            while True:
                j = text.find('"', j)
                if j == -1 or j + 1 >= n or text[j + 1] != '"':
                    break
                j += 2
            i = n if j == -1 else j + 1
        elif ch == "$" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = _DOLLAR_TAG.match(text, i)
            if m:
                end = text.find(m.group(0), m.end())
                i = n if end == -1 else end + len(m.group(0))
            else:
                i += 1
        elif ch == ";":
            _emit(text, start, i, out)
            start = i + 1
            i += 1
        else:
            i += 1
    _emit(text, start, n, out)
    return out


def _emit(text: str, start: int, end: int, out: list[tuple[int, str]]) -> None:
    chunk = text[start:end]
    body = _strip_comments_only(chunk)
    if not body:
        return
    lead = _LEADING.match(chunk)
    skip = lead.end() if lead else 0
    out.append((text.count("\n", 0, start + skip) + 1, chunk[skip:].rstrip()))


_LEADING = re.compile(r"(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)


def _strip_comments_only(chunk: str) -> str:
    """The chunk without leading/trailing blanks, or '' if it is only comments and blanks."""
    stripped = re.sub(r"--[^\n]*", "", chunk)
    stripped = re.sub(r"/\*.*?\*/", "", stripped, flags=re.S)
    return stripped.strip()
