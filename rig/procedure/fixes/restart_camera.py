"""The article's #2. A direct camera (Mini): unplug 1-2 min. A Sync Module camera: batteries out and the Sync
Module unplugged together for 1-2 min, batteries back first, then the Sync Module."""

from __future__ import annotations

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix


class RestartCamera(Fix):
    name = "restart_camera"
    article_order = 2
    treats = frozenset({Symptom.OFFLINE})
    reboots_camera = True
    outlets = ("camera", "sync_module")   # the model's profile says which of them it restarts
    attempts = 2   # an intermittent camera's power-up fails to reconnect by chance: a second one may not

    def act(self, ctx: FixContext) -> FixOutcome | None:
        names = ctx.restart_outlets or ctx.model.restart_outlets
        for name in names:
            ctx.retry(ctx.outlets[name].off)
        try:
            ctx.wait(f"{' and '.join(names)} off", ctx.timings.camera_off_s)
        finally:
            for name in names:
                ctx.retry(ctx.outlets[name].on)
        ctx.step.measure("power_off_s", ctx.timings.camera_off_s, "s", low=60.0, high=120.0)
        return None


register_fix(RestartCamera())
