"""Reading a technician's text file (config, scenario) so that every failure is one printable line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def printable(text: str) -> str:
    """Text from a file as it may appear in a one-line message: line breaks and other controls escaped (a
    TOML key may be any quoted string, ``"a\\nb" = 1`` included)."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def read_text_file(path: str | Path, what: str, error: type[Exception]) -> str:
    """The file's text, or ``error("PATH: cannot read the WHAT: why")`` in one line."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{printable(str(path))}: cannot read the {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise error(f"{printable(str(path))}: not a UTF-8 text file") from None


MAX_TEXT_CHARS = 1_000_000   # a config or scenario is a few kilobytes; anything this big is not one
MAX_DEPTH = 8                # tables in arrays in tables...: our deepest real nesting is 3
MAX_STRING_CHARS = 1024      # a host name, a path, a serial: never longer


def parse_toml(text: str, source: str, error: type[Exception]) -> dict[str, Any]:
    """TOML text to data, guarded so that nothing a file holds can crash or stall the parser or what reads it
    after: size, nesting depth (tomllib recurses), string length and NUL bytes are refused in one line that
    names the file and the key."""
    shown = printable(source)
    if len(text) > MAX_TEXT_CHARS:
        raise error(f"{shown}: too large ({len(text):,} characters; at most {MAX_TEXT_CHARS:,})")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{shown}: not valid TOML: {printable(str(exc))}") from None
    except RecursionError:
        raise error(f"{shown}: nested too deeply (at most {MAX_DEPTH} levels of tables and arrays)") from None
    problem = _first_unsafe_value(data)
    if problem is not None:
        raise error(f"{shown}: {problem}")
    return data


def _first_unsafe_value(data: dict[str, Any]) -> str | None:
    """The first key (dotted) whose value is nested too deeply, too long, or holds a NUL byte; walked without
    recursion so that a deep value cannot crash the check itself."""
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        where, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"{where}: nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            for key, item in value.items():
                key_where = f"{where}.{printable(key)[:60]}" if where else printable(key)[:60]
                if len(key) > MAX_STRING_CHARS or "\0" in key:
                    return f"{key_where}: key too long or holding a NUL byte"
                stack.append((key_where, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{where}[{index}]", item, depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str):
            if "\0" in value:
                return f"{where}: contains a NUL byte"
            if len(value) > MAX_STRING_CHARS:
                return f"{where}: text too long ({len(value):,} characters; at most {MAX_STRING_CHARS:,})"
    return None
