"""Hearing honestly: did she catch what was said, or would she be answering a guess?

A Korean question was heard as "samangja" (a dead person) instead of her name, and she
answered that, yes, clearly, someone had died. whisper knows when it is guessing: the tokens
it was unsure of
have low probabilities (``inference.protocols.Confidence``, read from the decode it already
did). When it was unsure, or its words are not words of the language, she asks again briefly
instead of answering; the ask-again turn keeps the follow-up window open so the person can just
say it again, and it is not written to the history.

``heard_clearly`` is a pure function of the transcript, tested without audio. Its threshold is
each language pack's (``Pack.asr_unsure``), tuned on the dev split of ``samantha bench
--hearing`` only (held-out is reported, never tuned on); the ask-again line is each pack's
``phrases.ask_again``, and a language with an analyser (``Pack.analyser``) says whether the
words are words.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from samantha import lang
from samantha.config import Persona
from samantha.inference.protocols import Transcript
from samantha.lang import Pack

log = logging.getLogger(__name__)

MAX_ASKS = 2
"""Asks in a row; after these she stays quiet rather than ask a third time (a noisy room in the
follow-up window must not make her ask for ever)."""


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


def language_of(transcript: Transcript, expected: str) -> Pack | None:
    """The pack of the language the transcript is in: whisper's, else its script's, else the
    one she listens for ('auto': her first); None for a language she does not speak."""
    if transcript.confidence is not None and transcript.confidence.language:
        return _pack(transcript.confidence.language)
    return lang.pack_for(transcript.text, _pack(expected) or lang.packs()[0])


def _pack(code: str) -> Pack | None:
    return next((p for p in lang.packs() if p.code == code), None)


def heard_clearly(transcript: Transcript, expected: str = "en",
                  names: tuple[str, ...] = ("Samantha",)) -> Verdict:
    """Was ``transcript`` heard clearly enough to answer? ``expected`` is the language she
    listens for ('en', 'ko' or 'auto'); ``names`` are words that are fine whatever a
    dictionary says (her name, in every spelling its language knows). A transcript without
    confidence (a scripted fake) is judged on its words alone."""
    text = transcript.text.strip()
    if not text:
        return Verdict(False, "nothing heard")
    pack = language_of(transcript, expected)
    if pack is None:  # "auto" heard a language she does not speak
        return Verdict(False, "other language")
    sure = transcript.confidence
    if sure is not None and sure.looped:
        return Verdict(False, "looped")
    if _TRAILING.search(text):
        return Verdict(False, "trailed off")
    if _CHARACTER_LOOP.search("".join(text.split())) or not words_of(pack, text, names):
        return Verdict(False, "not words")
    if sure is not None and sure.mean_logprob < pack.asr_unsure:
        return Verdict(False, "unsure")
    return CLEAR


NOT_WORDS_SHARE = 1 / 8
"""Words the analyser cannot read, as a share of the words heard, from which she asks again
(and always from one). A listener follows a long sentence with one odd word in it (a name, a
rare word, one syllable misheard): on real Korean speech (the Zeroth recordings, dev split)
whisper-base wrote sentences of 11-19 words right but for one such word (two words run
together, one syllable off), and she asked again on each while any odd word counted; what it
writes from noise or a mishearing is odd word after odd word."""


def words_of(pack: Pack, text: str, names: tuple[str, ...] = ()) -> bool:
    """Are the words of ``text`` words of ``pack``'s language, as its analyser reads them
    (``Pack.analyser``: Korean, kiwipiepy; text in another script is not asked), all but
    fewer than ``NOT_WORDS_SHARE`` of them? English has no such check: on the dev split a
    160k-word English list (pyspellchecker 0.9.1) never flagged a transcript, because whisper
    writes real words even when it guesses."""
    if pack.analyser is None:
        return True
    odd = pack.analyser.unreadable_words(text, names)
    return len(odd) < max(1.0, NOT_WORDS_SHARE * len(text.split()))


def warm_up(persona: Persona) -> None:
    """Load the analysers of the languages she hears now, not on the first turn."""
    for pack in lang.spoken(persona):
        if pack.analyser is not None:
            pack.analyser.warm_up()
