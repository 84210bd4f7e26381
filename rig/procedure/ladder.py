"""Which fixes to try, in which order: the diagnosis picks the ladder (labgrid's "strategy").

The article lists seven fixes; a bench that tries them blindly in that order wastes minutes per camera. The
diagnosis decides where to start: a failing battery goes to the batteries first, a bench whose own probe
fails goes to the router first, a camera offline on a healthy network starts with a restart, and a healthy
camera runs no fix at all. Both ladders read the fix registry (rig.procedure.fixes): what each fix treats,
whether it needs the network down, and whether it applies to the camera's model.
"""

from __future__ import annotations

from dataclasses import dataclass

from rig.core.models import CameraModel
from rig.core.records import Symptom
from rig.procedure.fixes import registered_fixes

SYMPTOM_PRIORITY = (Symptom.BATTERY, Symptom.OFFLINE)
"""A battery suspect is treated first: a sagging pack can also drop the WiFi."""


@dataclass(frozen=True)
class Diagnosis:
    model: CameraModel
    offline: bool               # the LED said network_lost (or never settled)
    network_ok: bool            # the bench's own probe (the article: "check your other devices first")
    battery_suspect: bool       # load test out of limits, or the low-battery burst after recording

    @property
    def symptoms(self) -> tuple[Symptom, ...]:
        found = {Symptom.BATTERY: self.battery_suspect, Symptom.OFFLINE: self.offline}
        return tuple(s for s in SYMPTOM_PRIORITY if found[s])


def plan_ladder(diagnosis: Diagnosis) -> list[str]:
    """The rig's ladder for this diagnosis (empty for a healthy camera). Always ends in escalation."""
    symptoms = diagnosis.symptoms
    if not symptoms:
        return []
    fixes = [f for f in registered_fixes() if f.applies_to(diagnosis.model)]
    ladder: list[str] = []
    for symptom in symptoms:
        for fix in fixes:
            if fix.escalation or symptom not in fix.treats or fix.name in ladder:
                continue
            if fix.only_if_network_down and diagnosis.network_ok:
                continue
            ladder.append(fix.name)
    ladder += [fix.name for fix in fixes if fix.escalation]
    return ladder


def naive_ladder(model: CameraModel) -> list[str]:
    """The article's fixes in its order, whatever the symptom (the benchmark's baseline)."""
    return [fix.name for fix in registered_fixes() if fix.applies_to(model)]
