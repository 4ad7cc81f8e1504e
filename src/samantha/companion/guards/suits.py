"""A suggestion that goes against what they told her: nuts as a snack for someone allergic to
peanuts, a run for someone with a bad knee, a steak for a vegetarian. The constraint is in the
turn's notes (``companion.facts.notes``); this keeps a small model to it, in each language's
words (``Words.unsuitable``), unless the sentence warns against the thing (``Words.warning``).
A sentence that calls the thing safe (``Words.reassurance``: "you can still eat foods with
peanuts in them") is dropped in any turn, warning words or not."""

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
        if not w.unsuitable or w.suggestion is None:
            return KEEP
        # "You can still eat foods with peanuts in them without any issues", to someone who has
        # just said they are allergic: dropped whatever they asked, even with a warning word in it
        reassures = w.reassurance is not None and w.reassurance.search(sentence)
        if not reassures and (not w.suggestion.search(reply.text)
                              or (w.warning is not None and w.warning.search(sentence))):
            return KEEP
        told = " ".join((*reply.notes, reply.text))
        for when, avoid in w.unsuitable:
            hit = avoid.search(sentence)
            if hit and when.search(told):
                said = "calls {!r} safe" if reassures else "suggests {!r}"
                return drop(said.format(hit.group(0)) + " against what they told her")
        return KEEP
