"""The article's #7: nothing left to try on the bench; escalate with the evidence."""

from __future__ import annotations

from rig.core.records import FixOutcome, Symptom
from rig.procedure.fixes.base import Fix, FixContext, register_fix


class ContactSupport(Fix):
    name = "contact_support"
    article_order = 7
    treats = frozenset(Symptom)
    escalation = True

    def act(self, ctx: FixContext) -> FixOutcome | None:
        ctx.step.notes = "escalate to Blink support with this record"
        return FixOutcome.ESCALATED


register_fix(ContactSupport())
