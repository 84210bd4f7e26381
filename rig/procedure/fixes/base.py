"""What a fix is, what it may touch, and the one registry of fixes (docs/DESIGN.md, "Fixes").

A fix is one module: a :class:`Fix` subclass declaring its name, its place in the article's order, the symptoms
it treats, the outlets and actuators it needs and whether it asks the operator, then ``register_fix`` at the
bottom. It acts through a :class:`FixContext` holding only what it declared, so a fix can be tested with fakes.
It does not judge itself: the ladder verifies the symptom afterwards (LED dark and the bench probe passing; for
a battery symptom a clean motion test too), and calls ``undo`` when the symptom stayed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rig.core.clock import Clock
from rig.core.config import TimingsConfig
from rig.core.models import CameraModel
from rig.core.records import FixOutcome, StepRecord, Symptom
from rig.core.retry import retry_transient
from rig.procedure.operator import Operator, OperatorTask


class Switch(Protocol):
    """An outlet as a fix sees it."""

    def on(self) -> None: ...

    def off(self) -> None: ...


@dataclass(frozen=True)
class FixContext:
    """Everything a fix may use for one camera: only the outlets and actuators it declared."""

    serial: str
    model: CameraModel
    timings: TimingsConfig
    step: StepRecord
    clock: Clock
    outlets: Mapping[str, Switch]
    actuators: Mapping[str, Any]          # rig.hardware.actuators classes (hold, use_reference_pack, ...)
    operator: Operator | None
    wait: Callable[[str, float], None]    # a visible countdown on the rig clock
    announce: Callable[[str, str], None]  # (step name, detail) to the screen
    # With several slots a restart switches one part at a time (the camera alone, or the bench's Sync Module)
    restart_outlets: tuple[str, ...] | None = None

    def retry(self, action: Callable[[], None]) -> None:
        """Switch something, riding out the rig's transient faults (a relay frame lost, an I2C hiccup)."""
        retry_transient(action, self.clock)

    def ask(self, task: OperatorTask, instructions: str, what: str) -> bool:
        """Hand an app-only step to the operator; a refusal or a timeout is noted on the step."""
        if self.operator is None:
            raise RuntimeError(f"{self.step.name} asks the operator but did not declare asks_operator")
        reply = self.operator.request(task, self.serial, instructions, self.timings.operator_timeout_s)
        if not reply.done:
            self.step.notes = f"operator did not {what}: {reply.note}".rstrip(": ")
        return reply.done


class Fix:
    """One of the article's fixes. Subclasses set the class attributes and ``act``; most leave nothing to undo."""

    name: ClassVar[str]
    article_order: ClassVar[int]             # its place in the article's list (1 = tried first by the article)
    treats: ClassVar[frozenset[Symptom]] = frozenset()   # the symptoms the rig's ladder tries it against
    only_if_network_down: ClassVar[bool] = False   # worth trying only when the bench's own probe fails
    escalation: ClassVar[bool] = False       # ends every ladder: nothing left to try on the bench
    reboots_camera: ClassVar[bool] = False   # interrupts the camera's power: its dark boot proves nothing
    outlets: ClassVar[tuple[str, ...]] = ()      # the outlets it switches
    actuators: ClassVar[tuple[str, ...]] = ()    # the actuators it drives
    asks_operator: ClassVar[bool] = False
    # Tries before the ladder moves on: a second try is worth it only where one can fail by chance (a power-up
    # that does not reconnect, docs/DESIGN.md "Fault table"); each try is acted and verified, undone if not.
    attempts: ClassVar[int] = 1

    def applies_to(self, model: CameraModel) -> bool:
        """Whether this fix means anything for ``model`` (no battery swap on a USB camera)."""
        return True

    def act(self, ctx: FixContext) -> FixOutcome | None:
        """Do the fix. ``None``: done, verify now; an outcome: nothing to verify (declined, advisory...)."""
        raise NotImplementedError

    def undo(self, ctx: FixContext) -> None:
        """Take back what the fix left changed when it did not cure (most leave nothing)."""
        return None


_REGISTRY: dict[str, Fix] = {}


def register_fix(fix: Fix) -> Fix:
    """Make ``fix`` known to the ladder, the naive baseline and the reports."""
    if fix.name in _REGISTRY and type(_REGISTRY[fix.name]) is not type(fix):
        raise ValueError(f"fix {fix.name!r} is already registered")
    _REGISTRY[fix.name] = fix
    return fix


def unregister_fix(name: str) -> None:
    """Forget a fix (tests that add a fake one put the registry back)."""
    _REGISTRY.pop(name, None)


def registered_fixes() -> list[Fix]:
    """Every fix, in the article's order."""
    return sorted(_REGISTRY.values(), key=lambda fix: (fix.article_order, fix.name))


def fix_names() -> tuple[str, ...]:
    """The fix names in the article's order (the results CSV's ``fixes_tried`` vocabulary)."""
    return tuple(fix.name for fix in registered_fixes())


def get_fix(name: str) -> Fix:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown fix {name!r} (known: {', '.join(fix_names())})") from None
