"""A client's audio for one transcription, held as 16 kHz mono int16 and bounded.

Each chunk is mixed to mono and resampled as it arrives (one streaming resampler per request,
so chunk edges leave no seams), so a request costs 32 kB a second whatever the client sends:
``max_audio_s`` of 120 s is under 4 MB. Past the limit the audio is counted, not kept, and the
request ends with one clear error at ``audio-stop``; the connection stays open, as
wyoming-faster-whisper keeps it for long audio.
"""

from __future__ import annotations

import numpy as np
import soxr

from samantha.audio.chunk import RATE, AudioChunk


class Collector:
    def __init__(self, rate: int, channels: int, max_s: float) -> None:
        self.rate, self.channels, self.max_s = rate, channels, max_s
        self._parts: list[np.ndarray] = []
        self._kept = 0
        self.heard_s = 0.0
        """Seconds the client sent, kept or not."""
        self._stream = None if rate == RATE else soxr.ResampleStream(rate, RATE, 1,
                                                                      dtype="float32")

    @property
    def over(self) -> bool:
        return self.heard_s > self.max_s

    def add(self, samples: np.ndarray) -> None:
        """``samples``: frames x channels, int16."""
        self.heard_s += len(samples) / self.rate
        if self.over:
            self._parts, self._stream = [], None  # nothing more is kept
            return
        self._push(self._mono(samples), last=False)

    def _mono(self, samples: np.ndarray) -> np.ndarray:
        if samples.ndim == 2 and samples.shape[1] > 1:
            return np.asarray(samples.astype(np.float32).mean(axis=1) / 32768.0,
                              dtype=np.float32)
        return np.asarray(samples.reshape(-1).astype(np.float32) / 32768.0, dtype=np.float32)

    def _push(self, mono: np.ndarray, last: bool) -> None:
        if self._stream is not None:
            mono = self._stream.resample_chunk(mono, last=last)
        if len(mono):
            pcm = np.clip(np.round(mono * 32768.0), -32768, 32767).astype(np.int16)
            self._parts.append(pcm)
            self._kept += len(pcm)

    def audio(self) -> AudioChunk:
        """Everything kept, at 16 kHz mono (call once, at ``audio-stop``)."""
        if not self.over:
            self._push(np.zeros(0, np.float32), last=True)
        samples = np.concatenate(self._parts) if self._parts else np.zeros(0, np.int16)
        self._parts = []
        return AudioChunk(samples, RATE)
