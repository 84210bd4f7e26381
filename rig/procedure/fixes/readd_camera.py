"""The article's #5: delete the camera in the app, wait 3-5 min, re-add it. A model whose profile says so
(the Mini) is unplugged while deleted, as the article asks."""

from __future__ import annotations

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix
from rig.procedure.operator import OperatorTask


class ReaddCamera(Fix):
    name = "readd_camera"
    article_order = 5
    treats = frozenset({Symptom.OFFLINE})
    reboots_camera = True
    outlets = ("camera",)
    asks_operator = True

    def act(self, ctx: FixContext) -> FixOutcome | None:
        camera = ctx.outlets["camera"]
        unplug = ctx.model.unplugged_while_deleted
        if unplug:
            ctx.retry(camera.off)
        try:
            deleted = ctx.ask(
                OperatorTask.DELETE_CAMERA,
                "Blink app: the camera's Settings > Delete Camera > Delete. Press Enter when it is gone.",
                "delete the camera",
            )
            if not deleted:
                return FixOutcome.DECLINED
            ctx.wait("after deleting, before re-adding", ctx.timings.readd_wait_s)
            ctx.step.measure("readd_wait_s", ctx.timings.readd_wait_s, "s", low=180.0, high=300.0)
        finally:
            if unplug:
                ctx.retry(camera.on)
        readded = ctx.ask(
            OperatorTask.READD_CAMERA,
            "Blink app: Add Device, pick the model, scan the QR code on the back, wait for 'Camera added', "
            "Done. Press Enter when it is added.",
            "re-add the camera",
        )
        return None if readded else FixOutcome.DECLINED


register_fix(ReaddCamera())
