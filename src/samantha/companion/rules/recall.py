"""Questions about the person answered from what they told her ("What's my name?", "Who is
Jiwoo?", "Can I eat a peanut butter sandwich?" from someone allergic to peanuts), in each
language's own words (``Pack.recall``), every time, never by the model."""

from __future__ import annotations

from dataclasses import dataclass

from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said


@dataclass(frozen=True, slots=True)
class Recall:
    name: str = "recall"

    def applies(self, pack: Pack) -> bool:
        return True  # every pack answers from memory (``Pack.recall``)

    async def answer(self, said: Said) -> Answer | None:
        line = said.pack.recall(said.text, list(said.facts))
        return Answer(line) if line else None
