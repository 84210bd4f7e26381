"""``python -m firmware_sim``: tools of the simulated bench that run on their own (relay board, traces)."""

from __future__ import annotations

import importlib

import click

SUBCOMMANDS = {
    "relay-board": "firmware_sim.relay_board:main",
    "trace": "firmware_sim.trace_cli:main",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in SUBCOMMANDS if self.get_command(ctx, name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attribute)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Simulated bench hardware, runnable on its own."""


if __name__ == "__main__":
    cli(prog_name="python -m firmware_sim")
