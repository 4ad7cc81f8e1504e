"""Scripted engines and devices, shipped with the package so the tests and the bench share them.

Each satisfies the same protocol as the real thing (``inference.protocols``,
``audio.protocols``), so the turn loop runs in milliseconds with them: a transcriber that says
what it is told, an end-of-turn model that answers as told, a language model that streams
given tokens at a given pace, a voice that returns a tone of a given length, a speaker that
records, and a clock that moves when told.
Fakes are for the edges and for fast tests of logic; the real models test the whole.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from samantha import clock
from samantha.audio.chunk import RATE, AudioChunk, concat
from samantha.audio.handoff import HandOffSpeaker
from samantha.clock import now_ns
from samantha.errors import AsrError
from samantha.inference.protocols import Message, Transcript


class ScriptedTranscriber:
    """Hears the next line of its script on each call (then '' for ever), after ``delay_s``.
    ``fail`` raises the ASR's own error, as a broken whisper.cpp would."""

    def __init__(self, lines: Iterable[str], delay_s: float = 0.0, fail: bool = False) -> None:
        self.lines = list(lines)
        self.delay_s = delay_s
        self.fail = fail
        self.calls: list[float] = []
        """The length in seconds of every utterance it was given."""

    def transcribe(self, chunk: AudioChunk, full_window: bool = False) -> Transcript:
        self.calls.append(chunk.seconds)
        if self.fail:
            raise AsrError("decode", "scripted failure", "none: this is a test")
        text = self.lines.pop(0) if self.lines else ""
        return Transcript(text, chunk.seconds, int(self.delay_s * 1e9))

    async def transcribe_async(self, chunk: AudioChunk,
                               full_window: bool = False) -> Transcript:
        await clock.sleep(self.delay_s)
        return self.transcribe(chunk, full_window)

    def warm_up(self) -> None:
        return None

    def close(self) -> None:
        return None


Reply = str | Callable[[list[Message]], str]


class ScriptedLanguageModel:
    """Streams its replies word by word, ``token_s`` apart. A reply may be a function of the
    prompt. JSON side prompts (tools, facts) get ``json_reply``."""

    def __init__(self, replies: Iterable[Reply] = ("Hello there.",), token_s: float = 0.0,
                 json_reply: str = '{"tool": "none"}') -> None:
        self.replies = list(replies)
        self.token_s = token_s
        self.json_reply = json_reply
        self.prompts: list[list[Message]] = []
        self.primed: list[list[Message]] = []
        self.prefix_cache = True
        self.forgotten = 0
        self.closed = False

    @property
    def size_bytes(self) -> int:
        return 1

    def _next(self, messages: list[Message]) -> str:
        self.prompts.append(messages)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(messages) if callable(reply) else reply

    async def astream(self, messages: list[Message],
                      max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        for i, token in enumerate(re.findall(r"\S+\s*", self._next(messages))):
            if max_tokens is not None and i >= max_tokens:
                return
            await clock.sleep(self.token_s)
            yield token

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return self._next(messages)

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        return self.json_reply

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        return self.json_reply

    async def forget(self) -> None:
        self.forgotten += 1

    def warm_up(self, messages: list[Message]) -> None:
        return None

    async def prime(self, messages: list[Message]) -> None:
        self.primed.append(messages)

    def prompt_tokens(self) -> int:
        return sum(len(m["content"].split()) for p in self.prompts for m in p)

    def close(self) -> None:
        self.closed = True


class ToneVoice:
    """A tone for every sentence: ``seconds_per_char`` long (at least 0.2 s), loud enough to be
    heard as her echo in the simulated room."""

    def __init__(self, seconds_per_char: float = 0.02, rate: int = 22050,
                 delay_s: float = 0.0) -> None:
        self.seconds_per_char = seconds_per_char
        self.rate = rate
        self.delay_s = delay_s
        self.said: list[str] = []

    def synthesize(self, text: str) -> AudioChunk:
        self.said.append(text)
        seconds = max(0.2, len(text) * self.seconds_per_char)
        t = np.arange(int(seconds * self.rate)) / self.rate
        tone = 8000 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
        return AudioChunk(tone.astype(np.int16), self.rate, 1, now_ns())

    async def synthesize_async(self, text: str, pace: float = 1.0) -> AudioChunk:
        await clock.sleep(self.delay_s)
        return self.synthesize(text)

    def warm_up(self) -> None:
        return None

    def close(self) -> None:
        return None


class RecordingSpeaker(HandOffSpeaker):
    """A speaker that plays instantly into memory (the tests' and the daemon test's output)."""

    def __init__(self, rate: int = 22050) -> None:
        super().__init__(rate)
        self.chunks: list[AudioChunk] = []
        self.stops = 0

    async def write(self, chunk: AudioChunk, tag: int = 0) -> None:
        self.chunks.append(chunk)
        self._handed(tag, len(chunk.samples))

    async def drain(self) -> None:
        return None

    def stop(self) -> None:
        self.stops += 1

    def recording(self) -> AudioChunk:
        if not self.chunks:
            return AudioChunk(np.zeros(0, np.int16), self.rate)
        return concat(self.chunks, self.chunks[0].rate)


@dataclass
class ScriptedTurn:
    """An end-of-turn model that answers from its script (then "done" for ever); ``asked``
    holds the length in seconds of each utterance it was asked about."""

    def __init__(self, answers: Iterable[bool] = ()) -> None:
        self.answers = list(answers)
        self.asked: list[float] = []

    async def complete_async(self, samples: np.ndarray) -> bool:
        self.asked.append(len(samples) / RATE)
        await asyncio.sleep(0)
        return self.answers.pop(0) if self.answers else True

    def warm_up(self) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass
class ScriptedClock:
    """Calendar time that moves only when told (reminders, 'what time is it')."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 9, 0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def speech_like(seconds: float, seed: int = 1) -> AudioChunk:
    """Noise shaped like syllables (rising and falling by tens of dB) that webrtcvad takes for
    speech; for the turn loop's tests, where a scripted transcriber says what it 'means'."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    envelope = 0.06 + 0.94 * np.abs(np.sin(2 * np.pi * 3 * t))  # syllables, never silent
    voiced = np.sin(2 * np.pi * 140 * t) + 0.5 * np.sin(2 * np.pi * 280 * t) \
        + 0.25 * np.sin(2 * np.pi * 700 * t) + 0.1 * rng.normal(0, 1, n)
    return AudioChunk((6000 * envelope * voiced).astype(np.int16), RATE)


def json_reply(**fields: Any) -> str:
    return json.dumps(fields)
