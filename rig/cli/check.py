"""``rig check``: fixture self-test, one line per part."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from rig.cli.common import config_option, exit_if_interrupted, interruptible, load_config_or_fail, refuse_with
from rig.procedure.self_check import CheckResult, run_check


@click.command()
@click.option("--sim", is_flag=True, help="Check the simulated fixture instead of the real one.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmations (trust the relays' commands).")
@config_option
def check(sim: bool, yes: bool, config_path: str | None) -> None:
    """Self-test of the fixture: INA219, photodiode, outlets, actuators, network; a fix hint for each fault."""
    refuse_with(click.get_current_context(), sim, "--sim", "yes", why="the simulated technician answers")
    config = load_config_or_fail(config_path)
    console = Console()
    unsafe: list[str] = []
    with interruptible() as stop:
        if sim:
            from rig.sim import build_sim_bench, simulated_technician

            bench = build_sim_bench(config, stop=stop)
            fixture, confirm = bench.fixture, simulated_technician(bench)
        else:
            from rig.cli.common import build_real_fixture
            from rig.core.clock import MonotonicClock

            fixture = build_real_fixture(config, MonotonicClock(stop))
            confirm = (lambda _device, _question, _expected: True) if yes else _ask(console)
        try:
            results = run_check(fixture, confirm)
        finally:
            unsafe = fixture.close()
    exit_if_interrupted(stop, "rig check", "nothing written", unsafe)
    _print(console, results)
    sys.exit(0 if all(r.ok for r in results) else 1)


def _ask(console: Console):
    def confirm(_device: str, question: str, _expected_on: bool) -> bool:
        return click.confirm(question, default=True)

    return confirm


def _print(console: Console, results: list[CheckResult]) -> None:
    width = max(len(r.part) for r in results)
    for r in results:
        mark = "[green]OK  [/green]" if r.ok else "[red]FAIL[/red]"
        console.print(f"{mark} {r.part:<{width}}  {r.detail}", highlight=False)
    failed = sum(not r.ok for r in results)
    console.print(f"{len(results) - failed} OK, {failed} failed")
