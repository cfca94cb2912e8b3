"""Fixed blocks: recurring admin or office time of a rep with no visits inside.

A block (``Rep.blocks``, ``Fr 14:00-17:30`` or a daily ``16:30-17:30``) is a
:class:`TimeTerm`: its intervals cut the start windows of every visit on the
rep's slots of those weekdays, so a visit ends by the block's start or starts
at its end. Travel and waiting may fall inside a block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routeopt.solver.terms._base import TimeTerm

if TYPE_CHECKING:
    from routeopt.solver.terms._base import Instance, Slot


class Blocks(TimeTerm):
    """The rep's fixed blocks on the slot's weekday."""

    code = "blocks"
    message = "it fits each allowed day only across one of the rep's fixed blocks"

    @classmethod
    def forbidden(cls, inst: Instance, slot: Slot) -> tuple[tuple[int, int], ...]:
        rep = inst.problem.reps[slot.rep]
        wd = slot.date.weekday()
        return tuple(sorted((b.window.start, b.window.end) for b in rep.blocks if b.on(wd)))
