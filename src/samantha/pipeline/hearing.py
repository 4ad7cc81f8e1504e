"""Hearing honestly: did she catch what was said, or would she be answering a guess?

A Korean question was heard as "samangja" (a dead person) instead of her name, and she
answered that, yes, clearly, someone had died. whisper knows when it is guessing: the tokens
it was unsure of
have low probabilities (``inference.protocols.Confidence``, read from the decode it already
did). When it was unsure, or its words are not words of the language, she asks again briefly
instead of answering; the ask-again turn keeps the follow-up window open so the person can just
say it again, and it is not written to the history.

``heard_clearly`` is a pure function of the transcript, tested without audio. Its thresholds are
per language and were tuned on the dev split of ``samantha bench --hearing`` only (held-out is
reported, never tuned on).

The ask-again phrases and the thresholds are data for the language packs (``lang/en``,
``lang/ko``) when those exist: ``THRESHOLDS`` (the line is each pack's ``phrases.ask_again``).
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from samantha.inference.protocols import Transcript
from samantha.lang import script

log = logging.getLogger(__name__)

MAX_ASKS = 2
"""Asks in a row; after these she stays quiet rather than ask a third time (a noisy room in the
follow-up window must not make her ask for ever)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Below these, whisper was guessing."""

    mean_logprob: float
    """Average log-probability per token: under this, the transcript is a guess. (The share of
    weak tokens was also tried on dev: it never caught one that this did not.)"""


THRESHOLDS = {
    "en": Thresholds(mean_logprob=-0.6),
    "ko": Thresholds(mean_logprob=-0.7),
}
"""Tuned on the dev split of ``samantha bench --hearing`` (tiny.en for English, base for
Korean): English right transcripts sit above -0.5 but for one at -0.93 under heavy noise;
wrong ones mostly below -0.6."""
_TRAILING = re.compile(r"\.\.\.|…")
"""whisper writes "..." where the speech trails off or it could not follow ("It's going to...",
"Some under... ... ...")."""
_CHARACTER_LOOP = re.compile(r"(.{1,4}?)\1{4,}")
"""A unit of up to four characters five times in a row, spaces ignored: whisper spelling out
noise ("T.U.T.A.H.R.Y.R.Y.R.Y…", "R-R-R-R-R", a Korean syllable five times), which
``asr.collapse_loops`` (words) does not see."""


@dataclass(frozen=True, slots=True)
class Verdict:
    clear: bool
    reason: str = ""
    """Why not ("" when clear): nothing heard, looped, trailed off, not words, unsure, other
    language."""


CLEAR = Verdict(True)


def language_of(transcript: Transcript, expected: str) -> str:
    """The language the transcript is in: whisper's, else its script, else ``expected``."""
    if transcript.confidence is not None and transcript.confidence.language:
        return transcript.confidence.language
    if script.has(transcript.text, "hangul"):
        return "ko"
    return expected if expected in THRESHOLDS else "en"


def heard_clearly(transcript: Transcript, expected: str = "en",
                  names: tuple[str, ...] = ("Samantha",)) -> Verdict:
    """Was ``transcript`` heard clearly enough to answer? ``expected`` is the language she
    listens for ('en', 'ko' or 'auto'); ``names`` are words that are fine whatever a
    dictionary says (her name, in every spelling the Korean pack knows). A transcript without
    confidence (a scripted fake) is judged on its words alone."""
    text = transcript.text.strip()
    if not text:
        return Verdict(False, "nothing heard")
    language = language_of(transcript, expected)
    limits = THRESHOLDS.get(language)
    if limits is None:  # "auto" heard a language she does not speak
        return Verdict(False, "other language")
    sure = transcript.confidence
    if sure is not None and sure.looped:
        return Verdict(False, "looped")
    if _TRAILING.search(text):
        return Verdict(False, "trailed off")
    if _CHARACTER_LOOP.search("".join(text.split())) or not words_of(language, text, names):
        return Verdict(False, "not words")
    if sure is not None and sure.mean_logprob < limits.mean_logprob:
        return Verdict(False, "unsure")
    return CLEAR


def words_of(language: str, text: str, names: tuple[str, ...] = ()) -> bool:
    """Are the words of ``text`` words of ``language``, as its pack's analyser reads them?
    Korean asks ``samantha.lang.ko.grammar.unreadable`` (kiwipiepy) where that pack is here.
    English has no such check: on the dev split a 160k-word English list (pyspellchecker 0.9.1)
    never flagged a transcript, because whisper writes real words even when it guesses."""
    if language == "ko" and script.has(text, "hangul"):  # English to Korean ears: not asked
        unreadable = korean_analyser()
        if unreadable is None:
            return True
        from samantha.lang.ko.wake import korean_forms

        known = (*names, *(form for name in names for form in korean_forms(name)))
        return not unreadable(text, known)
    return True


@functools.cache
def korean_analyser() -> Callable[[str, tuple[str, ...]], object] | None:
    """The Korean pack's analyser (``samantha.lang.ko.grammar.unreadable``: kiwipiepy says the
    sentence is not Korean words), or None where that pack is not here."""
    try:
        unreadable: Callable[[str, tuple[str, ...]], object] = \
            importlib.import_module("samantha.lang.ko.grammar").unreadable
    except (ImportError, AttributeError):
        return None
    return unreadable


def warm_up(language: str) -> None:
    """Load the Korean analyser now, not on the first turn."""
    if language in ("ko", "auto"):
        korean_analyser()
