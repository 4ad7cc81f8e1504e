"""Test devices for the daemon: a WAV-file microphone that never ends, and a recording speaker.

Chosen by ``$SAMANTHA_TEST_MIC_WAV`` (a WAV file) and ``$SAMANTHA_TEST_SPEAKER_WAV`` (where her
voice is written when she stops). They exist so the daemon can be tested on a machine with no
sound card; the daemon logs a warning when they are in use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk, WavStream, write_wav
from samantha.testing.fakes import RecordingSpeaker


class LoopingWavMicrophone:
    """The file at real-time pace, then silence for ever, as a real microphone would. Read a
    block at a time (``WavStream``): an hour's recording costs one block of memory."""

    def __init__(self, path: str | Path, chunk_ms: int = 30) -> None:
        self.audio = WavStream(path)  # checked now, read as it plays
        self.chunk_ms = chunk_ms
        self.closed = False

    async def chunks(self) -> AsyncIterator[AudioChunk]:
        step = RATE * self.chunk_ms // 1000
        blocks = self.audio.blocks()
        held = np.zeros(0, np.int16)
        origin = time.perf_counter_ns()
        index = 0
        while not self.closed:
            start = index * step
            while len(held) < step and (block := next(blocks, None)) is not None:
                held = np.concatenate([held, block])
            part, held = held[:step], held[step:]
            part = part if len(part) == step else np.zeros(step, np.int16)
            due = origin + (start + step) * 1_000_000_000 // RATE
            delay = (due - time.perf_counter_ns()) / 1e9
            await asyncio.sleep(max(delay, 0))
            yield AudioChunk(part, RATE, 1, origin + start * 1_000_000_000 // RATE)
            index += 1

    def close(self) -> None:
        self.closed = True


class WavSpeaker(RecordingSpeaker):
    """Records her voice and writes it to ``path`` when closed."""

    def __init__(self, path: str | Path | None) -> None:
        super().__init__()
        self.path = Path(path) if path else None

    def close(self, timeout_s: float = 5.0) -> bool:
        if self.path is not None and self.chunks:
            write_wav(self.path, self.recording())
        return True
