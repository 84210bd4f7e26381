"""``python -m firmware_sim``: tools of the simulated bench that run on their own (relay board, Kasa plug, traces)."""

from __future__ import annotations

import click

from rig.cli import LazyGroup

SUBCOMMANDS = {
    "relay-board": "firmware_sim.relay_board:main",
    "kasa-plug": "firmware_sim.kasa_plug:main",
    "trace": "firmware_sim.trace_cli:main",
}


@click.group(cls=LazyGroup, lazy_commands=SUBCOMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Simulated bench hardware, runnable on its own."""


if __name__ == "__main__":
    cli(prog_name="python -m firmware_sim")
