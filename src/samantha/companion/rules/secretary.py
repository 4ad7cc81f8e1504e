"""Her secretary: time and date, timers, alarms, reminders, notes and lists, in each language's
own grammar (``Pack.secretary``). Its writes wait in the turn's store until the turn is released
(the brain applies them before the answer is voiced)."""

from __future__ import annotations

from dataclasses import dataclass

from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said


@dataclass(frozen=True, slots=True)
class Secretary:
    name: str = "secretary"

    def applies(self, pack: Pack) -> bool:
        return True  # every pack has a secretary (``Pack.secretary``)

    async def answer(self, said: Said) -> Answer | None:
        if said.store is None:
            return None
        line = await said.pack.secretary(said.text, said.store, said.now, said.llm)
        return Answer(line) if line else None
