"""Parroting: she says her person's sentence back as her own ("I had a rough day at work." ->
"I had a rough day at work, too." / "오늘 회사에서 너무 힘들었어요." -> the same, as hers).

Language-neutral part: the share of her content words that are the person's. Each language
gives its content words (English: plain words less the function words; Korean: Kiwi's content
morphemes) and says when a sentence is about the person rather than herself (a question,
"you", an honorific), which is listening, not parroting; and her answer to the person's
question may use its words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MIN_WORDS = 3
"""Fewer content words than this ("Me too.") are not a sentence to take as one's own."""
SHARE = 0.75
"""The share of her content words that are the person's, and of theirs that are in hers, from
which her sentence is theirs ("커피는 마시면 좋아요" answering "커피 많이 마시면 안 좋아?"
is not: she uses their words, not their sentence)."""

_EN_WORD = re.compile(r"[a-z']+")
_EN_FUNCTION = frozenset("""a an the and or but so to of in on at for with from by about as is am
are was were be been being do does did have has had it its this that these those there here
very too also just really so i i'm i've i'd i'll me my mine myself we our us""".split())
_EN_FIRST = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my|mine|myself)\b", re.IGNORECASE)
_EN_YOU = re.compile(r"\b(you|your|you're|you've|yours)\b", re.IGNORECASE)


def share(mine: Sequence[str], theirs: Sequence[str]) -> float:
    """The fraction of ``mine`` that also occurs in ``theirs`` (0 when ``mine`` is empty)."""
    if not mine:
        return 0.0
    pool = set(theirs)
    return sum(1 for w in mine if w in pool) / len(mine)


def _english(sentence: str, heard: str) -> bool:
    if sentence.rstrip().endswith("?") or _EN_YOU.search(sentence):
        return False
    if not (_EN_FIRST.search(sentence) and _EN_FIRST.search(heard)):
        return False
    mine = [w for w in _EN_WORD.findall(sentence.lower()) if w not in _EN_FUNCTION]
    theirs = [w for w in _EN_WORD.findall(heard.lower()) if w not in _EN_FUNCTION]
    return _copied(mine, theirs)


def _copied(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    """Most of her words are theirs, and most of theirs are in hers: their sentence, retold."""
    return len(mine) >= MIN_WORDS and share(mine, theirs) >= SHARE and share(theirs, mine) >= SHARE


def _korean(sentence: str, heard: str) -> bool:
    from samantha.lang.ko import grammar

    if grammar.speaks_to_you(sentence):
        return False
    mine = grammar.content_words(sentence)
    return _copied(mine, grammar.content_words(heard))


def parrots(sentence: str, heard: str, lang: str) -> bool:
    """True when ``sentence`` (hers) repeats ``heard`` (the person's) as her own words.
    ``lang`` is "en" or "ko"; another language is not judged (False)."""
    if not heard.strip() or not sentence.strip() or heard.rstrip().endswith("?"):
        return False  # an answer to a question uses its words ("요가는 몸에 좋아?" "요가를
        # 하면 몸이 좋아요."): the held-out replies showed it twice
    if lang == "ko":
        return _korean(sentence, heard)
    if lang == "en":
        return _english(sentence, heard)
    return False
