"""Parroting: she says her person's sentence back as her own ("I had a rough day at work." ->
"I had a rough day at work, too.", or the same in Korean, as hers).

Language-neutral part: the share of her content words that are the person's. Each language
pack gives its content words (``Pack.content``: English, plain words less the function words;
Korean, Kiwi's content morphemes) and says when a sentence is about the person rather than
herself (a question, "you", an honorific), which is listening, not parroting; and her answer
to the person's question may use its words.
"""

from __future__ import annotations

from collections.abc import Sequence

from samantha.lang.protocols import Content

MIN_WORDS = 3
"""Fewer content words than this ("Me too.") are not a sentence to take as one's own."""
SHARE = 0.75
"""The share of her content words that are the person's, and of theirs that are in hers, from
which her sentence is theirs (answering "is a lot of coffee bad for me?" with "coffee is good
if you drink it" is not: she uses their words, not their sentence)."""


def share(mine: Sequence[str], theirs: Sequence[str]) -> float:
    """The fraction of ``mine`` that also occurs in ``theirs`` (0 when ``mine`` is empty)."""
    if not mine:
        return 0.0
    pool = set(theirs)
    return sum(1 for w in mine if w in pool) / len(mine)


def _copied(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    """Most of her words are theirs, and most of theirs are in hers: their sentence, retold."""
    return len(mine) >= MIN_WORDS and share(mine, theirs) >= SHARE and share(theirs, mine) >= SHARE


def parrots(sentence: str, heard: str, content: Content | None) -> bool:
    """True when ``sentence`` (hers) repeats ``heard`` (the person's) as her own words, by the
    content words of the sentence's language (None: it has none, and nothing is judged)."""
    if content is None or not heard.strip() or not sentence.strip() \
            or heard.rstrip().endswith("?"):
        return False  # an answer to a question uses its words ("is yoga good for me?" "doing
        # yoga is good for you."): the held-out Korean replies showed it twice
    words = content.retold(sentence, heard)
    return words is not None and _copied(*words)
