"""Questions about the person answered from what they told her ("What's my name?", "Who is
Jiwoo?", "What am I allergic to?", "Where does my sister live?", "Can I eat a peanut butter
sandwich?" from someone allergic to peanuts) and from their notes ("Where is the wifi
password?"), in each language's own words and in the second person (``Pack.recall``), every
time, never by the model: however many turns ago it was told."""

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
        rows = said.store.read("SELECT text FROM notes WHERE list = 'notes' ORDER BY id") \
            if said.store is not None else []
        line = said.pack.recall(said.text, list(said.facts), [str(r[0]) for r in rows])
        return Answer(line) if line else None
