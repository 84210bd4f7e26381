"""Options and error handling shared by the subcommands that touch the fixture."""

from __future__ import annotations

import signal
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import click

from rig.cli import RigError
from rig.core.config import ConfigError, RigConfig, load_config

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


class SignalExit(SystemExit):
    """Raised by SIGTERM/SIGHUP so that every ``finally`` (outlets back on) runs, as for Ctrl-C."""


def _raise_signal_exit(signum: int, _frame) -> None:
    raise SignalExit(128 + signum)


@contextmanager
def exit_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind the stack like Ctrl-C does, instead of killing the process in place."""
    previous = {sig: signal.signal(sig, _raise_signal_exit) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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


def build_real_photodiode(config: RigConfig, clock):
    """Only the photodiode, on this machine's GPIO (``rig record`` needs nothing else), or one line saying why."""
    from gpiozero.exc import GPIOZeroError, PinFactoryFallback

    from rig.hardware.photodiode import Photodiode

    pd = config.photodiode
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PinFactoryFallback)
            return Photodiode(pd.pin, clock, active_high=pd.active_high, pull_up=pd.pull_up)
    except (GPIOZeroError, OSError, RuntimeError) as exc:
        raise RigError(f"photodiode on GPIO{pd.pin}: {exc} (not on a Raspberry Pi? add --sim)") from None
