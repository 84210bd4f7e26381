"""The article's #3. On the bench the camera sits next to the router: recorded as advice only."""

from __future__ import annotations

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix


class MoveCloser(Fix):
    name = "move_closer"
    article_order = 3
    treats = frozenset({Symptom.OFFLINE})

    def act(self, ctx: FixContext) -> FixOutcome | None:
        ctx.step.notes = "advisory: on the bench the camera is next to the router; nothing to actuate"
        return FixOutcome.ADVISORY


register_fix(MoveCloser())
