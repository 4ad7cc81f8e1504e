"""English content words, for the parroting guard (``companion/guards/parrot.py``): plain words
less the function words. Her sentence is a retelling only when both hers and the person's speak
in the first person and hers does not address them ("you")."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z']+")
_FUNCTION = frozenset("""a an the and or but so to of in on at for with from by about as is am
are was were be been being do does did have has had it its this that these those there here
very too also just really so i i'm i've i'd i'll me my mine myself we our us""".split())
_FIRST = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself)\b", re.IGNORECASE)
_YOU = re.compile(r"\b(you|your|you're|you've|yours)\b", re.IGNORECASE)


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _FUNCTION]


class Content:
    """``lang.protocols.Content`` for English."""

    def retold(self, sentence: str, heard: str) -> tuple[list[str], list[str]] | None:
        if sentence.rstrip().endswith("?") or _YOU.search(sentence):
            return None
        if not (_FIRST.search(sentence) and _FIRST.search(heard)):
            return None
        return content_words(sentence), content_words(heard)
