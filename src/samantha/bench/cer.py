"""Character error rate: how far a transcript is from what was said, one character at a time.

Korean is written with spaces that speakers and whisper place differently ("kyeo jwo",
"kyeojwo"), so spaces and punctuation are dropped before comparing; Latin letters are lower-
cased. ``jamo=True`` compares the letters (jamo) inside each Hangul syllable instead of whole
syllables, so a near miss (the syllable "chang" for "jang": one letter of three) costs a third
of a syllable, not a whole one.
"""

from __future__ import annotations

import unicodedata


def characters(text: str, jamo: bool = False) -> str:
    """The letters and digits of ``text``, in order, without spaces or punctuation; with
    ``jamo`` each Hangul syllable is split into its letters."""
    text = unicodedata.normalize("NFKC", text).lower()
    if jamo:
        text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if ch.isalnum())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions of one character)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str, jamo: bool = False) -> float:
    """Edits needed to turn the hypothesis into the reference, per reference character
    (0.0 is perfect; above 1.0 is possible when whisper adds text)."""
    ref, hyp = characters(reference, jamo), characters(hypothesis, jamo)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
