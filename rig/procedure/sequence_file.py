"""Power-cycle sequence files (``rig cycle SEQUENCE.toml``): what a soak does, step by step, validated once.

A sequence is a name, a repeat count, ``stop_on_fail`` and an ordered list of steps; each step is exactly one
of: switch an outlet, wait, expect a condition within a timeout, measure the battery, fire the motion stimulus
(docs/DESIGN.md, "Sequences"). Beyond the contract, a step may say ``only = "first"`` or ``"last"`` (or both,
as a list): a burn-in measures the battery at its start and end, not every cycle. Every problem is one
line naming the file, the step and the key, e.g.
``soak.toml: step 3 (wait): wait_s: must be a number of seconds from 0.1 to 86400 (got -5)``. Built-in
sequences ship in ``rig/sequences/`` and are run by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from rig.core.textfile import parse_toml, printable, read_text_file

MAX_REPEAT = 1_000_000
MAX_STEPS = 1_000
MAX_SECONDS = 86_400.0          # a single wait or timeout longer than a day is a typo
MIN_SECONDS = 0.1
OUTLET_STATES = ("on", "off")
BUILTIN_PACKAGE = "rig.sequences"


class SequenceError(ValueError):
    """A sequence file problem, phrased as the one line a technician reads."""


class StepKind(StrEnum):
    OUTLET = "outlet"
    WAIT = "wait"
    EXPECT = "expect"
    MEASURE = "measure"
    STIMULUS = "stimulus"


class Condition(StrEnum):
    ONLINE = "online"        # LED not network_lost and the bench probe up
    NETWORK = "network"      # the bench probe up
    PATTERN = "pattern"      # the LED shows a named pattern


KIND_KEYS: dict[StepKind, tuple[str, ...]] = {
    StepKind.OUTLET: ("outlet", "state"),
    StepKind.WAIT: ("wait_s",),
    StepKind.EXPECT: ("expect", "timeout_s"),
    StepKind.MEASURE: ("measure",),
    StepKind.STIMULUS: ("stimulus",),
}
"""Which keys each kind of step takes; the first names the kind."""


@dataclass(frozen=True)
class Step:
    number: int                     # 1-based, as the file counts them and the cycle CSV writes them
    kind: StepKind
    outlet: str = ""
    power_on: bool = True
    seconds: float = 0.0            # wait_s, or an expect's timeout_s
    condition: Condition | None = None
    pattern: str = ""               # for Condition.PATTERN
    only: frozenset[str] = frozenset()   # "first" / "last": the step runs only in that cycle (empty: every cycle)

    def runs_in(self, cycle: int, repeat: int) -> bool:
        """Whether this step is part of cycle ``cycle`` (1-based) of ``repeat``."""
        if not self.only:
            return True
        return ("first" in self.only and cycle == 1) or ("last" in self.only and cycle == repeat)

    @property
    def action(self) -> str:
        """The step as one short phrase, for the cycle CSV's ``action`` column and the progress line."""
        if self.kind is StepKind.OUTLET:
            return f"{self.outlet} {'on' if self.power_on else 'off'}"
        if self.kind is StepKind.WAIT:
            return f"wait {self.seconds:g} s"
        if self.kind is StepKind.EXPECT:
            target = f"pattern:{self.pattern}" if self.condition is Condition.PATTERN else str(self.condition)
            return f"expect {target} within {self.seconds:g} s"
        if self.kind is StepKind.MEASURE:
            return "measure battery"
        return "motion stimulus"


@dataclass(frozen=True)
class Sequence:
    name: str
    repeat: int
    stop_on_fail: bool
    steps: tuple[Step, ...]
    source: str

    @property
    def outlets(self) -> frozenset[str]:
        return frozenset(step.outlet for step in self.steps if step.kind is StepKind.OUTLET)


class _Reader:
    def __init__(self, source: str, outlets: tuple[str, ...], patterns: tuple[str, ...]) -> None:
        self.source = source
        self.outlets = outlets
        self.patterns = patterns

    def fail(self, where: str, problem: str) -> None:
        raise SequenceError(f"{self.source}: {where}: {problem}")

    def sequence(self, data: dict[str, Any]) -> Sequence:
        unknown = sorted(set(data) - {"name", "repeat", "stop_on_fail", "step"})
        if unknown:
            self.fail(printable(unknown[0]), "unknown key (known: name, repeat, stop_on_fail, step)")
        name = data.get("name", Path(self.source).stem)
        if not isinstance(name, str) or not name.strip() or len(name) > 200 or not name.isprintable():
            self.fail("name", "must be a short line of text")
        repeat = data.get("repeat", 1)
        if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
            self.fail("repeat", f"must be a whole number of cycles from 1 to {MAX_REPEAT:,} (got {_shown(repeat)})")
        stop_on_fail = data.get("stop_on_fail", False)
        if not isinstance(stop_on_fail, bool):
            self.fail("stop_on_fail", f"must be true or false (got {_shown(stop_on_fail)})")
        raw_steps = data.get("step")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.fail("step", "no [[step]] tables: a sequence needs at least one step")
        if len(raw_steps) > MAX_STEPS:
            self.fail("step", f"{len(raw_steps)} steps: at most {MAX_STEPS}")
        steps = tuple(self.step(number, raw) for number, raw in enumerate(raw_steps, start=1))
        return Sequence(name.strip(), repeat, stop_on_fail, steps, self.source)

    def step(self, number: int, raw: Any) -> Step:
        where = f"step {number}"
        if not isinstance(raw, dict):
            self.fail(where, "must be a [[step]] table")
        kinds = [kind for kind, keys in KIND_KEYS.items() if keys[0] in raw]
        if len(kinds) != 1:
            names = ", ".join(keys[0] for keys in KIND_KEYS.values())
            found = ", ".join(KIND_KEYS[k][0] for k in kinds)
            self.fail(where, f"must be exactly one of {names} (found {found or 'none of them'})")
        kind = kinds[0]
        where = f"step {number} ({kind.value})"
        unknown = sorted(set(raw) - set(KIND_KEYS[kind]) - {"only"})
        if unknown:
            self.fail(where, f"{printable(unknown[0])}: not a key of this kind of step "
                             f"(it takes: {', '.join(KIND_KEYS[kind])}, only)")
        step = self.typed_step(number, where, kind, raw)
        if "only" in raw:
            only = raw["only"] if isinstance(raw["only"], list) else [raw["only"]]
            if not only or any(o not in ("first", "last") for o in only):
                self.fail(where, f"only: must be \"first\", \"last\" or both in a list (got {_shown(raw['only'])})")
            step = replace(step, only=frozenset(only))
        return step

    def typed_step(self, number: int, where: str, kind: StepKind, raw: dict[str, Any]) -> Step:
        if kind is StepKind.OUTLET:
            outlet, state = raw["outlet"], raw.get("state")
            if outlet not in self.outlets:
                self.fail(where, f"outlet: unknown outlet {_shown(outlet)} (known: {', '.join(self.outlets)})")
            if state not in OUTLET_STATES:
                self.fail(where, f"state: must be \"on\" or \"off\" (got {_shown(state)})")
            return Step(number, kind, outlet=outlet, power_on=state == "on")
        if kind is StepKind.WAIT:
            return Step(number, kind, seconds=self.seconds(where, "wait_s", raw["wait_s"]))
        if kind is StepKind.EXPECT:
            condition, pattern = self.condition(where, raw["expect"])
            if "timeout_s" not in raw:
                self.fail(where, "timeout_s: missing (every expect waits at most this long)")
            return Step(number, kind, seconds=self.seconds(where, "timeout_s", raw["timeout_s"]),
                        condition=condition, pattern=pattern)
        if kind is StepKind.MEASURE:
            if raw["measure"] != "battery":
                self.fail(where, f"measure: must be \"battery\" (got {_shown(raw['measure'])})")
            return Step(number, kind)
        if raw["stimulus"] != "motion":
            self.fail(where, f"stimulus: must be \"motion\" (got {_shown(raw['stimulus'])})")
        return Step(number, kind)

    def seconds(self, where: str, key: str, value: Any) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not MIN_SECONDS <= value <= MAX_SECONDS:
            self.fail(where, f"{key}: must be a number of seconds from {MIN_SECONDS:g} to {MAX_SECONDS:g} "
                             f"(got {_shown(value)})")
        return float(value)

    def condition(self, where: str, value: Any) -> tuple[Condition, str]:
        if value in (Condition.ONLINE.value, Condition.NETWORK.value):
            return Condition(value), ""
        if isinstance(value, str) and value.startswith("pattern:"):
            pattern = value.removeprefix("pattern:")
            if pattern in self.patterns:
                return Condition.PATTERN, pattern
            self.fail(where, f"expect: unknown pattern {_shown(pattern)} (known: {', '.join(self.patterns)})")
        self.fail(where, f"expect: must be \"online\", \"network\" or \"pattern:NAME\" (got {_shown(value)})")
        raise AssertionError  # fail() raised


def _shown(value: Any) -> str:
    text = printable(repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def parse_sequence(text: str, source: str, outlets: tuple[str, ...], patterns: tuple[str, ...]) -> Sequence:
    """Validate a sequence's TOML text; :class:`SequenceError` says what is wrong in one line."""
    return _Reader(source, outlets, patterns).sequence(parse_toml(text, source, SequenceError))


def builtin_sequences() -> dict[str, str]:
    """Name (the file's stem) -> TOML text of every sequence shipped with the rig."""
    folder = resources.files(BUILTIN_PACKAGE)
    return {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    }


def load_sequence(path_or_name: str, outlets: tuple[str, ...], patterns: tuple[str, ...]) -> Sequence:
    """A sequence file, or a built-in sequence by name (``rig cycle --list`` names them)."""
    builtins = builtin_sequences()
    if path_or_name in builtins and not Path(path_or_name).exists():
        return parse_sequence(builtins[path_or_name], path_or_name, outlets, patterns)
    text = read_text_file(path_or_name, "sequence", SequenceError)
    return parse_sequence(text, printable(str(path_or_name)), outlets, patterns)
