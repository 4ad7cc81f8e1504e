"""The microphone unplugged mid-turn, with a fake PortAudio at the edge: bounded reopen attempts,
then a DeviceError (the daemon's non-zero exit); a device that comes back is reopened; repeated
faults and overruns are logged a bounded number of times."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from samantha.audio.devices import Microphone
from samantha.audio.ratelog import RateLimitedLog
from samantha.errors import DeviceError

MIC = {"index": 3, "name": "USB PnP Sound Device: Audio (hw:2,0)", "maxInputChannels": 1,
       "maxOutputChannels": 0, "defaultSampleRate": 48000.0}


class Card:
    """What is plugged in, shared by every PortAudio instance."""

    def __init__(self, chunks_before_unplug: int) -> None:
        self.plugged = True
        self.budget = chunks_before_unplug
        self.opens = 0


class FakeStream:
    def __init__(self, card: Card, callback, frames: int) -> None:  # type: ignore[no-untyped-def]
        self.card, self.callback, self.frames = card, callback, frames
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running and self.card.plugged and self.card.budget > 0:
            self.card.budget -= 1
            self.callback(b"\x01\x00" * self.frames, self.frames, {}, 0)
            time.sleep(0.005)
        if self.card.budget <= 0:
            self.card.plugged = False  # the cable is pulled: no more callbacks

    def stop_stream(self) -> None:
        self.running = False

    def close(self) -> None:
        self.running = False


class FakePyAudio:
    def __init__(self, card: Card) -> None:
        self.card = card

    def get_device_count(self) -> int:
        return 1 if self.card.plugged else 0

    def get_device_info_by_index(self, i: int) -> dict:
        return dict(MIC)

    def get_default_input_device_info(self) -> dict:
        if not self.card.plugged:
            raise OSError("No Default Input Device Available")
        return dict(MIC)

    def open(self, **kw):  # type: ignore[no-untyped-def]
        if not self.card.plugged:
            raise OSError(-9996, "Invalid input device (no default output device)")
        self.card.opens += 1
        return FakeStream(self.card, kw["stream_callback"], kw["frames_per_buffer"])

    def terminate(self) -> None:
        pass


async def _drain(mic: Microphone, limit: int = 10_000) -> int:
    got = 0
    async for _chunk in mic.chunks():
        got += 1
        if got >= limit:
            break
    return got


def test_unplugged_mid_turn_gives_up_after_bounded_retries(caplog) -> None:  # type: ignore[no-untyped-def]
    card = Card(chunks_before_unplug=20)
    mic = Microphone("USB", 16000, 480, pa_factory=lambda: FakePyAudio(card), retries=3,
                     stall_s=0.2, backoff_s=0.01, log_every_s=60)
    caplog.set_level(logging.INFO, logger="samantha.audio.devices")
    start = time.monotonic()
    with pytest.raises(DeviceError) as info:
        asyncio.run(_drain(mic))
    mic.close()
    assert time.monotonic() - start < 5  # bounded: 3 tries, not for ever
    err = info.value
    assert err.code == "unplugged" and "3 reopen attempts failed" in err.message
    assert "USB PnP Sound Device" in str(err) and err.fix
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]  # rate-limited: one line, not 3


def test_a_microphone_that_comes_back_is_reopened() -> None:
    card = Card(chunks_before_unplug=10)

    def replug() -> FakePyAudio:
        # the first reopen finds it gone; by the second it is back with fresh audio
        if card.opens == 1 and not card.plugged and not getattr(card, "tried", False):
            card.tried = True  # type: ignore[attr-defined]
        elif not card.plugged:
            card.plugged, card.budget = True, 30
        return FakePyAudio(card)

    mic = Microphone("USB", 16000, 480, pa_factory=replug, retries=3, stall_s=0.2,
                     backoff_s=0.01)
    got = asyncio.run(_drain(mic, limit=35))
    mic.close()
    assert got == 35 and mic.reopens == 1 and card.opens == 2


def test_overruns_never_flood_the_log(caplog) -> None:  # type: ignore[no-untyped-def]
    card = Card(chunks_before_unplug=0)
    card.plugged = True
    mic = Microphone("USB", 16000, 480, queue_chunks=4, pa_factory=lambda: FakePyAudio(card),
                     log_every_s=30)
    caplog.set_level(logging.INFO, logger="samantha.audio.devices")

    async def flood() -> None:
        for i in range(1000):  # nobody reads: the queue overflows 996 times
            mic._push(b"\0\0", i)

    asyncio.run(flood())
    assert mic.overruns == 996
    lines = [r for r in caplog.records if "overrun" in r.getMessage()]
    assert len(lines) == 1


def test_rate_limited_log_says_how_many_were_held(caplog) -> None:  # type: ignore[no-untyped-def]
    now = [0.0]
    limited = RateLimitedLog(logging.getLogger("samantha.test"), 10.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="samantha.test")
    for _ in range(100):
        limited.error("k", "read failed on %s", "hw:2,0")
        now[0] += 0.5
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 5  # 50 s of faults, one line per 10 s
    assert messages[0] == "read failed on hw:2,0"
    assert messages[1].startswith("read failed on hw:2,0 (19 more like this in the last 10 s)")


UNPLUGGED_DAEMON = r"""
import sys
sys.path.insert(0, sys.argv[1])
from test_devices_faults import Card, FakePyAudio
from samantha.appliance import daemon
from samantha.audio.devices import Microphone
from samantha.testing.wavdevices import WavSpeaker
card = Card(chunks_before_unplug=100)   # 3 s of audio, then the cable is pulled
daemon.open_devices = lambda cfg: (
    Microphone("USB", 16000, 480, pa_factory=lambda: FakePyAudio(card), retries=2, stall_s=0.5,
               backoff_s=0.1), WavSpeaker(None))
from samantha.cli.main import main
sys.exit(main(["run"]))
"""


@pytest.mark.slow
def test_daemon_exits_non_zero_when_the_microphone_is_gone(tmp_path, models_ready) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "empty.toml").write_text("")
    env = dict(os.environ, SAMANTHA_CONFIG=str(tmp_path / "empty.toml"), SAMANTHA_LOG="info",
               STATE_DIRECTORY=str(tmp_path / "state"), HOME=str(tmp_path))
    env.pop("NOTIFY_SOCKET", None)
    proc = subprocess.run([sys.executable, "-c", UNPLUGGED_DAEMON, str(Path(__file__).parent)],
                          capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr  # non-zero: systemd's Restart=on-failure acts
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("device error [unplugged]") and "Fix:" in last
    assert "ready: models verified" in proc.stderr
    assert "reopening (try 1 of 2)" in proc.stderr
    assert "stopping: output finished" in proc.stderr  # still an ordered shutdown
