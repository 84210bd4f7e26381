"""Which fixes to try, in which order: the diagnosis picks the ladder (labgrid's "strategy").

The article lists seven fixes; a bench that tries them blindly in that order wastes minutes per camera. The
diagnosis decides where to start: a failing battery goes to the batteries first, a bench whose own probe
fails goes to the router first, a camera offline on a healthy network starts with a restart, and a healthy
camera runs no fix at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from rig.core.records import FIX_NAMES


@dataclass(frozen=True)
class Diagnosis:
    model: str                  # "outdoor" or "mini"
    offline: bool               # the LED said network_lost (or never settled)
    network_ok: bool            # the bench's own probe (the article: "check your other devices first")
    battery_suspect: bool       # load test out of limits, or the low-battery burst after recording


def plan_ladder(diagnosis: Diagnosis) -> list[str]:
    """The rig's ladder for this diagnosis (empty for a healthy camera). Always ends in escalation."""
    if not diagnosis.offline and not diagnosis.battery_suspect:
        return []
    ladder: list[str] = []
    if diagnosis.battery_suspect and diagnosis.model != "mini":
        ladder.append("replace_batteries")
    if diagnosis.offline:
        if not diagnosis.network_ok:
            ladder.append("power_cycle_router")
        ladder += ["restart_camera", "move_closer", "reset_wifi", "readd_camera"]
    ladder.append("contact_support")
    return ladder


def naive_ladder(model: str) -> list[str]:
    """The article's seven fixes in its order, whatever the symptom (the benchmark's baseline)."""
    return [name for name in FIX_NAMES if not (model == "mini" and name == "replace_batteries")]
