"""What the speaker is playing, sample by sample.

The turn writes her voice in; the output device pulls it out in small blocks on its own clock
(PortAudio's callback, or the simulated room). Because every pulled sample passes through here,
this is where barge-in stops her within one block, where the echo canceller's reference comes
from, and where the history learns exactly how much of each sentence was heard.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np
import soxr

from samantha import clock
from samantha.audio.chunk import RATE, AudioChunk
from samantha.clock import now_ns


@dataclass
class _Piece:
    tag: int
    samples: np.ndarray
    pos: int = 0


class Playback:
    def __init__(self, rate: int = 22050, max_buffer_s: float = 20.0) -> None:
        self.rate = rate
        self.max_buffer = int(max_buffer_s * rate)
        self._lock = threading.Lock()
        self._queue: deque[_Piece] = deque()
        self._played: dict[int, tuple[int, int]] = {}  # tag -> (played, total)
        self._ref = deque[np.ndarray]()
        self._ref_len = 0
        self._to16k = soxr.ResampleStream(rate, RATE, 1, dtype="int16")
        self.stopped_ns = 0
        """When the last barge-in stopped her (the bench's barge-in figure)."""

    def set_rate(self, rate: int) -> None:
        """The voice's rate, once it is known (before anything is written)."""
        with self._lock:
            self.max_buffer = int(self.max_buffer / max(self.rate, 1) * rate)
            self.rate = rate
            self._to16k = soxr.ResampleStream(rate, RATE, 1, dtype="int16")

    # -- the turn's side ------------------------------------------------------------------
    async def write(self, chunk: AudioChunk, tag: int = 0) -> None:
        samples = chunk.samples
        if chunk.rate != self.rate:
            samples = soxr.resample(samples, chunk.rate, self.rate).astype(np.int16)
        # bounded: wait for the device, whose clock runs on another thread, to catch up
        while self.buffered() > self.max_buffer:  # noqa: ASYNC110
            await clock.sleep(0.02)
        with self._lock:
            self._queue.append(_Piece(tag, samples))
            played, total = self._played.get(tag, (0, 0))
            self._played[tag] = (played, total + len(samples))

    def buffered(self) -> int:
        with self._lock:
            return sum(len(p.samples) - p.pos for p in self._queue)

    async def drain(self) -> None:
        """Wait until everything written has been pulled by the device."""
        while self.buffered():  # noqa: ASYNC110 - the device pulls on its own thread
            await clock.sleep(0.01)

    def stop(self) -> None:
        """Barge-in: drop everything not yet played. The device plays silence from its next
        block on."""
        with self._lock:
            self._queue.clear()
        self.stopped_ns = now_ns()

    def played(self, tag: int) -> tuple[int, int]:
        """(samples played, samples written) for one piece of her reply."""
        with self._lock:
            return self._played.get(tag, (0, 0))

    def forget(self) -> None:
        """A new reply begins: its pieces are counted from zero."""
        with self._lock:
            self._played.clear()

    def close(self, timeout_s: float = 5.0) -> bool:
        """Nothing to release (the device that pulls owns the sound card); True if all that
        was written has been played."""
        return self.buffered() == 0

    # -- the device's side ----------------------------------------------------------------
    def pull(self, n: int) -> np.ndarray:
        """The next ``n`` samples for the device (silence when nothing is queued)."""
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        with self._lock:
            while filled < n and self._queue:
                piece = self._queue[0]
                take = min(n - filled, len(piece.samples) - piece.pos)
                out[filled:filled + take] = piece.samples[piece.pos:piece.pos + take]
                piece.pos += take
                filled += take
                played, total = self._played.get(piece.tag, (0, 0))
                self._played[piece.tag] = (played + take, total)
                if piece.pos >= len(piece.samples):
                    self._queue.popleft()
            ref = self._to16k.resample_chunk(out)
            self._ref.append(ref)
            self._ref_len += len(ref)
            while self._ref_len > RATE:  # unread (no echo canceller): keep 1 s, not an hour
                self._ref_len -= len(self._ref.popleft())
        return out

    def reference(self, n: int) -> np.ndarray:
        """The next ``n`` 16 kHz samples of what was played, to cancel from the microphone."""
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        with self._lock:
            while filled < n and self._ref:
                head = self._ref[0]
                take = min(n - filled, len(head))
                out[filled:filled + take] = head[:take]
                filled += take
                if take == len(head):
                    self._ref.popleft()
                else:
                    self._ref[0] = head[take:]
            self._ref_len -= filled
            while self._ref_len > RATE:  # never let the reference run more than 1 s ahead
                self._ref_len -= len(self._ref.popleft())
        return out


def cut_words(text: str, fraction: float) -> str:
    """The words of ``text`` heard when ``fraction`` of its audio was played."""
    if fraction >= 0.999:
        return text
    if fraction <= 0.0:
        return ""
    words = text.split()
    chars = fraction * len(text)
    out, used = [], 0
    for word in words:
        used += len(word) + 1
        if used > chars + 1:
            break
        out.append(word)
    return " ".join(out)
