"""What the speaker plays: the device pulls blocks, barge-in silences it at the next block, the
echo reference is what was played, and each sentence knows how much of it was heard."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from samantha.audio import devices
from samantha.audio.chunk import AudioChunk
from samantha.audio.playback import Playback


def tone(n: int, rate: int = 22050) -> AudioChunk:
    t = np.arange(n) / rate
    return AudioChunk((8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16), rate)


def test_pull_stop_and_heard_fractions() -> None:
    pb = Playback(22050)
    first, second = tone(2205), tone(4410)
    asyncio.run(pb.write(first, 0))
    asyncio.run(pb.write(second, 1))
    out = pb.pull(2205 + 1000)
    assert np.array_equal(out[:2205], first.samples)
    assert np.array_equal(out[2205:], second.samples[:1000])
    assert pb.played(0) == (2205, 2205) and pb.played(1) == (1000, 4410)
    pb.stop()  # barge-in
    assert not pb.pull(512).any(), "silence from the very next block"
    assert pb.played(1) == (1000, 4410) and pb.stopped_ns > 0


def test_reference_is_what_was_played_at_16k() -> None:
    pb = Playback(22050)
    asyncio.run(pb.write(tone(22050), 0))
    for _ in range(40):
        pb.pull(551)  # ~25 ms blocks
    ref = pb.reference(16000)
    # ~1 s of the tone, now at 16 kHz (less the resampler's ~30 ms filter delay)
    assert abs(int(np.sum(ref != 0)) - 16000) < 800
    spectrum = np.abs(np.fft.rfft(ref.astype(float)))
    assert abs(np.argmax(spectrum) * 16000 / len(ref) - 300) < 5
    assert not pb.reference(480).any(), "nothing more was played"


class _FakeStream:
    def __init__(self, callback: Any) -> None:
        self.callback = callback
        self.closed = False

    def stop_stream(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class _FakePortAudio:
    """PortAudio at the edge: one output device, and the stream's callback to drive."""

    def __init__(self) -> None:
        self.stream: _FakeStream | None = None
        self.opened: dict[str, Any] = {}

    def get_default_output_device_info(self) -> dict[str, Any]:
        return {"index": 0, "name": "USB Audio Device", "maxOutputChannels": 2}

    def open(self, **kwargs: Any) -> _FakeStream:
        self.opened = kwargs
        self.stream = _FakeStream(kwargs["stream_callback"])
        return self.stream

    def terminate(self) -> None:
        pass


def test_the_device_callback_pulls_her_voice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake = _FakePortAudio()
    monkeypatch.setattr(devices, "open_pyaudio", lambda: fake)
    speaker = devices.Speaker(rate=16000)
    speaker.set_rate(22050)
    voice = tone(1024)
    asyncio.run(speaker.write(voice, 0))
    assert fake.opened["rate"] == 22050 and fake.opened["output"] is True
    data, _flag = fake.stream.callback(None, 512, None, 0)
    assert np.array_equal(np.frombuffer(data, np.int16), voice.samples[:512])
    speaker.stop()
    data, _flag = fake.stream.callback(None, 512, None, 0)
    assert not np.frombuffer(data, np.int16).any()
    assert speaker.close(timeout_s=0.1) and fake.stream.closed
