"""``rig check``: fixture self-test, one line per part."""

from __future__ import annotations

import sys
from functools import partial

import click
from rich.console import Console

from rig.cli.common import (
    config_option,
    exit_if_interrupted,
    interruptible,
    load_config_or_fail,
    refuse_unless,
    refuse_with,
    sim_slots_option,
)
from rig.procedure.self_check import CheckResult, run_check


@click.command()
@click.option("--sim", is_flag=True, help="Check the simulated fixture instead of the real one.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmations (trust the relays' commands).")
@sim_slots_option("--sim: camera slots on the simulated fixture [default: the config's [bench] slots].")
@config_option
def check(sim: bool, yes: bool, slots: int | None, config_path: str | None) -> None:
    """Self-test of the fixture: INA219, photodiode, outlets, actuators, network; a fix hint for each fault.
    With several slots: the shared bench once, then every slot's own parts, each line naming its slot."""
    ctx = click.get_current_context()
    refuse_with(ctx, sim, "--sim", "yes", why="the simulated technician answers")
    refuse_unless(ctx, sim, "--sim", "slots", why="a real fixture's slots are its config's [slots.N] tables")
    config = load_config_or_fail(config_path)
    console = Console()
    unsafe: list[str] = []
    with interruptible() as stop:
        for_slot = None
        if sim:
            from rig.cli.test import open_sim_bench
            from rig.sim import simulated_technician

            bench = open_sim_bench(config, None, None, None, stop, slots or config.slot_count)
            fixture, confirm = bench.fixture, simulated_technician(bench)
            for_slot = partial(simulated_technician, bench)
        else:
            from rig.cli.common import build_real_fixture
            from rig.core.clock import MonotonicClock

            fixture = build_real_fixture(config, MonotonicClock(stop))
            confirm = (lambda _device, _question, _expected: True) if yes else _ask(console)
        try:
            results = run_check(fixture, confirm, for_slot)
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
    width = max(len(r.label) for r in results)
    for r in results:
        mark = "[green]OK  [/green]" if r.ok else "[red]FAIL[/red]"
        console.print(f"{mark} {r.label:<{width}}  {r.detail}", highlight=False)
    failed = sum(not r.ok for r in results)
    console.print(f"{len(results) - failed} OK, {failed} failed")
