"""The seams at the audio edge: a microphone and a speaker, each with its whole surface.

Real ones: ``devices.Microphone`` and ``devices.Speaker`` (PortAudio). Others: the simulated
room and the WAV-file devices in ``samantha.testing``. The turn loop asks nothing of them beyond
these methods, and never checks which concrete class it was given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import numpy as np

from samantha.audio.chunk import AudioChunk


class Microphone(Protocol):
    def chunks(self) -> AsyncIterator[AudioChunk]:
        """16 kHz mono int16 chunks, stamped with ``perf_counter_ns`` when captured."""
        ...

    def close(self) -> None: ...


class Speaker(Protocol):
    rate: int
    """The rate her voice is written at (set once the voice is known)."""

    async def write(self, chunk: AudioChunk, tag: int = 0) -> None:
        """Queue ``chunk``; ``tag`` names the sentence, for ``played``."""

    async def drain(self) -> None:
        """Wait until everything written has been played."""

    def stop(self) -> None:
        """Barge-in: drop everything not yet played."""

    def played(self, tag: int) -> tuple[int, int]:
        """(samples played, samples written) of piece ``tag`` of the current reply."""
        ...

    def forget(self) -> None:
        """A new reply begins: its pieces are counted from zero."""

    def set_rate(self, rate: int) -> None: ...

    def reference(self, n: int) -> np.ndarray:
        """The next ``n`` 16 kHz samples of what was played (the echo canceller's reference)."""
        ...

    def close(self, timeout_s: float = 5.0) -> bool:
        """Finish playing (bounded); True if everything was played."""
        ...
