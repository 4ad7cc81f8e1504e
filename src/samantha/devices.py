"""The real microphone and speaker, through pyaudio (PortAudio on ALSA).

The capture callback only copies bytes into a bounded queue; everything else happens elsewhere.
Device names, not indexes, pick the card: ALSA card numbers change between boots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np

from samantha.audio import RATE, AudioChunk, to_pipeline
from samantha.errors import DeviceError
from samantha.events import now_ns
from samantha.worker import Worker

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
    """Capture from PortAudio; yields 16 kHz mono chunks stamped at arrival."""

    def __init__(self, device: str = "", rate: int = RATE, frames_per_buffer: int = 480,
                 queue_chunks: int = 200) -> None:
        self._pa = open_pyaudio()
        self.info = find_device(self._pa, device, want_input=True)
        self.rate = rate
        self.frames = frames_per_buffer
        self.overruns = 0
        self._queue: asyncio.Queue[tuple[bytes, int]] = asyncio.Queue(maxsize=queue_chunks)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Any = None

    def _callback(self, in_data: bytes, frames: int, time_info: Any, status: int) -> tuple:
        import pyaudio

        assert self._loop is not None
        # stamp the buffer's first sample: it arrived one buffer-length before the callback
        first_ns = now_ns() - frames * 1_000_000_000 // self.rate
        self._loop.call_soon_threadsafe(self._push, bytes(in_data), first_ns)
        return (None, pyaudio.paContinue)

    def _push(self, data: bytes, t_ns: int) -> None:
        if self._queue.full():  # drop the oldest: late audio is worth less than fresh audio
            self._queue.get_nowait()
            self.overruns += 1
        self._queue.put_nowait((data, t_ns))

    async def chunks(self) -> AsyncIterator[AudioChunk]:
        import pyaudio

        self._loop = asyncio.get_running_loop()
        try:
            with _quiet_stderr():
                self._stream = self._pa.open(
                    format=pyaudio.paInt16, channels=1, rate=self.rate, input=True,
                    input_device_index=int(self.info["index"]),
                    frames_per_buffer=self.frames, stream_callback=self._callback)
        except OSError as exc:
            raise DeviceError("open", f"cannot open {self.info['name']} at {self.rate} Hz "
                              f"({exc})", "set [audio] input_rate to a rate the card supports "
                              "or check `samantha doctor`") from None
        while True:
            try:
                data, t_ns = await asyncio.wait_for(self._queue.get(), timeout=2.0)
            except TimeoutError:
                raise DeviceError("unplugged", f"{self.info['name']} stopped delivering audio",
                                  "check the microphone's cable") from None
            samples = np.frombuffer(data, dtype=np.int16)
            yield to_pipeline(samples, self.rate, t_ns) if self.rate != RATE else \
                AudioChunk(samples, RATE, 1, t_ns)

    def flush(self) -> None:
        """Throw away what was captured so far (her own voice while she spoke)."""
        while not self._queue.empty():
            self._queue.get_nowait()

    def close(self) -> None:
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.stop_stream()
                self._stream.close()
        self._pa.terminate()


class Speaker:
    """Blocking PortAudio playback on its own thread; chunks are converted to the device rate."""

    def __init__(self, device: str = "", rate: int = 22050) -> None:
        self._pa = open_pyaudio()
        self.info = find_device(self._pa, device, want_input=False)
        self.rate = rate
        self.worker = Worker("speaker")
        self._stream: Any = None

    def _write(self, chunk: AudioChunk) -> None:
        import pyaudio
        import soxr

        if self._stream is None:
            self._stream = self._pa.open(format=pyaudio.paInt16, channels=1, rate=self.rate,
                                         output=True,
                                         output_device_index=int(self.info["index"]))
        samples = chunk.samples
        if chunk.rate != self.rate:
            samples = soxr.resample(samples, chunk.rate, self.rate).astype(np.int16)
        self._stream.write(samples.tobytes())

    async def write(self, chunk: AudioChunk) -> None:
        await self.worker.run(self._write, chunk)

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        self.worker.close()
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.close()
        self._pa.terminate()
