"""Options and error handling shared by the subcommands that touch the fixture."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import click

from rig.cli import RigError
from rig.core.config import ConfigError, RigConfig, load_config
from rig.core.stop import StopFlag, StopRequested, stop_on_signals

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Fixture configuration (TOML) merged over the built-in reference fixture.",
)


def load_config_or_fail(path: str | None) -> RigConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise RigError(str(exc)) from None


@contextmanager
def interruptible() -> Iterator[StopFlag]:
    """Ctrl-C, SIGTERM and SIGHUP stop the command at its next wait (the handlers only record the request);
    the ``StopRequested`` that unwinds it ends here, after every ``finally`` (the safe state) has run. The
    caller then reports with :func:`exit_if_interrupted`."""
    stop = StopFlag()
    try:
        with stop_on_signals(stop), suppress(StopRequested):
            yield stop
    finally:
        stop.close()


def exit_if_interrupted(stop: StopFlag, command: str, written: str, unsafe: list[str]) -> None:
    """One line saying what was interrupted, what was written and whether the bench is safe; then the
    signal's exit status (128 + its number). Nothing when no signal came."""
    if not stop.requested:
        return
    from rig.hardware.fixture import unsafe_note

    safe = unsafe_note(unsafe) if unsafe else "every outlet is on and every actuator released"
    click.echo(f"rig: {command} interrupted by {stop.describe()}; {written}; {safe}", err=True)
    sys.exit(stop.exit_status)


def build_real_fixture(config: RigConfig, clock):
    """The fixture on this machine's GPIO, I2C and serial ports, or one line saying why it cannot be."""
    from gpiozero.exc import PinFactoryFallback

    from rig.hardware.actuators import ActuatorError
    from rig.hardware.fixture import build_fixture
    from rig.hardware.outlets import OutletError

    try:
        with warnings.catch_warnings():
            # gpiozero warns once per backend it cannot load; the one line below says what matters.
            warnings.simplefilter("ignore", PinFactoryFallback)
            return build_fixture(config, clock)
    except (OutletError, ActuatorError) as exc:
        hint = " (not on a Raspberry Pi? add --sim)" if "pin factory" in str(exc) else ""
        raise RigError(f"{exc}{hint}") from None
