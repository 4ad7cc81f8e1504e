"""Who she is: the persona her owner sets (``[persona]``, ``config.Persona``), turned into the
system prompt and few-shot examples by her home language's pack (``lang/<code>/persona.py``)."""

from __future__ import annotations

from samantha import lang
from samantha.config import Persona
from samantha.lang.en.persona import EXAMPLES

__all__ = ["EXAMPLES", "examples", "system_prompt"]

Message = dict[str, str]


def system_prompt(p: Persona) -> str:
    return lang.resolve(p).system_prompt(p)


def examples(p: Persona) -> list[Message]:
    """The example exchanges placed after the system prompt, as messages."""
    out: list[Message] = []
    for user, reply in lang.resolve(p).examples(p):
        out += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return out
