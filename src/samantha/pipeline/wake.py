"""Wake: when is she being spoken to?

``phrase`` (the default): VAD-gated speech whose transcript starts with her name, tolerantly
("hey Samantha", "Samanta", "Samantha,"). After she answers, a follow-up window opens in which
no name is needed. ``always``: every utterance is for her. ``model``: an acoustic wake word
(microWakeWord, ``inference.wake_model``) listens to the microphone stream on its own worker;
no utterance reaches whisper unless the word was heard in it (or just before it), it falls in
the follow-up window, or it interrupts her. "Stop" said to her silences her without a reply.

The decisions are pure functions of text, time and flags, tested without audio.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from samantha import lang
from samantha.config import WakeConfig
from samantha.inference.wake_model import WakeWord
from samantha.inference.worker import Worker
from samantha.lang.en.wake import words as _words


@dataclass(frozen=True, slots=True)
class WakeMatch:
    woke: bool
    rest: str
    """What was said after her name (the request itself)."""


def match_phrase(transcript: str, phrase: str, similarity: float = 0.75) -> WakeMatch:
    """Does the transcript start with the wake phrase, in any language she knows? Greetings
    before it are allowed; each language pack knows how her name is said and misheard
    ("Hey Samantha, what time is it" → woke, rest "what time is it"; her Korean name, called
    in Korean)."""
    for pack in lang.packs():
        woke, rest = pack.wake(transcript, phrase, similarity)
        if woke:
            return WakeMatch(True, rest)
    return WakeMatch(False, transcript)


class FollowUpWindow:
    """After she has spoken, a window in which the person need not say her name."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._until = float("-inf")

    def open(self, now_s: float) -> None:
        self._until = now_s + self.seconds

    def close(self) -> None:
        self._until = float("-inf")

    def is_open(self, now_s: float) -> bool:
        return now_s <= self._until


def is_stop(request: str) -> bool:
    """Is the whole request a plea for silence ("stop", "Stop it.", "be quiet")?"""
    said = " ".join(_words(request))
    return any(said in pack.stop_words for pack in lang.packs())


def echoes(transcript: str, said: list[str]) -> bool:
    """Is ``transcript`` her own recent words heard back? The echo canceller can let the tail of
    a reply through, and in the follow-up window it needs no name: seen in an hour's soak, she
    heard "Thank you for telling me I'll keep that in mind." and answered herself. Whisper hears
    her a little differently, so: four words or more, 80 % of them in order in one thing she
    said (a line, or a whole reply)."""
    heard = _words(transcript)
    if len(heard) < 4:
        return False  # "pasta or rice?" said back to her is an answer, not an echo
    for line in said:
        blocks = difflib.SequenceMatcher(None, heard, _words(line), autojunk=False)
        if sum(b.size for b in blocks.get_matching_blocks()) >= 0.8 * len(heard):
            return True
    return False


class WakeGate:
    """Decides whether an utterance may be transcribed (model mode), and per transcript whether
    she should answer and what the request is."""

    def __init__(self, cfg: WakeConfig, name: str) -> None:
        self.cfg = cfg
        self.phrase = cfg.phrase or name
        self.window = FollowUpWindow(cfg.follow_up_s)
        self.detector = WakeWord(cfg.model, cfg.threshold, cfg.refractory_s) \
            if cfg.mode == "model" else None
        self.worker = Worker("wake") if self.detector is not None else None
        self.heard_at_s = float("-inf")
        """Stream second at which the wake word was last heard (model mode)."""

    @property
    def listens(self) -> bool:
        """Does an acoustic wake word listen to the stream (model mode)?"""
        return self.detector is not None

    async def hear(self, samples: np.ndarray) -> bool:
        """Feed microphone audio to the wake word, on its own worker thread; True if it fired.
        Feed every chunk the segmenter gets, so their stream clocks agree."""
        if self.detector is None or self.worker is None:
            return False
        at_s = await self.worker.run(self.detector.feed, samples)
        if at_s is None:
            return False
        self.heard_at_s = at_s
        return True

    def may_transcribe(self, speech_start_s: float, now_s: float, interrupting: bool) -> bool:
        """May this utterance (speech began at stream second ``speech_start_s``) reach whisper?
        Always, except in model mode: only if the wake word was heard during it or up to
        ``listen_s`` before it began, in the follow-up window, or when it interrupts her."""
        if self.detector is None:
            return True
        return interrupting or self.window.is_open(now_s) \
            or self.heard_at_s >= speech_start_s - self.cfg.listen_s

    def close(self) -> None:
        if self.worker is not None:
            if self.detector is not None:
                self.worker.call(self.detector.close)
            self.worker.close()

    def named(self, transcript: str) -> bool:
        """Does ``transcript`` call her by name (whatever the mode)?"""
        return match_phrase(transcript, self.phrase, self.cfg.similarity).woke

    def decide(self, transcript: str, now_s: float) -> WakeMatch:
        if not transcript.strip():
            return WakeMatch(False, "")
        named = match_phrase(transcript, self.phrase, self.cfg.similarity)
        if self.detector is not None:  # only what passed ``may_transcribe`` was transcribed
            # the word was heard acoustically: whisper's spelling of it ("Okay, Armu") may
            # stray further from the phrase than a misheard name would
            said = match_phrase(transcript, self.detector.phrase, min(self.cfg.similarity, 0.65))
            return said if said.woke else named if named.woke else WakeMatch(True, transcript)
        if self.cfg.mode == "always":
            return named if named.woke else WakeMatch(True, transcript)
        if named.woke or self.window.is_open(now_s):
            return named if named.woke else WakeMatch(True, transcript)
        return WakeMatch(False, transcript)

    def answered(self, now_s: float) -> None:
        """She finished speaking: the follow-up window opens; the wake word is used up."""
        self.window.open(now_s)
        self.heard_at_s = float("-inf")

    def silenced(self) -> None:
        """She was told to stop: no follow-up window, the wake word is used up."""
        self.window.close()
        self.heard_at_s = float("-inf")
