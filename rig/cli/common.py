"""Options and error handling shared by the subcommands that touch the fixture."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import click
from click.core import ParameterSource

from rig.cli import RigError, config_file_option
from rig.core.config import MAX_SLOTS, ConfigError, RigConfig, load_config
from rig.core.stop import StopFlag, StopRequested, stop_on_signals

CONFIG_HELP = "Fixture configuration (TOML) merged over the built-in reference fixture."
_CONFIG_KEY = "rig.config"  # in the root context's meta: (path, RigConfig) from ``rig --config FILE``

config_option = config_file_option(CONFIG_HELP + " Same as `rig --config FILE` before the command.")


def sim_slots_option(help_text: str):
    """``--slots N``: how many camera slots the simulated bench has (docs/DESIGN.md, "Slots")."""
    return click.option("--slots", type=click.IntRange(min=1, max=MAX_SLOTS), default=None, help=help_text)


def load_root_config(ctx: click.Context, path: str | None) -> None:
    """``rig --config FILE COMMAND``: read and check the file once, before any command, so every command
    refuses a bad file the same way, and the commands that use the fixture take it from here."""
    if path is not None:
        ctx.meta[_CONFIG_KEY] = (path, _load(path))


def load_config_or_fail(path: str | None) -> RigConfig:
    """The configuration of this run: the command's own ``--config``, else ``rig --config``, else the built-in
    reference fixture. Two different files on one command line are refused rather than one silently winning."""
    ctx = click.get_current_context(silent=True)
    given = ctx.find_root().meta.get(_CONFIG_KEY) if ctx is not None else None
    if given is not None:
        root_path, config = given
        if path is None or path == root_path:
            return config
        raise RigError(f"--config given twice ({root_path} and {path}): give one file")
    return _load(path)


def _load(path: str | None) -> RigConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise RigError(str(exc)) from None


def refuse_unless(ctx: click.Context, condition: bool, flag: str, *params: str, why: str = "") -> None:
    """``X needs --sim``: refuse, in one line, the options among ``params`` that were typed while ``flag`` is
    not given (``condition`` false). An option silently ignored would let a technician believe it was used."""
    _refuse(_typed(ctx, params) if not condition else [], f"need{{s}} {flag}", why)


def refuse_with(ctx: click.Context, condition: bool, flag: str, *params: str, why: str = "") -> None:
    """``X does not apply with --sim``: the options among ``params`` that were typed while ``flag`` is given."""
    _refuse(_typed(ctx, params) if condition else [], f"do{{es}} not apply with {flag}", why)


def _typed(ctx: click.Context, params: tuple[str, ...]) -> list[str]:
    """The command-line names of ``params`` the user typed (not left at their defaults), in the command's order."""
    return [
        param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        for param in ctx.command.params
        if param.name in params and ctx.get_parameter_source(param.name) not in (None, ParameterSource.DEFAULT)
    ]


def _refuse(names: list[str], verb: str, why: str) -> None:
    if not names:
        return
    one = len(names) == 1
    verb = verb.replace("{s}", "s" if one else "").replace("{es}", "es" if one else "")
    raise RigError(f"{' and '.join(names)} {verb}" + (f": {why}" if why else ""))


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
    safe = safe_line(unsafe)
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


def close_bench(bench, fixture) -> list[str]:
    """The one safe state, reached through the fixture however the run ended; what could not be made safe."""
    if bench is not None:
        return bench.close()
    if fixture is not None:
        return fixture.close()
    return []


def summary_console():
    """Standard output for the closing table: on a log file or a pipe no terminal width to fit, so rows stay
    on one line."""
    from rich.console import Console

    out = Console()
    return out if out.is_terminal else Console(width=160)


def safe_line(unsafe: list[str]) -> str:
    """How a run's end says whether the bench is in its safe state."""
    from rig.hardware.fixture import unsafe_note

    return unsafe_note(unsafe) if unsafe else "every outlet is on and every actuator released"
