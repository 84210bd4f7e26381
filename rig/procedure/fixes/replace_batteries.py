"""The article's #6, as a test: feed the camera from the known-good pack and test again. If the symptom goes,
the camera's own batteries were the fault."""

from __future__ import annotations

from rig.core.models import CameraModel
from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix


class ReplaceBatteries(Fix):
    name = "replace_batteries"
    article_order = 6
    treats = frozenset({Symptom.BATTERY})
    reboots_camera = True
    actuators = ("battery_changeover",)

    def applies_to(self, model: CameraModel) -> bool:
        return model.has_battery

    def act(self, ctx: FixContext) -> FixOutcome | None:
        ctx.retry(ctx.actuators["battery_changeover"].use_reference_pack)
        ctx.step.measure("reference_pack", True)
        return None

    def undo(self, ctx: FixContext) -> None:
        """The batteries were not (only) the fault: the camera goes back to its own pack, so a later test
        still sees its own batteries."""
        ctx.retry(ctx.actuators["battery_changeover"].use_camera_pack)


register_fix(ReplaceBatteries())
