"""``samantha serve`` driven by the real ``wyoming`` client on loopback, on the real engines:
describe/info, a transcription of a real recording, a synthesis that is not silent, a handled
question, a satellite session end to end, and malformed input refused (fuzzed, bounded)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk as WyAudioChunk
from wyoming.audio import AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.handle import Handled
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from conftest import REPO, fixture, words
from samantha.audio.chunk import read_wav, rms_dbfs
from samantha.config import from_dict
from samantha.serve.server import Server
from samantha.testing.satellite import FakeSatellite

pytestmark = pytest.mark.slow
TIMEOUT = 120


def _cfg(tmp_path: Path, **serve: object) -> object:
    return from_dict({"state_dir": str(tmp_path / "state"),
                      "serve": {"listen": "tcp://127.0.0.1:0", **serve}})


@asynccontextmanager
async def serving(engines, tmp_path: Path, **serve: object) -> AsyncIterator[Server]:  # type: ignore[no-untyped-def]
    server = Server(_cfg(tmp_path, **serve), engines)  # type: ignore[arg-type]
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def _until(client: AsyncTcpClient, last: str) -> list[Event]:
    events = []
    while True:
        event = await asyncio.wait_for(client.read_event(), TIMEOUT)
        assert event is not None, f"connection closed before {last}: {[e.type for e in events]}"
        events.append(event)
        if event.type in (last, "error"):
            return events


def _audio(events: list[Event]) -> np.ndarray:
    return np.concatenate([np.frombuffer(e.payload or b"", np.int16) for e in events
                           if e.type == "audio-chunk"] or [np.zeros(0, np.int16)])


def test_describe_is_what_home_assistant_reads(engines, tmp_path: Path) -> None:
    async def go() -> Info:
        async with serving(engines, tmp_path) as server:
            async with AsyncTcpClient("127.0.0.1", server.port) as client:
                await client.write_event(Describe().event())
                event = await asyncio.wait_for(client.read_event(), TIMEOUT)
                assert event is not None and Info.is_type(event.type)
                return Info.from_event(event)

    info = asyncio.run(go())
    assert [p.installed for p in info.asr + info.tts + info.handle] == [True, True, True]
    assert info.asr[0].models[0].name == "whisper-tiny.en"
    assert info.asr[0].models[0].languages == ["en"] and info.asr[0].models[0].installed
    assert info.tts[0].voices[0].name == "en_US-joe-medium" and info.tts[0].voices[0].installed
    assert info.tts[0].supports_synthesize_streaming
    assert info.handle[0].models[0].languages == ["en"]
    assert [m.name for m in info.wake[0].models] == ["okay_nabu", "hey_jarvis", "hey_mycroft",
                                                     "alexa"]
    assert info.wake[0].installed and info.wake[0].models[0].phrase == "Okay Nabu"
    assert info.satellite is None


def test_transcribes_a_real_recording(engines, tmp_path: Path) -> None:
    path = fixture("living_room_light_en.wav")
    with wave.open(str(path)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        frames = wav.readframes(wav.getnframes())

    async def go() -> str:
        async with serving(engines, tmp_path) as server:
            async with AsyncTcpClient("127.0.0.1", server.port) as client:
                await client.write_event(Transcribe(language="en").event())
                await client.write_event(AudioStart(rate, width, channels).event())
                step = 2048 * width * channels
                for i in range(0, len(frames), step):
                    await client.write_event(WyAudioChunk(rate, width, channels,
                                                          frames[i:i + step]).event())
                await client.write_event(AudioStop().event())
                events = await _until(client, "transcript")
                return Transcript.from_event(events[-1]).text

    text = asyncio.run(go())
    assert {"living", "room", "light"} <= set(words(text)), text


def test_synthesis_is_not_silent_and_streams_by_sentence(engines, tmp_path: Path) -> None:
    async def go() -> tuple[list[Event], list[Event]]:
        async with serving(engines, tmp_path) as server:
            async with AsyncTcpClient("127.0.0.1", server.port) as client:
                await client.write_event(Synthesize(text="Good morning. The kettle is on.")
                                         .event())
                plain = await _until(client, "audio-stop")
                await client.write_event(SynthesizeStart().event())
                for piece in ("The rain ", "has stopped. ", "Take a ", "walk."):
                    await client.write_event(SynthesizeChunk(text=piece).event())
                await client.write_event(SynthesizeStop().event())
                streamed = await _until(client, "synthesize-stopped")
                return plain, streamed

    plain, streamed = asyncio.run(go())
    for events in (plain, streamed):
        kinds = [e.type for e in events]
        assert kinds[0] == "audio-start" and "audio-stop" in kinds, kinds
        audio = _audio(events)
        assert len(audio) > 22050 * 0.8 and rms_dbfs(audio) > -40, (len(audio), rms_dbfs(audio))
    assert streamed[-1].type == "synthesize-stopped"
    # whisper hears her words in what was sent
    from samantha.audio.chunk import to_pipeline

    heard = engines.asr.transcribe(to_pipeline(_audio(streamed), 22050)).text
    assert {"rain", "walk"} & set(words(heard)), heard


def test_handles_a_question_with_a_sensible_reply(engines, tmp_path: Path) -> None:
    async def go() -> str:
        async with serving(engines, tmp_path) as server:
            async with AsyncTcpClient("127.0.0.1", server.port) as client:
                await client.write_event(Transcript(text="What is a good breakfast before a "
                                                    "long walk?").event())
                events = await _until(client, "handled")
                assert events[-1].type == "handled", events[-1]
                return Handled.from_event(events[-1]).text or ""

    reply = asyncio.run(go())
    assert 2 <= len(words(reply)) <= 80, reply
    assert not any(c in reply for c in "*#`"), reply
    assert set(words(reply)) & {"breakfast", "eat", "oatmeal", "oats", "eggs", "fruit", "food",
                                "banana", "toast", "protein", "energy", "water", "meal"}, reply


def test_satellite_session_end_to_end(engines, tmp_path: Path) -> None:
    utterance = read_wav(fixture("living_room_light_en.wav"))

    async def go() -> FakeSatellite:
        sat = FakeSatellite("kitchen", utterance, turns=1, realtime=False)
        await sat.start()
        try:
            server = Server(_cfg(tmp_path, listen="", satellites=[f"kitchen={sat.uri}"]),  # type: ignore[arg-type]
                            engines)
            await server.start()
            try:
                await asyncio.wait_for(sat.done.wait(), 180)
            finally:
                await server.stop()
        finally:
            await sat.stop()
        return sat

    sat = asyncio.run(go())
    assert sat.events[:2] == ["describe", "run-satellite"], sat.events[:4]
    assert "voice-started" in sat.events and "voice-stopped" in sat.events
    [turn] = sat.turns
    assert not turn.error, turn.error
    assert {"living", "room", "light"} <= set(words(turn.transcript)), turn.transcript
    assert turn.audible and turn.reply().seconds > 0.5
    heard = engines.asr.transcribe(__import__("samantha.audio.chunk", fromlist=["x"])
                                   .to_pipeline(turn.reply().samples, turn.audio_rate)).text
    assert len(words(heard)) >= 2, heard


def test_satellite_wakes_on_the_word_and_whisper_hears_the_request(engines,
                                                                    tmp_path: Path) -> None:
    """Remote wake (run-pipeline from ``wake``, okay_nabu): talk without the word is never
    transcribed; the word said by an espeak-ng voice fires, and the real whisper's request
    reaches her without it."""
    from wyoming.pipeline import PipelineStage, RunPipeline

    from conftest import espeak
    from samantha.audio.chunk import RATE, AudioChunk

    quiet = np.zeros(RATE // 2, np.int16)
    talk = read_wav(espeak("Can you pass me the salt, please?", tmp_path / "t.wav", "en-gb"))
    word = read_wav(espeak("Okay Nabu, what time is it?", tmp_path / "w.wav", "en-us"))
    utterance = AudioChunk(np.concatenate([quiet, talk.samples, quiet, quiet, word.samples]),
                           RATE)
    pipeline = RunPipeline(PipelineStage.WAKE, PipelineStage.TTS, wake_word_names=["okay_nabu"])

    async def go() -> tuple[FakeSatellite, list[str]]:
        sat = FakeSatellite("kitchen", utterance, realtime=False, pipeline=pipeline)
        await sat.start()
        try:
            server = Server(_cfg(tmp_path, listen="", satellites=[f"kitchen={sat.uri}"]),  # type: ignore[arg-type]
                            engines)
            await server.start()
            try:
                await asyncio.wait_for(sat.done.wait(), 180)
                return sat, [t.transcript for t in server.links[0].turns]
            finally:
                await server.stop()
        finally:
            await sat.stop()

    sat, requests = asyncio.run(go())
    [turn] = sat.turns
    assert not turn.error and turn.audible, turn.error
    assert "detection" in sat.events and sat.events.count("voice-stopped") == 1, sat.events
    [request] = requests
    assert "time" in words(request) and "nabu" not in words(request), (turn.transcript, request)
    assert "salt" not in words(turn.transcript), turn.transcript


_START = b'{"type": "audio-start", "data": {"rate": 16000, "width": 2, "channels": 1}}\n'
MALFORMED = [
    b"this is not json\n",
    b"[1, 2, 3]\n",
    b'{"data": {}}\n',
    b'{"type": 7}\n',
    b'{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}}\n',
    b'{"type": "audio-stop"}\n',
    b'{"type": "synthesize-chunk", "data": {"text": "hi"}}\n',
    b'{"type": "transcribe", "payload_length": 999999999}\n',
    b'{"type": "describe", "data_length": -4}\n',
    b'{"type": "describe", "data_length": 3}\n[1]',
    b'{"type": "audio-start", "data": {"rate": 16000, "width": 3, "channels": 1}}\n',
    b'{"type": "synthesize", "data": {"text": 42}}\n',
    b'{"type": "transcript"}\n',
    b"x" * 20_000 + b"\n",
    # the wake service: detect, audio-start, audio-chunk…, audio-stop, and no other request
    # between (detect again, audio-start again and audio-stop at once are taken, as
    # wyoming-openwakeword takes them: test_serve_wake's order table)
    b'{"type": "detect", "data": {"names": "okay_nabu"}}\n',
    b'{"type": "detect", "data": {"names": ["okay_samantha"]}}\n',
    b'{"type": "detect"}\n' + _START + b'{"type": "transcribe"}\n',
    b'{"type": "detect"}\n' + _START + b'{"type": "synthesize", "data": {"text": "hi"}}\n',
    b'{"type": "detect"}\n' + _START + b'{"type": "audio-chunk", "data": {"rate": 22050, '
    b'"width": 2, "channels": 1}}\n',
    b'{"type": "detect"}\n' + _START + b'{"type": "audio-chunk", "data": {"rate": 16000, '
    b'"width": 2, "channels": 1}, "payload_length": 3}\nabc',
    b'{"type": "detect"}\n' + _START + b'{"type": "audio-chunk", "data": {"rate": 16000, '
    b'"width": 2, "channels": 1, "timestamp": "soon"}, "payload_length": 2}\nab',
]


def test_malformed_input_is_refused_and_the_server_lives(engines, tmp_path: Path) -> None:
    rng = random.Random(15)
    fuzz = [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))) + b"\n"
            for _ in range(40)]

    async def one(port: int, blob: bytes) -> list[Event]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(blob)
        await writer.drain()
        events = []
        from wyoming.event import async_read_event

        while (event := await asyncio.wait_for(async_read_event(reader), 10)) is not None:
            events.append(event)
        writer.close()
        return events

    async def go() -> tuple[list[list[Event]], list[list[Event]], Info | None]:
        async with serving(engines, tmp_path, max_event_bytes=65_536) as server:
            known = [await one(server.port, blob) for blob in MALFORMED]  # type: ignore[arg-type]
            random_ = [await one(server.port, blob) for blob in fuzz]  # type: ignore[arg-type]
            async with AsyncTcpClient("127.0.0.1", server.port) as client:
                await client.write_event(Describe().event())
                event = await asyncio.wait_for(client.read_event(), TIMEOUT)
            return known, random_, Info.from_event(event) if event else None

    known, random_, info = asyncio.run(go())
    for blob, events in zip(MALFORMED, known, strict=True):
        assert [e.type for e in events] == ["error"], (blob[:60], events)
        assert events[0].data.get("code") in ("malformed", "oversized", "out-of-order",
                                              "audio-format", "truncated",
                                              "unknown-wake-word"), events[0].data
    # random bytes: closed with an error, or (for a line that happens to parse) ignored
    assert all(len(events) <= 1 for events in random_)
    assert info is not None and info.asr  # and she still answers


def test_cli_serve_is_off_by_default_and_answers_on_loopback(tmp_path: Path,
                                                             models_ready: None) -> None:
    env = {**os.environ, "SAMANTHA_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    off = subprocess.run([sys.executable, "-m", "samantha", "serve"], capture_output=True,
                         text=True, timeout=60, cwd=REPO, env=env)
    assert off.returncode == 2 and "serving is off" in off.stderr and "Traceback" not in off.stderr
    wide = subprocess.run([sys.executable, "-m", "samantha", "serve", "--listen",
                           "tcp://0.0.0.0:10700"], capture_output=True, text=True, timeout=60,
                          cwd=REPO, env=env)
    assert wide.returncode == 2 and "[serve] allow" in wide.stderr, wide.stderr

    proc = subprocess.Popen([sys.executable, "-m", "samantha", "serve", "--listen",
                             "tcp://127.0.0.1:0", "--state-dir", str(tmp_path / "state")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "ready on tcp://127.0.0.1:" in line, (line, proc.stderr.read() if proc.stderr
                                                     else "")
        port = int(line.rsplit(":", 1)[1])

        async def ask() -> str:
            async with AsyncTcpClient("127.0.0.1", port) as client:
                await client.write_event(Transcript(text="Hello, who are you?").event())
                events = await _until(client, "handled")
                return json.dumps(events[-1].data)

        reply = asyncio.run(ask())
        assert "text" in reply and len(reply) > 15, reply
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
