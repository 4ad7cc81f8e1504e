"""The seams of the three C models: what the rest of Samantha may ask of each, whole.

``asr.Transcriber``, ``llm.LanguageModel`` and ``tts.Voice`` are the real engines; the scripted
fakes in ``samantha.testing.fakes`` satisfy the same protocols, so the turn loop is tested in
milliseconds. ``turn_model.SmartTurn`` is the optional ``EndOfTurn``. Nothing outside this
package probes an engine for optional methods.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from samantha.audio.chunk import AudioChunk

Message = dict[str, str]


@dataclass(frozen=True, slots=True)
class Confidence:
    """How sure whisper was of a transcript, read from the decode it already did (no second
    pass): the probability of each token it chose, and the language it decoded in."""

    probs: tuple[float, ...]
    """Probability of each text token, in order (special tokens such as the end left out)."""
    language: str
    """The language whisper decoded in ('en', 'ko', ...; the detected one in 'auto')."""
    looped: bool = False
    """The text repeated itself and was cut back to one copy (``asr.collapse_loops``)."""

    @property
    def mean_logprob(self) -> float:
        """Average log-probability per token (0.0 is certain; whisper's own fallback rule
        distrusts a decode under -1.0). 0.0 when there are no tokens."""
        if not self.probs:
            return 0.0
        return sum(math.log(max(p, 1e-9)) for p in self.probs) / len(self.probs)

    @property
    def min_prob(self) -> float:
        return min(self.probs, default=1.0)

    def low_share(self, below: float) -> float:
        """The share of tokens whisper gave less than ``below``."""
        return sum(p < below for p in self.probs) / len(self.probs) if self.probs else 0.0


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    audio_s: float
    asr_ns: int
    confidence: Confidence | None = None
    """How sure the recogniser was; None where it cannot say (a scripted fake)."""


class Transcriber(Protocol):
    def transcribe(self, chunk: AudioChunk, full_window: bool = False) -> Transcript: ...

    async def transcribe_async(self, chunk: AudioChunk,
                               full_window: bool = False) -> Transcript: ...

    def warm_up(self) -> None: ...

    def close(self) -> None: ...


class LanguageModel(Protocol):
    prefix_cache: bool
    """Reuse the KV cache of the previous prompt's common prefix (off: prefill from scratch)."""

    @property
    def size_bytes(self) -> int: ...

    def astream(self, messages: list[Message],
                max_tokens: int | None = None) -> AsyncGenerator[str, None]: ...

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str: ...

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str: ...

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str: ...

    async def forget(self) -> None:
        """Drop the KV cache: the next prompt is prefilled in full."""

    def warm_up(self, messages: list[Message]) -> None: ...

    async def prime(self, messages: list[Message]) -> None:
        """Prefill ``messages`` (the conversation so far), so a prompt that starts with them
        prefills only what follows."""

    def prompt_tokens(self) -> int:
        """Prompt tokens evaluated since the model was loaded (what the prefix cache missed)."""

    def close(self) -> None: ...


class Voice(Protocol):
    rate: int
    """Her voice's sample rate."""

    def synthesize(self, text: str) -> AudioChunk: ...

    async def synthesize_async(self, text: str, pace: float = 1.0) -> AudioChunk:
        """``pace`` above 1.0 speaks more slowly. Unspeakable text gives an empty chunk."""

    def warm_up(self) -> None: ...

    def close(self) -> None: ...


class EndOfTurn(Protocol):
    """A semantic end-of-turn model: has the person finished, or only paused?"""

    async def complete_async(self, samples: np.ndarray) -> bool: ...

    def warm_up(self) -> None: ...

    def close(self) -> None: ...
