"""``rig``: the command line. Each subcommand lives in its own module of ``rig.cli`` and is imported
only when it runs, so ``rig classify`` on a laptop never loads the hardware stack."""

from __future__ import annotations

import importlib
import logging
import signal
import sys

import click

from rig import __version__

# name -> "module:attribute"; help text is read from the command itself when listed.
COMMANDS: dict[str, str] = {
    "calibrate": "rig.cli.calibrate:calibrate",
    "check": "rig.cli.check:check",
    "classify": "rig.cli.classify:classify",
    "cycle": "rig.cli.cycle:cycle",
    "record": "rig.cli.record:record",
    "test": "rig.cli.test:test",
    "report": "rig.cli.report:report",
    "station": "rig.cli.station:station",
}


class RigError(click.ClickException):
    """An expected failure: printed as one line on stderr, exit code 2, never a traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"rig: {self.format_message()}", err=True, file=file)


def config_file_option(help_text: str):
    """``--config FILE``, on the group (``rig --config FILE COMMAND``) and on the commands that use the fixture."""
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help=help_text)


class Interrupted(click.ClickException):
    """Ctrl-C in a command that touches no fixture (``classify``, ``report``): one line, not click's bare
    ``Aborted!``. (``test``, ``check`` and ``record`` catch their signals themselves and say more.)"""

    exit_code = 128 + signal.SIGINT

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"rig: {self.format_message()}", err=True, file=file)


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when listed or run, from "module:attribute" targets;
    a target whose module is not there is left out."""

    def __init__(self, *args, lazy_commands: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in self.lazy_commands if self.get_command(ctx, name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
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

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            command = ctx.invoked_subcommand or "command"
            raise Interrupted(
                f"rig {command} interrupted by Ctrl-C (SIGINT) before it finished: what it was writing is "
                "incomplete; it does not touch the fixture's outlets"
            ) from None


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rig")
@click.option("-v", "--verbose", is_flag=True, help="Also log each hardware retry and failure as it happens.")
@config_file_option("Fixture configuration (TOML) merged over the built-in reference fixture; every command checks it.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, config_path: str | None) -> None:
    """Bench-test rig for returned Blink cameras: watch the LED, test the battery, run the fixes, log it."""
    if config_path is not None and not ctx.resilient_parsing:
        from rig.cli.common import load_root_config

        load_root_config(ctx, config_path)
    logger = logging.getLogger("rig")
    logger.handlers.clear()
    if verbose:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("rig: %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    else:
        # The commands report every failure that matters in their own one line; the per-part log lines of a
        # failing relay board would bury it.
        logger.addHandler(logging.NullHandler())


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="rig")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
