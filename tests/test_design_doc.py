"""The repository stands alone: its design document is in it, nothing cites a document outside it, and the
layers import only what docs/DESIGN.md allows them."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "DESIGN.md"


def _tracked_text_files() -> list[Path]:
    try:
        names = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):   # an exported tree without git: walk it
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts]
    files = []
    for name in names:
        path = ROOT / name
        if path.suffix in {".py", ".md", ".toml", ".txt", ".yml", ".yaml", ".cfg", ".csv", ".html", ".sh"}:
            files.append(path)
    return files


OUTSIDE = re.compile(r"/work/|\bshared/|\bseed/0|(?<![\w/])(?<!docs/)DESIGN\.md")


def test_the_design_document_is_in_the_repository_and_covers_the_contracts() -> None:
    text = DESIGN.read_text(encoding="utf-8")
    for section in ("## Layers", "## Data flow", "### Results CSV", "### LED trace CSV", "### Scenario TOML",
                    "### JSON record", "## Camera models", "## Fixes", "## Outputs"):
        assert section in text, section


def test_no_file_cites_a_document_outside_the_repository() -> None:
    offenders = []
    for path in _tracked_text_files():
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line.replace("docs/DESIGN.md", "")) and path.name != "DESIGN.md":
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []


def test_markdown_links_stay_inside_the_repository() -> None:
    link = re.compile(r"\]\(([^)#\s]+)")
    for path in _tracked_text_files():
        if path.suffix != ".md":
            continue
        for target in link.findall(path.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            resolved = (path.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{path.relative_to(ROOT)} links outside: {target}"
            assert resolved.exists(), f"{path.relative_to(ROOT)} links to a missing file: {target}"


ALLOWED = {
    "led": set(),
    "core": {"led", "hardware"},
    "hardware": {"core", "led"},
    "output": {"core", "led"},
    "procedure": {"core", "hardware", "led", "output", "ui"},
    "report": {"core", "led", "output", "procedure"},
    "ui": {"core", "procedure"},
}


def _module_level_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_layers_import_only_what_the_design_allows() -> None:
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in (ROOT / "rig" / layer).rglob("*.py"):
            for module in _module_level_imports(path):
                parts = module.split(".")
                outside = parts[0] == "rig" and len(parts) > 1 and parts[1] not in allowed | {layer}
                if parts[0] == "firmware_sim" or outside:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_only_rig_sim_imports_the_simulator() -> None:
    users = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "rig").rglob("*.py")
        if any(m.split(".")[0] == "firmware_sim" for m in _module_level_imports(path))
    ]
    assert users == ["rig/sim.py"]
