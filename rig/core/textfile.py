"""Reading a technician's text file (config, scenario) so that every failure is one printable line."""

from __future__ import annotations

from pathlib import Path


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
