"""Spoken memory commands, handled by rules and never by the model.

"What do you remember about me", "forget that", "forget everything" (and the same in every
language she knows) must do exactly what they say, every time, so a word match decides, not a
0.5B model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samantha.companion.memory import Memory
from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said

_STEMLESS = {"i", "my", "me", "that", "the", "a", "an", "is", "am", "are", "was", "to", "in",
             "of", "and", "person", "person's", "you", "your", "about"}


@dataclass
class MemoryCommands:
    memory: Memory | None
    name: str = "memory commands"

    def applies(self, pack: Pack) -> bool:
        w = pack.words
        return None not in (w.remember, w.forget_all, w.forget_that)

    async def answer(self, said: Said) -> Answer | None:
        return command(said.text, self.memory, said.pack)


def command(text: str, memory: Memory | None, pack: Pack) -> Answer | None:
    """The answer to a memory command in ``pack``'s language, or None when it is not one."""
    w, say = pack.words, pack.phrases
    if w.forget_all and w.forget_all.search(text):
        return Answer(say.forgot_all, keep=False, clears=True,
                      confirm=memory.forget_everything if memory is not None else None,
                      failed=say.forget_failed)
    forget = w.forget_that.search(text) if w.forget_that else None
    if forget:
        if memory is None or not memory.facts():
            return Answer(say.nothing_to_forget, keep=False)
        what = text[forget.end():].strip(" .!?")
        if not _content(what):  # "forget that" alone: what was said last
            return Answer(say.forgot_that.format(what="that"), keep=False,
                          confirm=memory.forget_last_fact, failed=say.forget_failed)
        matches = _matching(what, memory.facts())
        if not matches:
            return Answer(say.not_remembered, keep=False)
        if len(matches) > 1:
            options = say.or_.join(pack.yours(f) for _, f in matches[:3])
            return Answer(say.which_one.format(options=options), keep=False)
        fact_id, fact = matches[0]
        told = pack.yours(fact).rstrip(".")
        return Answer(say.forgot_that.format(what=f"that {told[:1].lower()}{told[1:]}"),
                      keep=False, confirm=lambda: memory.forget_fact(fact_id),
                      failed=say.forget_failed)
    if w.remember and w.remember.search(text):
        known = [t for _, _, t in memory.facts()][-5:] if memory is not None else []
        if not known:
            return Answer(say.remember_none)
        return Answer(say.remember_intro + " ".join(pack.yours(f) for f in known))
    return None


def _content(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[\w']+", text) if w.lower() not in _STEMLESS}


def _matching(what: str, facts: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """The facts that say ``what`` (most shared words first; ties are all returned)."""
    want = _content(what)
    scored = sorted(((len(want & _content(f)) / len(want), i, f) for i, _, f in facts),
                    reverse=True)
    best = scored[0][0] if scored else 0.0
    return [(i, f) for s, i, f in scored if s >= 0.5 and s == best]
