"""The article's #4: hold the reset button, then the operator runs Change WiFi in the app."""

from __future__ import annotations

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix
from rig.procedure.operator import OperatorTask


class ResetWifi(Fix):
    name = "reset_wifi"
    article_order = 4
    treats = frozenset({Symptom.OFFLINE})
    reboots_camera = True
    actuators = ("reset_button",)
    asks_operator = True

    def act(self, ctx: FixContext) -> FixOutcome | None:
        hold_s = ctx.timings.reset_hold_s
        ctx.announce(self.name, f"holding the reset button {hold_s:g} s")
        ctx.actuators["reset_button"].hold(hold_s)
        ctx.step.measure("reset_hold_s", hold_s, "s")
        changed = ctx.ask(
            OperatorTask.CHANGE_WIFI,
            "Blink app: Settings > Change WiFi (Sync Module: Change WiFi Network), Discover Device, Join, "
            "choose the bench network and its password. Press Enter when the app says it joined.",
            "change WiFi",
        )
        return None if changed else FixOutcome.DECLINED


register_fix(ResetWifi())
