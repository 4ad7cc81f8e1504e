"""A speaker whose loudspeaker is at the other end of a Wyoming connection.

``write`` sends ``audio-start`` before the first chunk of a reply, then her voice as
``audio-chunk`` events of ``SAMPLES_PER_CHUNK`` samples; ``finish`` sends ``audio-stop``. The
chunks go out as soon as a sentence is voiced, so the client hears the first sentence while the
next is synthesised. Nothing is written anywhere but the socket.
"""

from __future__ import annotations

import asyncio

import numpy as np
from wyoming.audio import AudioChunk as WyAudioChunk
from wyoming.audio import AudioStart, AudioStop

from samantha.audio.chunk import AudioChunk
from samantha.audio.handoff import HandOffSpeaker
from samantha.clock import now_ns
from samantha.serve.protocol import write_event

SAMPLES_PER_CHUNK = 1024


class StreamSpeaker(HandOffSpeaker):
    """Satisfies ``audio.protocols.Speaker``; the client plays what it is sent."""

    def __init__(self, writer: asyncio.StreamWriter, rate: int = 22050) -> None:
        super().__init__(rate)
        self.writer = writer
        self.started = False
        self.first_audio_ns = 0
        self.samples_sent = 0
        self.playing_until_ns = 0
        """When a client that plays audio as it arrives will have played all that was sent."""

    async def write(self, chunk: AudioChunk, tag: int = 0) -> None:
        if not self.started:
            self.started = True
            self.first_audio_ns = now_ns()
            await write_event(self.writer, AudioStart(rate=chunk.rate, width=2,
                                                      channels=1).event())
        samples = np.ascontiguousarray(chunk.samples, dtype=np.int16)
        for i in range(0, len(samples), SAMPLES_PER_CHUNK):
            piece = samples[i:i + SAMPLES_PER_CHUNK]
            await write_event(self.writer, WyAudioChunk(rate=chunk.rate, width=2, channels=1,
                                                        audio=piece.tobytes()).event())
        self.samples_sent += len(samples)
        start = max(self.playing_until_ns, now_ns())  # a gap between sentences is silence
        self.playing_until_ns = start + int(len(samples) * 1e9 / chunk.rate)
        self._handed(tag, len(samples))

    async def finish(self) -> None:
        """End the reply's audio stream (an empty reply still gets start and stop)."""
        if not self.started:
            await write_event(self.writer, AudioStart(rate=self.rate, width=2,
                                                      channels=1).event())
        await write_event(self.writer, AudioStop().event())
        self.started = False

    async def drain(self) -> None:
        await self.writer.drain()
