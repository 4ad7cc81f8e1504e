"""Sums, answered exactly: "2 plus 2 is 5, right?" → "No, 2 plus 2 is 4, not 5."

A small model gets sums wrong and, pushed, agrees with a wrong one (to "2 plus 2 is 5, agree?"
in Korean she said "Yes, that's right, it's a fact."). A sum is the one kind of claim a rule settles
exactly, so each language reads it in its own words (``Pack.sums``), ``lang.arith`` works it
out, and she says the value and whether they had it right. Anything that is not said as a sum
passes to the rules after it and the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said


@dataclass(frozen=True, slots=True)
class Sums:
    name: str = "sums"

    def applies(self, pack: Pack) -> bool:
        return pack.sums is not None

    async def answer(self, said: Said) -> Answer | None:
        line = said.pack.sums.answer(said.text, said.persona) if said.pack.sums else ""
        return Answer(line) if line else None
