"""The real microphone and speaker, through pyaudio (PortAudio on ALSA).

The capture callback only copies bytes into a bounded queue; everything else happens elsewhere.
Device names, not indexes, pick the card: ALSA card numbers change between boots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk, to_pipeline
from samantha.audio.playback import Playback
from samantha.audio.ratelog import RateLimitedLog
from samantha.clock import now_ns
from samantha.errors import DeviceError

log = logging.getLogger(__name__)
NO_DEVICE_FIX = "plug in a USB microphone and speaker, or run `samantha demo` which needs none"


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """PortAudio's ALSA probe prints dozens of C-level warnings; keep them off the console."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def open_pyaudio() -> Any:
    try:
        import pyaudio
    except ImportError as exc:
        raise DeviceError("no-portaudio", f"pyaudio is not importable ({exc})",
                          "run `make setup` (it installs portaudio19-dev)") from None
    with _quiet_stderr():
        return pyaudio.PyAudio()


def find_device(pa: Any, name: str, want_input: bool) -> dict[str, Any]:
    """The device whose name contains ``name`` (or the default), with the needed direction."""
    key = "maxInputChannels" if want_input else "maxOutputChannels"
    kind = "capture" if want_input else "playback"
    if not name:
        try:
            with _quiet_stderr():
                info = (pa.get_default_input_device_info() if want_input
                        else pa.get_default_output_device_info())
            return dict(info)
        except OSError:
            raise DeviceError("no-device", f"no {kind} device found", NO_DEVICE_FIX) from None
    names = []
    for i in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(i)
        if info.get(key, 0) > 0:
            names.append(str(info["name"]))
            if name.lower() in str(info["name"]).lower():
                return dict(info)
    raise DeviceError("no-device", f"no {kind} device named like {name!r} "
                      f"(found: {', '.join(names) or 'none'})", NO_DEVICE_FIX)


class Microphone:
    """Capture from PortAudio; yields 16 kHz mono chunks stamped at arrival.

    If the device stops delivering (unplugged, or the stream errors), it is looked up again by
    name and reopened, up to ``retries`` times with ``backoff_s`` between tries; then a
    DeviceError ends the daemon with a non-zero exit, so systemd restarts her. Repeated faults
    and overruns are logged at most once per ``log_every_s``.
    """

    def __init__(self, device: str = "", rate: int = RATE, frames_per_buffer: int = 480,
                 queue_chunks: int = 200, *, pa_factory: Callable[[], Any] = open_pyaudio,
                 retries: int = 3, stall_s: float = 2.0, backoff_s: float = 1.0,
                 log_every_s: float = 30.0) -> None:
        self._factory = pa_factory
        self._pa = pa_factory()
        self.device = device
        self.info = find_device(self._pa, device, want_input=True)
        self.rate = rate
        self.frames = frames_per_buffer
        self.retries = retries
        self.stall_s = stall_s
        self.backoff_s = backoff_s
        self.overruns = 0
        self.reopens = 0
        self._limited = RateLimitedLog(log, log_every_s)
        self._queue: asyncio.Queue[tuple[bytes, int]] = asyncio.Queue(maxsize=queue_chunks)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Any = None
        self._closed = False

    def _callback(self, in_data: bytes, frames: int, time_info: Any,
                  status: int) -> tuple[None, int]:
        import pyaudio

        assert self._loop is not None
        # stamp the buffer's first sample: it arrived one buffer-length before the callback
        first_ns = now_ns() - frames * 1_000_000_000 // self.rate
        with contextlib.suppress(RuntimeError):  # the loop closed under us while stopping
            self._loop.call_soon_threadsafe(self._push, bytes(in_data), first_ns)
        return (None, pyaudio.paContinue)

    def _push(self, data: bytes, t_ns: int) -> None:
        if self._queue.full():  # drop the oldest: late audio is worth less than fresh audio
            self._queue.get_nowait()
            self.overruns += 1
            self._limited.warning("overrun", "microphone overrun: %d chunks dropped so far",
                                  self.overruns)
        self._queue.put_nowait((data, t_ns))

    def _open(self) -> None:
        import pyaudio

        with _quiet_stderr():
            self._stream = self._pa.open(
                format=pyaudio.paInt16, channels=1, rate=self.rate, input=True,
                input_device_index=int(self.info["index"]),
                frames_per_buffer=self.frames, stream_callback=self._callback)

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.stop_stream()
                stream.close()

    async def _reopen(self, why: str) -> None:
        """Reopen the device by name (its index may change when it is plugged back in)."""
        for attempt in range(1, self.retries + 1):
            self._limited.error("reopen", "microphone %s: %s; reopening (try %d of %d)",
                                self.info.get("name"), why, attempt, self.retries)
            self._close_stream()
            with contextlib.suppress(OSError):
                self._pa.terminate()
            await asyncio.sleep(self.backoff_s * attempt)
            try:
                self._pa = self._factory()  # a fresh PortAudio rescans the cards
                self.info = find_device(self._pa, self.device, want_input=True)
                self._open()
            except (OSError, DeviceError) as exc:
                why = f"reopen failed ({exc})"
                continue
            self.reopens += 1
            log.warning("microphone %s reopened", self.info.get("name"))
            return
        raise DeviceError("unplugged", f"the microphone {self.info.get('name')!r} stopped "
                          f"delivering audio and {self.retries} reopen attempts failed ({why})",
                          "check the microphone's cable; systemd restarts her once it is back")

    async def chunks(self) -> AsyncIterator[AudioChunk]:
        self._loop = asyncio.get_running_loop()
        try:
            self._open()
        except OSError as exc:
            raise DeviceError("open", f"cannot open {self.info['name']} at {self.rate} Hz "
                              f"({exc})", "set [audio] input_rate to a rate the card supports "
                              "or check `samantha doctor`") from None
        while not self._closed:
            try:
                data, t_ns = await asyncio.wait_for(self._queue.get(), timeout=self.stall_s)
            except TimeoutError:
                await self._reopen(f"no audio for {self.stall_s:.1f} s")
                continue
            samples = np.frombuffer(data, dtype=np.int16)
            yield to_pipeline(samples, self.rate, t_ns) if self.rate != RATE else \
                AudioChunk(samples, RATE, 1, t_ns)

    def flush(self) -> None:
        """Throw away what was captured so far (her own voice while she spoke)."""
        while not self._queue.empty():
            self._queue.get_nowait()

    def close(self) -> None:
        """Stop input: no more callbacks after this returns."""
        self._closed = True
        self._close_stream()
        with contextlib.suppress(OSError):
            self._pa.terminate()


class Speaker(Playback):
    """PortAudio playback on the device's own clock: its callback pulls the next block from the
    ``Playback`` buffer (silence when there is none). So a barge-in silences her within one
    block, and the echo canceller's reference is exactly what was played."""

    def __init__(self, device: str = "", rate: int = 22050, block: int = 512) -> None:
        super().__init__(rate)
        self._pa = open_pyaudio()
        self.info = find_device(self._pa, device, want_input=False)
        self.block = block
        self._stream: Any = None

    def _callback(self, in_data: bytes | None, frames: int, time_info: Any,
                  status: int) -> tuple[bytes, int]:
        import pyaudio

        return self.pull(frames).tobytes(), pyaudio.paContinue

    def _start(self) -> None:
        import pyaudio

        try:
            with _quiet_stderr():
                self._stream = self._pa.open(
                    format=pyaudio.paInt16, channels=1, rate=self.rate, output=True,
                    output_device_index=int(self.info["index"]),
                    frames_per_buffer=self.block, stream_callback=self._callback)
        except OSError as exc:
            raise DeviceError("open", f"cannot play on {self.info['name']} at {self.rate} Hz "
                              f"({exc})", "check `samantha doctor` and [audio] output_device") \
                from None

    async def write(self, chunk: AudioChunk, tag: int = 0) -> None:
        if self._stream is None:
            self._start()
        await super().write(chunk, tag)

    def close(self, timeout_s: float = 5.0) -> bool:
        """Finish output: what is queued plays out (bounded wait), then the device closes."""
        deadline = time.monotonic() + timeout_s
        while self._stream is not None and self.buffered() and time.monotonic() < deadline:
            time.sleep(0.02)
        finished = not self.buffered()
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.stop_stream()
                self._stream.close()
        self._pa.terminate()
        return finished
