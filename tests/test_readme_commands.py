"""The README's commands are a test: every command in a ``sh`` block of README.md runs here (with ``--sim``
where the fixture's hardware is needed), or is named in ``NOT_RUN`` with why, and then checked for what can be
checked off the Pi (known subcommand, known options, extras that exist). Inline ``rig ...`` spans in the prose
and the command table may name only options the command has: the first README said ``rig --config`` when only
``rig test --config`` existed.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rig.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`((?:\.venv/bin/)?rig [^`]*)`")
HARDWARE_COMMANDS = {"calibrate", "check", "record", "test"}


def readme_commands() -> list[str]:
    """Each simple command of the README's ``sh`` blocks (lines split on ``&&``), comments dropped."""
    commands = []
    for block in SH_BLOCK.findall(README):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            command: list[str] = []
            for word in [*words, "&&"]:
                if word == "&&":
                    if command:
                        commands.append(shlex.join(command))
                    command = []
                else:
                    command.append(word)
    return commands


def _extras() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])


def _check_apt(args: list[str]) -> None:
    assert args[0] in {"update", "install"}, args
    if args[0] == "install":
        assert "-y" in args and all(re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", p) for p in args if p != "-y"), args


RASPI_CONFIG = {
    ("nonint", "do_i2c", "0"),           # 0 = enable, in raspi-config's non-interactive mode
    ("nonint", "do_serial_cons", "1"),   # 1 = no console=serial0 on the kernel command line
    ("nonint", "do_serial_hw", "1"),     # 1 = UART off: Pi 4 enable_uart=0, Pi 5 no dtparam=uart0
}


def _check_raspi_config(args: list[str]) -> None:
    """Only the functions (and values) raspi-config's own source defines, as the README uses them."""
    assert tuple(args) in RASPI_CONFIG, args


def _check_usermod(args: list[str]) -> None:
    assert args[0] == "-aG" and set(args[1].split(",")) == {"gpio", "i2c", "dialout"} and args[2] == "$USER"


def _check_git_clone(args: list[str]) -> None:
    assert args[-1] == "blink-rig" and "repository" in " ".join(args)


def _check_venv(args: list[str]) -> None:
    usage = subprocess.run([sys.executable, "-m", "venv", "--help"], capture_output=True, text=True).stdout
    options = [a for a in args if a.startswith("-")]
    assert all(o in usage for o in options), options
    assert args[-1] == ".venv"


def _check_pip_install(args: list[str]) -> None:
    assert args[0] == "-e", args
    extras = re.fullmatch(r"\.(?:\[([a-z0-9,]+)\])?", args[1])
    assert extras, args
    assert set(filter(None, (extras.group(1) or "").split(","))) <= _extras(), args


def _is_this_suite(args: list[str]) -> None:
    assert args == ["pytest"], args


def _follows_clone(args: list[str]) -> None:
    assert args == ["blink-rig"]


# prefix -> (why it is not run here, what is checked instead)
NOT_RUN: dict[tuple[str, ...], tuple[str, Callable[[list[str]], None]]] = {
    ("sudo", "apt"): ("installs Debian packages as root on the Pi", _check_apt),
    ("sudo", "raspi-config"): ("changes the Pi's boot configuration as root", _check_raspi_config),
    ("sudo", "usermod"): ("changes the Pi user's groups as root", _check_usermod),
    ("git", "clone"): ("needs the repository's address, a placeholder in the README", _check_git_clone),
    ("cd",): ("enters the clone made by git clone", _follows_clone),
    ("python3", "-m", "venv"): ("makes a venv: .ci/run does it for the first two commands", _check_venv),
    (".venv/bin/pip", "install"): ("installs into a venv: .ci/run does it", _check_pip_install),
    (".venv/bin/python", "-m"): ("is this test suite: .ci/run runs it", _is_this_suite),
}


def _not_run(words: list[str]) -> tuple[str, Callable[[list[str]], None], list[str]] | None:
    for prefix, (why, check) in NOT_RUN.items():
        if tuple(words[: len(prefix)]) == prefix:
            return why, check, words[len(prefix):]
    return None


def _parse_only(args: list[str]) -> None:
    """What click would do with the arguments, short of running: unknown options and bad values fail."""
    name, *rest = args
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, name
    command.make_context(name, rest)


def _run_rig(args: list[str], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    if args and args[0] in HARDWARE_COMMANDS and "--sim" not in args:
        if {"--serial", "--model"} & set(args):
            _parse_only(args)  # the fixture's own options: refused with --sim, so checked, not run
            return
        args = [*args, "--sim"]
    result = CliRunner().invoke(cli, args, input="y\n")  # "yes" to a question a technician is asked
    assert result.exit_code == 0, result.output
    if args == ["test", "--sim"]:
        shown = {line.rstrip() for line in result.output.splitlines()}
        missing = [line for line in sample_output() if line not in shown]
        assert not missing, f"README sample is not what `rig test --sim` prints (docs/make_readme_sample.py): {missing}"


def sample_output() -> list[str]:
    """The README's sample of ``rig test --sim`` (its ``...`` stands for left-out lines)."""
    section = README[README.index("## What `rig test --sim` shows"):]
    block = section[section.index("```\n") + 4:]
    block = block[: block.index("```")]
    return [line.rstrip() for line in block.splitlines() if line.strip() and line.strip() != "..."]


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command(command: str, tmp_path, monkeypatch) -> None:
    words = shlex.split(command)
    skipped = _not_run(words)
    if skipped is not None:
        why, check, args = skipped
        assert why
        check(args)
        return
    if words[0] in ("rig", ".venv/bin/rig"):
        _run_rig(words[1:], tmp_path, monkeypatch)
    elif words[0] == ".venv/bin/python" and words[1].startswith("benchmarks/"):
        done = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip(), "a benchmark prints its figures"
    else:
        pytest.fail(f"README command {command!r} is neither run here nor listed in NOT_RUN with why")


def test_the_first_block_is_what_ci_runs() -> None:
    """.ci/run finds the first two commands by their comment lines: the README must keep them."""
    first = SH_BLOCK.findall(README)[0].splitlines()
    assert first[0].startswith("# run a simulated bench") and first[2] == "# run the tests"
    assert first[1].endswith(".venv/bin/rig test --sim") and first[3].endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "'^# run the tests$'" in ci and "'^# run a simulated bench'" in ci


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize("span", sorted(set(INLINE.findall(README))))
def test_inline_rig_commands_name_real_options(span: str) -> None:
    words = span.replace("\\|", "|").split()[1:]
    allowed = _options(cli)
    ctx = click.Context(cli)
    subcommand = next((w for w in words if not w.startswith("-") and cli.get_command(ctx, w)), None)
    if subcommand is not None:
        allowed |= _options(cli.get_command(ctx, subcommand))
    named = {re.sub(r"[\[\]]", "", w) for w in words if w.lstrip("[").startswith("--")}
    assert named <= allowed, f"`{span}` names {sorted(named - allowed)}, which `rig {subcommand or ''}` lacks"
