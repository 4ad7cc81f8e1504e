"""A simulated room: a virtual microphone and speaker for the demo's double, the bench and the
tests. Fakes at the edge, never in the pipeline.

The person's recording plays into the microphone at its scheduled time; her voice is pulled from
the ``Playback`` on the room's clock, passed through a synthetic room impulse response and a
delay, and added to the microphone at a realistic level, as a speaker beside a microphone
would be.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import numpy as np
import soxr

from samantha.audio.chunk import RATE, AudioChunk, WavStream
from samantha.audio.playback import Playback
from samantha.clock import StreamClock, scripted
from samantha.testing.idle import settle


def room_impulse(rt60_s: float = 0.25, seed: int = 3) -> np.ndarray:
    """A synthetic room: direct path, a few early reflections and a decaying noise tail."""
    rng = np.random.default_rng(seed)
    n = int(rt60_s * RATE)
    t = np.arange(n) / RATE
    tail = rng.normal(0, 1, n) * np.exp(-6.9 * t / rt60_s) * 0.3
    tail[:int(0.004 * RATE)] = 0
    tail[0] = 1.0
    for delay_ms, gain in ((7, 0.5), (13, -0.35), (23, 0.25)):
        tail[int(delay_ms * RATE / 1000)] += gain
    out: np.ndarray = (tail / np.sqrt(np.sum(tail ** 2))).astype(np.float32)
    return out


class _Streamed:
    """A long recording on the timeline, read block by block as the room reaches it (only the
    block in hand is held); ``len`` is its length in samples, as an array's would be."""

    def __init__(self, source: WavStream) -> None:
        self.length = len(source)
        self._blocks = source.blocks()
        self._buf = np.zeros(0, np.float32)  # the samples just before ``_read``
        self._read = 0  # samples taken from the file so far

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, span: slice) -> np.ndarray:
        """Samples ``span.start:span.stop``; spans only move forward, as the room does."""
        lo, hi = span.start, span.stop
        while self._read < hi:
            block = next(self._blocks, None)
            if block is None:
                break
            self._buf = np.concatenate([self._trim(lo), block.astype(np.float32)])
            self._read += len(block)
        self._buf = self._trim(lo)
        first = self._read - len(self._buf)
        out: np.ndarray = self._buf[lo - first:hi - first]
        return out

    def _trim(self, lo: int) -> np.ndarray:
        """The buffer without what lies before sample ``lo`` (never needed again)."""
        first = self._read - len(self._buf)
        return self._buf[max(0, lo - first):]


Sound = np.ndarray | _Streamed


class Room:
    """Person audio scheduled on a timeline, plus her echo, at real-time pace or faster."""

    def __init__(self, playback: Playback, person: AudioChunk | None = None,
                 person_at_s: float = 0.5, echo_gain_db: float = -6.0, delay_ms: float = 30.0,
                 duration_s: float | None = None, realtime: bool = True, chunk_ms: int = 30,
                 rir: np.ndarray | None = None, fast_speech_only: bool = False,
                 clock: StreamClock | None = None) -> None:
        self.playback = playback
        self.clock = clock
        """When given, the room runs on this scripted clock (installed as ``clock.now_ns`` and
        ``clock.sleep`` while it plays): each chunk arrives once the loop is idle and the
        clock has moved to it, never in real time (``realtime`` and ``pace`` are unused).
        What the turn loop does between two chunks then never depends on the machine's load."""
        self.timeline: list[tuple[int, Sound]] = []
        """What the person says, (first sample, sound); a sound is dropped once it is over."""
        if person is not None:
            self.say(person, person_at_s)
        self.echo_gain = 10 ** (echo_gain_db / 20)
        self.delay = int(delay_ms * RATE / 1000)
        self.rir = room_impulse() if rir is None else rir
        self.duration_s = duration_s
        self.realtime = realtime
        self.fast_speech_only = fast_speech_only
        """Not real time: fast while the person speaks, then real time (her reply plays out at
        its own pace, as a microphone and speaker would). Without it, all of it is fast."""
        self.chunk = RATE * chunk_ms // 1000
        self.origin_ns = 0
        self.position = 0
        self._echo_tail = np.zeros(len(self.rir) + self.delay + self.chunk, np.float32)
        self._to16k = soxr.ResampleStream(playback.rate, RATE, 1, dtype="float32")
        self._echo_parts: list[np.ndarray] = []
        self.stop_when: Callable[[], bool] = lambda: False
        """Checked every chunk: the room falls silent for good once it returns True."""
        self.pace: Callable[[], bool] | None = None
        """When set, checked every chunk instead of ``realtime``: real time while it returns
        True, as fast as possible while it returns False (the soak: fast while nobody talks)."""
        self.keep_echo = True
        """Keep ``echo_only`` (tests read it); a soak or a long demo turns it off."""
        self._her = np.zeros(0, np.float32)
        self._end = 0  # where the latest sound already played and dropped ended

    def close(self) -> None:
        """The microphone's close: the room ends at once."""
        self.stop_when = lambda: True

    @property
    def echo_only(self) -> np.ndarray:
        """What reached the microphone from her, so far (kept while ``keep_echo``)."""
        if not self._echo_parts:
            return np.zeros(0, np.float32)
        return np.concatenate(self._echo_parts)

    def say(self, audio: AudioChunk | WavStream, at_s: float) -> None:
        """Schedule the person's speech at ``at_s`` seconds into the stream: a chunk, or a
        recording streamed from its file as the room reaches it (hours cost one block)."""
        sound = _Streamed(audio) if isinstance(audio, WavStream) \
            else audio.samples.astype(np.float32)
        self.timeline.append((int(at_s * RATE), sound))

    def end_s(self) -> float:
        """Where the person's last scheduled sound ends, in stream seconds."""
        ends = [start + len(s) for start, s in self.timeline]
        return max(self._end, *ends, 0) / RATE

    def stream_ns(self, position_s: float) -> int:
        """When the sample at ``position_s`` reached the microphone."""
        return self.origin_ns + int(position_s * 1e9)

    def _person(self, start: int, n: int) -> np.ndarray:
        out = np.zeros(n, np.float32)
        for at, samples in self.timeline:
            lo, hi = max(start, at), min(start + n, at + len(samples))
            if lo < hi:
                part = samples[lo - at:hi - at]
                out[lo - start:lo - start + len(part)] += part
        self._end = max(self._end, *(at + len(s) for at, s in self.timeline), 0)
        self.timeline = [(at, s) for at, s in self.timeline if at + len(s) > start + n]
        return out

    def _echo(self, n: int) -> np.ndarray:
        blocks = int(round(n * self.playback.rate / RATE))
        played = self.playback.pull(blocks).astype(np.float32)
        # keep the resampler's output in order: its chunks vary by a sample or two
        self._her = np.concatenate([self._her, self._to16k.resample_chunk(played)])
        her = np.pad(self._her, (0, max(0, n - len(self._her))))[:n] * self.echo_gain
        self._her = self._her[n:]
        buf = self._echo_tail
        if her.any():  # silence needs no convolution: a quiet hour costs next to nothing
            wet = np.convolve(her, self.rir)
            buf[self.delay:self.delay + len(wet)] += wet[:len(buf) - self.delay]
        out = buf[:n].copy()
        buf[:-n], buf[-n:] = buf[n:], 0.0  # the tail moves on in place, its length fixed
        if self.keep_echo:
            self._echo_parts.append(out)
        return out

    async def chunks(self) -> AsyncIterator[AudioChunk]:
        if self.clock is None:
            async for chunk in self._chunks():
                yield chunk
            return
        with scripted(self.clock):
            async for chunk in self._scripted_chunks(self.clock):
                yield chunk

    def _total(self) -> int:
        duration = self.duration_s if self.duration_s is not None else self.end_s() + 6.0
        return int(duration * RATE)

    def _next(self, start: int, n: int) -> np.ndarray:
        mixed = self._person(start, n) + self._echo(n)
        self.position += n
        out: np.ndarray = np.clip(np.round(mixed), -32768, 32767).astype(np.int16)
        return out

    async def _scripted_chunks(self, clock: StreamClock) -> AsyncIterator[AudioChunk]:
        """Each chunk once the loop is idle and the clock has reached its last sample; the
        sleepers due before then wake in order, the loop settling after each."""
        self.origin_ns = clock.now_ns()
        total = self._total()
        while self.position < total:
            start, n = self.position, self.chunk
            end_ns = self.stream_ns((start + n) / RATE)
            await settle()
            while clock.wake_next(end_ns):
                await settle()
            clock.move_to(end_ns)
            if self.stop_when():
                break
            samples = self._next(start, n)
            yield AudioChunk(samples, RATE, 1, self.stream_ns(start / RATE))

    async def _chunks(self) -> AsyncIterator[AudioChunk]:
        total = self._total()
        self.origin_ns = time.perf_counter_ns()
        paced_from = (0, self.origin_ns)  # (stream position, perf_counter_ns) pacing starts at
        was_paced = False
        while self.position < total and not self.stop_when():
            start, n = self.position, self.chunk
            realtime = self.realtime
            if self.pace is not None:
                realtime = self.pace()
                if realtime and not was_paced:
                    paced_from = (start, time.perf_counter_ns())
                was_paced = realtime
            elif not realtime and self.fast_speech_only and start >= self.end_s() * RATE:
                if not paced_from[0]:
                    paced_from = (start, time.perf_counter_ns())
                realtime = True
            if realtime:
                due = paced_from[1] + (start + n - paced_from[0]) * 1_000_000_000 // RATE
                delay = (due - time.perf_counter_ns()) / 1e9
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)
            samples = self._next(start, n)
            # real time: stamped when the first sample was 'spoken'; faster: when delivered
            stamp = self.stream_ns(start / RATE) if self.realtime else time.perf_counter_ns()
            if realtime and not self.realtime:
                stamp = paced_from[1] + (start - paced_from[0]) * 1_000_000_000 // RATE
            yield AudioChunk(samples, RATE, 1, stamp)
