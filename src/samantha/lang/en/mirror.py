"""Her sentence saying the person's own words back as hers ("I'm allergic to peanuts" answered
with "I'm not allergic to peanuts.", "I'm ready to make pasta for dinner.")."""

from __future__ import annotations

import re

_WORD = re.compile(r"[\w']+")
FIRST = {"i": "you", "i'm": "you're", "my": "your", "me": "you", "mine": "yours",
         "i've": "you've", "i'll": "you'll", "myself": "yourself", "am": "are"}
STOP = {"the", "a", "an", "to", "of", "and", "is", "are", "it", "that", "this", "in", "on",
        "not", "so", "just", "really", "very", "do", "don't", "be", "you", "your", "you're"}


def content(text: str) -> set[str]:
    """The words of ``text`` that carry meaning, lower case."""
    return {w for w in (x.lower() for x in _WORD.findall(text)) if w not in STOP}


def mirrors(sentence: str, said: str) -> bool:
    """Does ``sentence`` say the person's own words back as hers?"""
    words = [w.lower() for w in _WORD.findall(sentence)]
    if not words or words[0] not in ("i", "i'm", "my", "we", "we're") \
            or said.rstrip().endswith("?"):
        return False  # only a statement can be said back as hers
    theirs = content(said) - set(FIRST)
    if len(theirs) < 2:
        return False
    mine = content(sentence) - set(FIRST)
    return len(theirs & mine) / len(theirs) >= 0.6
