"""What she is, said truthfully every time: a small model claims to be a real person."""

from __future__ import annotations

from dataclasses import dataclass

from samantha import lang
from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said


def about_her(text: str, name: str, pack: Pack | None = None) -> str:
    """Her truthful answer to "are you a real person?", or '' when the text does not ask."""
    pack = pack or lang.pack_for(text, lang.get("en"))
    asks = pack.words.what_she_is
    if asks is None or not asks.search(text):
        return ""
    return pack.phrases.not_a_person.format(name=name)


@dataclass(frozen=True, slots=True)
class Identity:
    name: str = "identity"

    def applies(self, pack: Pack) -> bool:
        return pack.words.what_she_is is not None

    async def answer(self, said: Said) -> Answer | None:
        line = about_her(said.text, said.persona.name, said.pack)
        return Answer(line) if line else None
