"""Rewrite the README's sample of ``rig test --sim`` from a real run of the built-in scenario.

    .venv/bin/python docs/make_readme_sample.py

The README shows a few of the twelve cameras (the ones it already shows, by serial); ``tests/test_readme_commands.py``
fails when the sample is no longer what the command prints, and names this script.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## What `rig test --sim` shows"
SERIAL = re.compile(r"\b(?:G8T1|MINI)-\d{4}\b")


def main() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("```\n", text.index(SECTION))
    end = text.index("```\n", start + 4)
    old = text[start + 4 : end].splitlines()
    shown = {m.group(0) for line in old for m in [SERIAL.search(line)] if m}
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [sys.executable, "-m", "rig", "test", "--sim"], cwd=folder, capture_output=True, text=True, check=True
        )
    lines = [line for line in run.stderr.splitlines() if (m := SERIAL.search(line)) and m.group(0) in shown]
    table = [line.rstrip() for line in run.stdout.splitlines()]
    body = [table[0], *table[1:3]] + [line for line in table[3:-2] if SERIAL.match(line)[0] in shown]
    new = [*lines, "...", *body, *[line.rstrip() for line in table[-2:]]]
    README.write_text(text[: start + 4] + "\n".join(new) + "\n" + text[end:], encoding="utf-8")
    print(f"README sample: {len(lines)} progress lines, {len(body) - 3} table rows")


if __name__ == "__main__":
    main()
