"""Ears that keep up: what was heard before a pause inside an utterance is kept, so that at its
end only the words after the last pause are transcribed.

A speculative start transcribes the audio up to every pause. When the person goes on after a
real pause (``KEEP_PAUSE_S``, a break between phrases, not the closure of a consonant), that
transcript is not thrown away: it covers the utterance up to the pause, and the next turn of the
same utterance transcribes only the rest. Whisper is not incremental, and its time grows with the
audio (a 10 s Korean sentence: ~1.3 s here); cut at a pause, most of it is done while the
person is still talking. The cut is always in silence (the pause), never inside a word.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from samantha.audio.chunk import AudioChunk
from samantha.clock import now_ns
from samantha.inference.protocols import Confidence, Transcriber, Transcript

if TYPE_CHECKING:
    from samantha.pipeline.turn import TurnResult

KEEP_PAUSE_S = 0.12
"""A pause at least this long (four of the VAD's 30 ms frames) is a break between phrases: what
came before it is kept. In the dev recordings of read Korean the breaks between phrases last
0.12-0.3 s as the VAD hears them, the gaps inside words (a stop's closure) 0.06-0.09 s."""
MIN_KEPT_S = 1.0
"""Less audio than this before the pause is not worth keeping (whisper is least sure on short
clips, and it saves little)."""


@dataclass(frozen=True, slots=True)
class Kept:
    """The transcription of an utterance's first ``samples``, done or under way."""

    samples: int
    hearing: asyncio.Future[Any]
    """The speculative start's transcription (shielded: dropping the turn does not stop it)."""
    result: TurnResult
    """Where that transcription writes its transcript (``result.heard``)."""
    for_her: Callable[[str], bool] = lambda _text: True
    """Would these words wake her? Her name heard alone, without what follows, is where
    whisper slips ("Hey Samantha," -> "Hey, some men."): a head that would not wake her is
    not kept, and the whole utterance, name and all, is heard again in one piece."""

    async def transcript(self) -> Transcript | None:
        """What was heard up to the pause; None if that transcription failed, heard nothing,
        looped or would not wake her (then the whole utterance is heard again in one piece, as
        without a pause)."""
        await asyncio.wait([self.hearing])  # its failure is not ours; our cancel still is
        heard = self.result.heard
        if heard is None or not heard.text or doubled(heard.text) \
                or (heard.confidence is not None and heard.confidence.looped) \
                or not self.for_her(heard.text):
            return None
        return heard


def doubled(text: str, at_least: int = 4) -> bool:
    """Does ``text`` say a phrase of ``at_least`` words twice in a row? Whisper's loop: seen on
    a 4.7 s Korean clip that held its 9-word phrase once. Kept, it would stay in the request
    however the end was heard; a person who says four words twice is heard again whole."""
    words = [w.strip(".,!?;:'\"").lower() for w in text.split()]
    return any(words[i:i + k] == words[i + k:i + 2 * k]
               for k in range(at_least, len(words) // 2 + 1)
               for i in range(len(words) - 2 * k + 1))


def joined(before: Transcript, rest: Transcript, audio_s: float, asr_ns: int) -> Transcript:
    """One transcript of the whole utterance: the kept words, then the rest."""
    text = f"{before.text} {rest.text}".strip()
    sure = None
    a, b = before.confidence, rest.confidence
    if a is not None and b is not None:
        sure = Confidence(a.probs + b.probs, b.language if b.probs else a.language,
                          looped=a.looped or b.looped)
    return Transcript(text, audio_s, asr_ns, sure if sure is not None else a or b)


async def transcribe_rest(asr: Transcriber, audio: AudioChunk, kept: Kept | None,
                          full_window: bool = False) -> Transcript:
    """``audio`` to text, transcribing only what ``kept`` does not cover. The time reported is
    the time the turn waited: for the kept words (if still under way) and the rest."""
    start = now_ns()
    before = await kept.transcript() if kept is not None else None
    if kept is None or before is None or kept.samples >= len(audio.samples):
        whole = await asr.transcribe_async(audio, full_window=full_window)
        return replace(whole, asr_ns=now_ns() - start)
    tail = AudioChunk(audio.samples[kept.samples:], audio.rate, audio.channels)
    rest = await asr.transcribe_async(tail, full_window=full_window)
    return joined(before, rest, audio.seconds, now_ns() - start)
