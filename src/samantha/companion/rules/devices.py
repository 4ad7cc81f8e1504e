"""Requests to switch the home's devices, answered honestly by rule.

She is not connected to the lights, the TV or the heating (Home Assistant, where it runs, uses her
ears and voice through ``samantha serve``; its own pipeline does the switching). A small model
answers "Turn on the living room light." with "Mm, tell me more.", and the same request in Korean
with a line of comfort: neither says what a person needs to hear, that it was not done. So a word
match (each language's ``Words.devices``) decides, in microseconds, and she says she cannot do it
and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from samantha import lang
from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said


def request(text: str, pack: Pack | None = None) -> str:
    """Her honest reply to a request to switch a device, or '' when the text is not one."""
    pack = pack or lang.pack_for(text, lang.get("en"))
    pattern = pack.words.devices
    found = pattern.search(text.strip()) if pattern else None
    if not found:
        return ""
    groups = found.groupdict()
    thing = groups.get("thing") or groups.get("dim") or ""
    return pack.phrases.cannot_switch.format(thing=thing)


@dataclass(frozen=True, slots=True)
class Devices:
    name: str = "devices"

    def applies(self, pack: Pack) -> bool:
        return pack.words.devices is not None

    async def answer(self, said: Said) -> Answer | None:
        line = request(said.text, said.pack)
        return Answer(line) if line else None
