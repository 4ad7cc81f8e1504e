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
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from samantha.audio.chunk import AudioChunk
from samantha.clock import now_ns
from samantha.inference.protocols import Confidence, LanguageModel, Transcriber, Transcript

if TYPE_CHECKING:
    from samantha.companion.brain import Conversation
    from samantha.pipeline.turn import TurnResult

log = logging.getLogger(__name__)

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
    """The speculative start's transcription (shielded: dropping the turn does not stop it);
    its result is the voice of those words (``brain.Heard``: their prosody, under way)."""
    result: TurnResult
    """Where that transcription writes its transcript (``result.heard``)."""
    for_her: Callable[[str], str | None] = lambda text: text
    """The request in these words if they would wake her (None if not). Her name heard alone,
    without what follows, is where whisper slips ("Hey Samantha," -> "Hey, some men."): a head
    that would not wake her is not kept, and the whole utterance, name and all, is heard again
    in one piece."""

    async def transcript(self) -> Transcript | None:
        """What was heard up to the pause; None if that transcription failed, heard nothing,
        looped or would not wake her (then the whole utterance is heard again in one piece, as
        without a pause)."""
        heard = await self._heard()
        return heard[0] if heard is not None else None

    async def request(self) -> str | None:
        """The request so far in the kept words (her name taken off), or None as above."""
        heard = await self._heard()
        return heard[1] if heard is not None else None

    async def _heard(self) -> tuple[Transcript, str] | None:
        await asyncio.wait([self.hearing])  # its failure is not ours; our cancel still is
        heard = self.result.heard
        if heard is None or not heard.text or doubled(heard.text) \
                or (heard.confidence is not None and heard.confidence.looped):
            return None
        rest = self.for_her(heard.text)
        return (heard, rest) if rest is not None else None


@dataclass
class Keeper:
    """The turn loop's side of keeping: which start's transcription outlives its turn, what
    is kept in the utterance in progress, and the request so far read into the model."""

    enabled: bool
    conversation: Conversation
    llm: LanguageModel
    for_her: Callable[[str], str | None]
    unwinding: set[asyncio.Future[Any]]
    """The loop's tasks that must be held until they end (and cancelled when it stops)."""
    kept: Kept | None = None
    paused_at_s: float = 0.0

    def hear(self, transcribing: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a streaming turn's transcription as a task of its own, so that a pause may
        keep it when the turn is dropped."""
        ears = asyncio.create_task(transcribing)
        self.unwinding.add(ears)
        ears.add_done_callback(self._heard_done)
        return ears

    def _heard_done(self, ears: asyncio.Task[Any]) -> None:
        self.unwinding.discard(ears)
        if not ears.cancelled():
            ears.exception()  # retrieved: the turn that awaited it reports a failure

    def holds(self, hearing: asyncio.Future[Any] | None) -> bool:
        """Is ``hearing`` the kept transcription (not to be cancelled with its turn)?"""
        return hearing is not None and self.kept is not None and self.kept.hearing is hearing

    def forget(self) -> None:
        """A new utterance, a dropped one, or one a turn took: nothing is kept."""
        self.kept = None

    def resumed(self, at_s: float, samples: int, audio_s: float,
                hearing: asyncio.Future[Any] | None, result: TurnResult) -> None:
        """The person went on after the pause that began at ``paused_at_s``; the dropped start
        heard the utterance's first ``samples`` (``audio_s``). Keep it if the pause was a real
        one and there was enough before it, and read the request so far into the model."""
        pause_s = at_s - self.paused_at_s
        if not self.enabled or hearing is None or pause_s < KEEP_PAUSE_S \
                or audio_s < MIN_KEPT_S:
            return
        log.debug("kept what was heard before a %.2f s pause (%.1f s)", pause_s, audio_s)
        kept = self.kept = Kept(samples, hearing, result, self.for_her)
        if self.llm.prefix_cache:
            priming = asyncio.create_task(self._prime(kept))
            self.unwinding.add(priming)
            priming.add_done_callback(self.unwinding.discard)

    async def _prime(self, kept: Kept) -> None:
        """While the person goes on, read the request so far into the model (its notes and
        first words), so that at the end only the rest is prefilled. Nothing is generated
        for anyone; a request whose rest changes the notes just prefills them again."""
        request = await kept.request()
        if request is None or self.kept is not kept:  # a new utterance, or a later pause
            return
        voice = kept.hearing.result()  # the voice of the kept words (its prosody, under way)
        messages = await self.conversation.draft(request, voice)
        if self.kept is not kept:
            return
        if messages is not None:
            await self.llm.prime(messages)


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
