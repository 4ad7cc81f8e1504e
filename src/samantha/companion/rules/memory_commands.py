"""Spoken memory commands, handled by rules and never by the model.

"What do you remember about me", "forget that", "forget X", "forget everything" (and the same
in every language she knows) must do exactly what they say, every time, so a word match
decides, not a small model. "Forget X" forgets every trace of X: each fact that states it
(with whom its names name: "Miso is very fluffy" goes with "my cat is called Miso"), each turn
of the conversation that said it (in the file and in the history she is holding) and each
summary of them; she says "forgotten" only when something was, and otherwise that she had
nothing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from samantha.companion.memory import Memory
from samantha.lang import Pack, recollect
from samantha.lang.protocols import Answer, Said

AT_LEAST = 0.6
"""The share of the words of X that a fact must say to be a trace of X ..."""
AT_LEAST_TURN = 0.5
"""... and a turn of the talk (in its own words: in Korean, another ending of the same verb)."""


@dataclass
class MemoryCommands:
    memory: Memory | None
    history: list[tuple[str, str]] = field(default_factory=list)
    """The conversation she is holding (the brain's own list): forgotten turns leave it too."""
    name: str = "memory commands"

    def applies(self, pack: Pack) -> bool:
        w = pack.words
        return None not in (w.remember, w.forget_all, w.forget_that)

    async def answer(self, said: Said) -> Answer | None:
        return command(said.text, self.memory, said.pack, self.history)


def command(text: str, memory: Memory | None, pack: Pack,
            history: list[tuple[str, str]] | None = None) -> Answer | None:
    """The answer to a memory command in ``pack``'s language, or None when it is not one."""
    w, say = pack.words, pack.phrases
    if w.forget_all and w.forget_all.search(text):
        return Answer(say.forgot_all, keep=False, clears=True,
                      confirm=memory.forget_everything if memory is not None else None,
                      failed=say.forget_failed)
    forget = w.forget_that.search(text) if w.forget_that else None
    if forget:
        what = (forget.groupdict().get("what") or text[forget.end():]).strip(" .!?,")
        if memory is None:
            return Answer(say.nothing_to_forget, keep=False)
        if not recollect.words(what, w.filler):  # "forget that" alone: what was said last
            if not memory.facts():
                return Answer(say.nothing_to_forget, keep=False)
            return Answer(say.forgot_that.format(what="that"), keep=False,
                          confirm=memory.forget_last_fact, failed=say.forget_failed)
        return _forget(what, memory, pack, history if history is not None else [])
    if w.remember and w.remember.search(text):
        known = [t for _, _, t in memory.facts()][-5:] if memory is not None else []
        if not known:
            return Answer(say.remember_none)
        return Answer(say.remember_intro + " ".join(pack.yours(f) for f in known))
    return None


def _forget(what: str, memory: Memory, pack: Pack, history: list[tuple[str, str]]) -> Answer:
    """Every trace of ``what``: facts, turns, summaries; or "I had nothing about that"."""
    say, filler = pack.phrases, pack.words.filler
    want = recollect.words(what, filler)
    facts = [(i, t) for i, _, t in memory.facts()]
    names = recollect.aliases([t for _, t in facts], pack.about)
    gone = [(i, t) for i, t in facts if _about_it(t, want, pack, names, facts)]
    forgotten = {v.lower() for _, t in gone for _, what, v in [pack.about(t)] if what == "name"}
    gone += [(i, t) for i, t in facts if (i, t) not in gone and forgotten  # a name forgotten:
             and any(recollect.same(n, w) for n in forgotten    # every fact that says it
                     for w in recollect.words(t, filler))]

    def says_it(text: str, at_least: float = AT_LEAST) -> bool:
        return recollect.coverage(want, recollect.expanded(text, filler, names)) >= at_least

    turns = [int(r[0]) for r in memory.read("SELECT id, user || ' ' || reply FROM turns")
             if says_it(str(r[1]), AT_LEAST_TURN)]
    summaries = [int(r[0]) for r in memory.read("SELECT id, text FROM summaries")
                 if says_it(str(r[1]))]
    if not (gone or turns or summaries):
        return Answer(say.not_remembered, keep=False)
    told = pack.yours(gone[0][1]).rstrip(".") if gone else ""
    shown = f"that {told[:1].lower()}{told[1:]}" if told else "that"
    writes: list[tuple[str, tuple[Any, ...]]] = [("DELETE FROM facts WHERE id = ?", (i,))
                                                 for i, _ in gone]
    writes += [("DELETE FROM turns WHERE id = ?", (i,)) for i in turns]
    writes += [("DELETE FROM summaries WHERE id = ?", (i,)) for i in summaries]
    return Answer(say.forgot_that.format(what=shown), keep=False,
                  confirm=_apply(memory, writes, history, says_it), failed=say.forget_failed)


def _about_it(fact: str, want: set[str], pack: Pack, names: dict[str, str],
              facts: list[tuple[int, str]]) -> bool:
    """Does ``fact`` state X? Its words (and whom its names name) say most of X, and it is about
    the one X is about: "forget that I live in Busan" keeps "Hana lives in Busan"."""
    filler = pack.words.filler
    if recollect.coverage(want, recollect.expanded(fact, filler, names)) < AT_LEAST:
        return False
    whoms = {recollect.resolve(pack.about(t)[0], names) for _, t in facts} - {"", "person"}
    x_whom = next((k for k in whoms if any(recollect.same(k, w) for w in want)), "")
    x_whom = x_whom or next((kin for name, kin in names.items()
                             if any(recollect.same(name, w) for w in want)), "")
    whom = recollect.resolve(pack.about(fact)[0], names)
    return whom in ("", x_whom) if x_whom else whom in ("", "person")


def _apply(memory: Memory, writes: list[tuple[str, tuple[Any, ...]]],
           history: list[tuple[str, str]], says_it: Callable[[str, float], bool]
           ) -> Callable[[], bool]:
    def forget() -> bool:
        if not memory.write_all(list(writes)):
            return False
        memory.scrub()
        history[:] = [(u, r) for u, r in history if not says_it(f"{u} {r}", AT_LEAST_TURN)]
        return True
    return forget
