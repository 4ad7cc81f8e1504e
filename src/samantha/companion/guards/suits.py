"""A suggestion that goes against what they told her: nuts as a snack for someone allergic to
peanuts, a run for someone with a bad knee, a steak for a vegetarian. The constraint is in the
turn's notes (``companion.facts.notes``); this keeps a small model to it, in each language's
words (``Words.unsuitable``), unless the sentence warns against the thing (``Words.warning``)."""

from __future__ import annotations

from dataclasses import dataclass

from samantha.lang import Pack
from samantha.lang.protocols import KEEP, Reply, Verdict, drop


@dataclass(frozen=True, slots=True)
class Unsuitable:
    name: str = "unsuitable suggestion"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return bool(pack.words.unsuitable) and pack.words.suggestion is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        w = reply.pack.words
        if not w.unsuitable or w.suggestion is None or not w.suggestion.search(reply.text):
            return KEEP
        told = " ".join(reply.notes)
        if w.warning is not None and w.warning.search(sentence):
            return KEEP
        for when, avoid in w.unsuitable:
            hit = avoid.search(sentence)
            if hit and when.search(told):
                return drop(f"suggests {hit.group(0)!r} against what they told her")
        return KEEP
