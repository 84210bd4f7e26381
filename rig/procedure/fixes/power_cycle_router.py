"""The article's #1: router and modem off for at least 30 s, then a minute or two to reconnect."""

from __future__ import annotations

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix


class PowerCycleRouter(Fix):
    name = "power_cycle_router"
    article_order = 1
    treats = frozenset({Symptom.OFFLINE})
    only_if_network_down = True   # the article: "check your other devices first"
    outlets = ("router",)

    def act(self, ctx: FixContext) -> FixOutcome | None:
        router = ctx.outlets["router"]
        off_s = ctx.timings.router_off_s
        ctx.retry(router.off)
        try:
            ctx.wait("router off", off_s)
        finally:
            ctx.retry(router.on)
        ctx.step.measure("router_off_s", off_s, "s", low=30.0)
        return None


register_fix(PowerCycleRouter())
