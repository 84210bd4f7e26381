"""One owner at a time: a second ``rig test`` on the same fixture, or on the same results file, is refused.

An OS file lock (``filelock``, i.e. ``flock``) rather than a PID file: the kernel releases it when the holder
dies, however it dies, so a crashed rig never leaves the fixture locked. Every failure says what actually
failed: a lock another process holds is not a lock file that cannot be created.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from rig.core.textfile import printable


class FixtureBusy(RuntimeError):
    """The lock cannot be taken; the message says whether another process holds it or why it cannot be made."""


def _why_not_creatable(path: Path) -> str | None:
    """Why the lock file cannot be opened for writing, or None if it can (then another process holds it)."""
    parent = path.parent
    if not parent.exists():
        return f"folder {printable(str(parent))} does not exist"
    if not parent.is_dir():
        return f"{printable(str(parent))} is not a folder"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    return None


@contextmanager
def exclusive_lock(path: str | Path, what: str, held_message: str) -> Iterator[None]:
    """Hold ``path`` exclusively for the block. ``held_message`` is what to say when another process holds it
    (it may use ``{path}``); any other failure says ``cannot take the WHAT lock PATH: reason``."""
    shown = printable(str(path))
    if "\0" in str(path):
        raise FixtureBusy(f"cannot take the {what} lock {shown}: the path contains a NUL byte")
    path = Path(path)
    # Checked first: filelock would create a missing folder, or report a file in the way as "File exists".
    if not path.parent.is_dir():
        raise FixtureBusy(f"cannot take the {what} lock {shown}: {_why_not_creatable(path)}")
    lock = FileLock(path, timeout=0, fallback_to_soft=False)
    try:
        lock.acquire()
    except Timeout:
        # filelock also times out when it may not create the file (permissions): tell the two apart.
        reason = _why_not_creatable(path)
        if reason is not None:
            raise FixtureBusy(f"cannot take the {what} lock {shown}: {reason}") from None
        raise FixtureBusy(held_message.format(path=shown)) from None
    except OSError as exc:
        raise FixtureBusy(f"cannot take the {what} lock {shown}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()


def fixture_lock(path: str | Path):
    """The fixture's lock (``[bench] lock_file``): one rig per fixture."""
    return exclusive_lock(
        path, "fixture", "another rig is already using this fixture (lock {path} is held): wait for it or stop it"
    )


def results_lock_path(results: str | Path) -> Path:
    """The lock beside a results file: two runs appending to one file would interleave their rows."""
    results = Path(results)
    return results.with_name(f".{results.name}.lock")


def results_lock(results: str | Path):
    """One writer per results file, simulated runs included."""
    shown = printable(str(results)).replace("{", "{{").replace("}", "}}")
    return exclusive_lock(
        results_lock_path(results),
        "results file",
        f"another rig run is writing {shown} (lock {{path}} is held): wait for it or name another --csv file",
    )
