"""One LED edge, the rig's only edge type: from the photodiode's buffer through traces to the classifier.

A ``NamedTuple`` so that a plain ``(t_s, level)`` pair *is* an edge (tests and generators write pairs) and so
that millions of them stay cheap.
"""

from __future__ import annotations

from typing import NamedTuple


class Edge(NamedTuple):
    """The LED level became ``level`` (1 = lit, 0 = dark) at ``t_s`` seconds."""

    t_s: float
    level: int
