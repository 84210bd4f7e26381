"""A fix that is not in the article: reseat the camera (its outlet alone off for 65 s), tried before the
article's restart. The whole fix is this module; registering it is its last line."""

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix


class ReseatCamera(Fix):
    name = "reseat_camera"
    article_order = 2            # ties with restart_camera: the name puts it first
    treats = frozenset({Symptom.OFFLINE})
    reboots_camera = True
    outlets = ("camera",)

    def act(self, ctx: FixContext) -> FixOutcome | None:
        camera = ctx.outlets["camera"]
        ctx.retry(camera.off)
        try:
            ctx.wait("camera reseated", 65.0)
        finally:
            ctx.retry(camera.on)
        ctx.step.measure("reseat_off_s", 65.0, "s", low=60.0)
        return None


register_fix(ReseatCamera())
