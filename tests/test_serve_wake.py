"""``samantha serve``'s ``wake`` service, driven by the real ``wyoming`` client on loopback with
the real stock microWakeWord models and real speech from espeak-ng voices (never hers):
describe lists the models, the word said gives a detection, a sentence without it gives
not-detected, each connection has its own detectors, and bad requests are refused.

The ASR, language model and voice are fakes here: the wake service never touches them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest
from wyoming.audio import AudioChunk as WyAudioChunk
from wyoming.audio import AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe, Info
from wyoming.ping import Ping
from wyoming.wake import Detect, Detection

from conftest import espeak
from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.config import from_dict
from samantha.inference.engines import Engines
from samantha.inference.wake_model import STOCK
from samantha.serve.server import Server
from samantha.testing.fakes import ScriptedLanguageModel, ScriptedTranscriber, ToneVoice

TIMEOUT = 30
CHUNK = 1024  # samples per audio-chunk, as Home Assistant's satellites send
WAKE = "Okay Nabu, what time is it?"
OTHER = ("I think we should go to the market tomorrow morning.",
         "Can you pass me the salt, please?",
         "Okay, now let's book a table for two.")


def spoken(tmp_path: Path, text: str, voice: str) -> AudioChunk:
    """espeak-ng's voice, with half a second of silence before and a second after."""
    audio = read_wav(espeak(text, tmp_path / f"{voice}-{abs(hash(text))}.wav", voice=voice))
    quiet = np.zeros(RATE // 2, np.int16)
    return AudioChunk(np.concatenate([quiet, audio.samples, quiet, quiet]), RATE)


@asynccontextmanager
async def serving(tmp_path: Path, **wake: object) -> AsyncIterator[Server]:
    cfg = from_dict({"state_dir": str(tmp_path / "state"), "wake": wake,
                     "serve": {"listen": "tcp://127.0.0.1:0", "max_event_bytes": 65_536}})
    engines = Engines(ScriptedTranscriber([]), ScriptedLanguageModel(["no"]), ToneVoice())
    server = Server(cfg, engines)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def detect(client: AsyncTcpClient, audio: np.ndarray, names: list[str] | None = None,
                 rate: int = RATE, stamps: int | None = None) -> list[Event]:
    """One detection request; every event she sent for it (a ping marks the end)."""
    await client.write_event(Detect(names=names).event())
    await client.write_event(AudioStart(rate, 2, 1).event())
    for i in range(0, len(audio), CHUNK):
        stamp = stamps + i * 1000 // rate if stamps is not None else None
        await client.write_event(WyAudioChunk(rate, 2, 1, audio[i:i + CHUNK].tobytes(),
                                              timestamp=stamp).event())
    await client.write_event(AudioStop().event())
    await client.write_event(Ping(text="end").event())
    events = []
    while True:
        event = await asyncio.wait_for(client.read_event(), TIMEOUT)
        assert event is not None, f"closed after {[e.type for e in events]}"
        if event.type == "pong":
            return events
        events.append(event)


def test_describe_lists_the_stock_wake_models(tmp_path: Path) -> None:
    async def go() -> Info:
        async with serving(tmp_path) as server, AsyncTcpClient("127.0.0.1", server.port) as c:
            await c.write_event(Describe().event())
            event = await asyncio.wait_for(c.read_event(), TIMEOUT)
            assert event is not None and Info.is_type(event.type)
            return Info.from_event(event)

    info = asyncio.run(go())
    [program] = info.wake
    assert program.installed
    assert [m.name for m in program.models] == list(STOCK)
    assert all(m.installed and "en" in m.languages for m in program.models)
    phrases = {m.name: m.phrase for m in program.models}
    assert phrases["okay_nabu"] == "Okay Nabu" and phrases["hey_jarvis"] == "Hey Jarvis"
    assert info.asr and info.tts and info.handle  # the other services are still there


@pytest.mark.parametrize("voice", ("en-us", "en-us+m3", "en-gb"))
def test_the_wake_word_gives_a_detection(tmp_path: Path, voice: str) -> None:
    audio = spoken(tmp_path, WAKE, voice).samples

    async def go() -> list[Event]:
        async with serving(tmp_path) as server, AsyncTcpClient("127.0.0.1", server.port) as c:
            return await detect(c, audio)

    events = asyncio.run(go())
    assert [e.type for e in events] == ["detection"], events  # once, and no not-detected
    found = Detection.from_event(events[0])
    assert found.name == "okay_nabu"
    assert found.timestamp is not None and 500 < found.timestamp < 2500  # while it is said


def test_sentences_without_it_give_not_detected(tmp_path: Path) -> None:
    clips = [spoken(tmp_path, text, voice).samples
             for text, voice in zip(OTHER, ("en-us", "en-us+m3", "en-gb"), strict=True)]

    async def go() -> list[list[str]]:
        async with serving(tmp_path) as server, AsyncTcpClient("127.0.0.1", server.port) as c:
            return [[e.type for e in await detect(c, clip)] for clip in clips]

    assert asyncio.run(go()) == [["not-detected"]] * len(OTHER)


STAMP = 7_200_000  # the client's clock: two hours into its stream


def test_only_the_names_asked_for_are_listened_for(tmp_path: Path) -> None:
    audio = spoken(tmp_path, WAKE, "en-us").samples

    async def go() -> tuple[list[Event], list[Event], list[Event]]:
        async with serving(tmp_path) as server, AsyncTcpClient("127.0.0.1", server.port) as c:
            other = await detect(c, audio, names=["hey_jarvis", "alexa"])
            both = await detect(c, audio, names=["alexa", "okay_nabu"], stamps=STAMP)
            again = await detect(c, audio, names=["alexa", "okay_nabu"])  # the same, reset
            return other, both, again

    other, both, again = asyncio.run(go())
    assert [e.type for e in other] == ["not-detected"]
    assert [(e.type, e.data["name"]) for e in both] == [("detection", "okay_nabu")]
    # with the client's stamps, the detection carries the stamp of the chunk it fired in
    at = both[0].data["timestamp"] - STAMP
    assert 500 < at < 2500 and at % (CHUNK * 1000 // RATE) == 0, at
    assert [e.type for e in again] == ["detection"]


def test_each_connection_has_its_own_detector(tmp_path: Path) -> None:
    word = spoken(tmp_path, WAKE, "en-us+m3").samples
    talk = spoken(tmp_path, OTHER[0], "en-us").samples

    async def go() -> tuple[list[Event], list[Event]]:
        async with serving(tmp_path) as server:
            async with AsyncTcpClient("127.0.0.1", server.port) as a, \
                    AsyncTcpClient("127.0.0.1", server.port) as b:
                return await asyncio.gather(detect(a, word), detect(b, talk))

    heard, not_heard = asyncio.run(go())
    assert [e.type for e in heard] == ["detection"]
    assert [e.type for e in not_heard] == ["not-detected"]


def test_audio_at_another_rate_is_converted(tmp_path: Path) -> None:
    """espeak-ng's own 22 050 Hz, stereo: converted at the edge like every other audio."""
    path = espeak(WAKE, tmp_path / "native.wav", voice="en-us")
    import wave

    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        mono = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
    mono = np.concatenate([np.zeros(rate // 2, np.int16), mono, np.zeros(rate, np.int16)])
    stereo = np.repeat(mono, 2)

    async def go() -> list[Event]:
        async with serving(tmp_path) as server, AsyncTcpClient("127.0.0.1", server.port) as c:
            await c.write_event(Detect().event())
            await c.write_event(AudioStart(rate, 2, 2).event())
            for i in range(0, len(stereo), 2 * CHUNK):
                await c.write_event(WyAudioChunk(rate, 2, 2,
                                                 stereo[i:i + 2 * CHUNK].tobytes()).event())
            await c.write_event(AudioStop().event())
            await c.write_event(Ping().event())
            events = []
            while (event := await asyncio.wait_for(c.read_event(), TIMEOUT)) is not None \
                    and event.type != "pong":
                events.append(event)
            return events

    assert rate != RATE
    assert [e.type for e in asyncio.run(go())] == ["detection"]


BAD = [
    (Detect(names=["okay_samantha"]).event(), "unknown-wake-word"),
    (Event("detect", {"names": "okay_nabu"}), "malformed"),
    (Event("detect", {"names": [7]}), "malformed"),
]


@pytest.mark.parametrize(("event", "code"), BAD, ids=["unknown", "not-a-list", "not-names"])
def test_bad_detect_requests_are_refused_in_one_line(tmp_path: Path, event: Event,
                                                     code: str) -> None:
    async def go() -> list[Event]:
        async with serving(tmp_path) as server, AsyncTcpClient("127.0.0.1", server.port) as c:
            await c.write_event(event)
            out = []
            while (got := await asyncio.wait_for(c.read_event(), TIMEOUT)) is not None:
                out.append(got)
            return out

    [error] = asyncio.run(go())  # an error, then the connection is closed
    assert error.type == "error" and error.data["code"] == code, error.data
    text = str(error.data["text"])
    assert "\n" not in text and "Traceback" not in text
    if code == "unknown-wake-word":
        assert "okay_nabu" in text and "hey_jarvis" in text  # the fix names the stock models


def _expected(kinds: list[str]) -> list[str]:
    """What the Wyoming order allows, as a small reference table: the events she answers with,
    up to the first event out of order, which gets one error and a closed connection. A wake
    stream takes what wyoming-openwakeword takes: ``detect`` at any point of it, and chunks
    without ``audio-start`` (wyoming-satellite's wake engine order)."""
    table = {("idle", "detect"): ("detect", None), ("idle", "audio-start"): ("asr", None),
             ("detect", "detect"): ("detect", None), ("wake", "detect"): ("detect", None),
             ("detect", "audio-start"): ("wake", None), ("wake", "audio-start"): ("wake", None),
             ("detect", "audio-chunk"): ("wake", None), ("wake", "audio-chunk"): ("wake", None),
             ("detect", "audio-stop"): ("idle", "not-detected"),
             ("wake", "audio-stop"): ("idle", "not-detected"),
             ("asr", "audio-chunk"): ("asr", None), ("asr", "audio-stop"): ("idle", "transcript")}
    state, out = "idle", []
    for kind in kinds:
        if (state, kind) not in table:
            return [*out, "error"]
        state, said = table[state, kind]
        out += [said] if said else []
    return [*out, "pong"]


def test_wake_events_in_any_order_are_answered_or_refused(tmp_path: Path) -> None:
    """Fuzz, bounded: random sequences of the wake service's events (silence for audio)."""
    import random

    rng = random.Random(15)
    made = {"detect": lambda: Detect(names=rng.choice([None, ["alexa"], ["okay_nabu"]])).event(),
            "audio-start": lambda: AudioStart(RATE, 2, 1).event(),
            "audio-chunk": lambda: WyAudioChunk(RATE, 2, 1, bytes(2 * CHUNK)).event(),
            "audio-stop": lambda: AudioStop().event()}
    plans = [[rng.choice(list(made)) for _ in range(rng.randint(1, 7))] for _ in range(40)]

    async def one(port: int, kinds: list[str]) -> list[str]:
        async with AsyncTcpClient("127.0.0.1", port) as c:
            try:
                for kind in kinds:
                    await c.write_event(made[kind]())
                await c.write_event(Ping().event())
            except ConnectionError:  # she closed it after the error: read what she said
                pass
            got = []
            while (event := await asyncio.wait_for(c.read_event(), TIMEOUT)) is not None:
                got.append(event.type)
                if event.type == "pong":
                    break
            return got

    async def go() -> tuple[list[list[str]], Info]:
        async with serving(tmp_path) as server:
            assert server.port is not None
            answers = [await one(server.port, kinds) for kinds in plans]
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await c.write_event(Describe().event())
                event = await asyncio.wait_for(c.read_event(), TIMEOUT)
                assert event is not None
                return answers, Info.from_event(event)

    answers, info = asyncio.run(go())
    for kinds, got in zip(plans, answers, strict=True):
        assert got == _expected(kinds), kinds
    assert sum("error" in got for got in answers) >= 10  # the fuzz did reach the refusals
    assert info.wake  # and she still answers


def test_a_satellite_that_asks_the_hub_to_wake_uses_the_same_detector(tmp_path: Path) -> None:
    """wyoming-satellite with remote wake: run-pipeline from ``wake`` naming okay_nabu. Talk in
    the room without the word never reaches the transcriber; the word gives ``detection``, and
    the request reaches her brain without it."""
    from wyoming.pipeline import PipelineStage, RunPipeline

    from samantha.testing.satellite import FakeSatellite

    talk = spoken(tmp_path, f"{OTHER[0]} {OTHER[1]}", "en-gb").samples  # about 6 s of speech
    word = spoken(tmp_path, "Okay Nabu, lights on.", "en-us").samples  # about 2.3 s
    utterance = AudioChunk(np.concatenate([talk, word]), RATE)
    asr = ScriptedTranscriber(["Okay Nabu, lights on."] * 4)  # the same words at every read
    llm = ScriptedLanguageModel(["Done."])
    pipeline = RunPipeline(PipelineStage.WAKE, PipelineStage.TTS, wake_word_names=["okay_nabu"])

    async def go() -> FakeSatellite:
        sat = FakeSatellite("kitchen", utterance, realtime=False, turn_timeout_s=20,
                            pipeline=pipeline)
        await sat.start()
        cfg = from_dict({"state_dir": str(tmp_path / "state"), "tools": {"enabled": False},
                         "memory": {"extract_facts": False},
                         "serve": {"satellites": [f"kitchen={sat.uri}"]}})
        server = Server(cfg, Engines(asr, llm, ToneVoice()))
        await server.start()
        try:
            await asyncio.wait_for(sat.done.wait(), 30)
        finally:
            await server.stop()
            await sat.stop()
        return sat

    sat = asyncio.run(go())
    [turn] = sat.turns
    assert not turn.error and turn.audible, turn.error
    assert turn.transcript == "Okay Nabu, lights on."
    # only the utterance with the word was transcribed, never the talk before it: read at the
    # pause after "Okay Nabu," and at the pause that ended it (``serve.early``), then whole
    assert len(asr.calls) == 3 and all(1.0 < s < 4.0 for s in asr.calls), asr.calls
    events = sat.events
    assert "detection" in events
    assert events.index("detection") < events.index("voice-stopped") < events.index("transcript")
    assert events.count("voice-started") == 1 and events.count("voice-stopped") == 1, events
    asked = llm.prompts[-1][-1]["content"]
    assert "lights on" in asked and "Nabu" not in asked, asked


def test_a_wake_model_that_cannot_load_is_one_line_and_she_keeps_serving(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken pymicro-wakeword install: the client hears why, in one line, and the next
    connection still gets ``describe``."""
    import samantha.serve.wake as wake
    from samantha.errors import ConfigError

    def broken(*args: object) -> None:
        raise ConfigError("wake-model", "the wake model okay_nabu.json could not be "
                               "loaded (bad tflite)", "reinstall pymicro-wakeword")

    monkeypatch.setattr(wake, "WakeWord", broken)

    async def go() -> tuple[list[Event], Info]:
        async with serving(tmp_path) as server:
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await c.write_event(Detect().event())
                await c.write_event(AudioStart(RATE, 2, 1).event())
                got = []
                while (event := await asyncio.wait_for(c.read_event(), TIMEOUT)) is not None:
                    got.append(event)
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await c.write_event(Describe().event())
                info = await asyncio.wait_for(c.read_event(), TIMEOUT)
                assert info is not None
                return got, Info.from_event(info)

    got, info = asyncio.run(go())
    assert [(e.type, e.data["code"]) for e in got] == [("error", "wake-model")]
    assert "reinstall pymicro-wakeword" in got[0].data["text"]
    assert info.wake


def test_a_satellite_hears_why_when_the_wake_model_cannot_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wyoming.pipeline import PipelineStage, RunPipeline

    import samantha.serve.wake as wake
    from samantha.errors import ConfigError
    from samantha.testing.satellite import FakeSatellite

    def broken(*args: object) -> None:
        raise ConfigError("wake-model", "the wake model could not be loaded",
                          "reinstall pymicro-wakeword")

    monkeypatch.setattr(wake, "WakeWord", broken)
    pipeline = RunPipeline(PipelineStage.WAKE, PipelineStage.TTS, wake_word_names=["alexa"])

    async def go() -> FakeSatellite:
        sat = FakeSatellite("hall", spoken(tmp_path, WAKE, "en-us"), realtime=False,
                            turn_timeout_s=20, pipeline=pipeline)
        await sat.start()
        cfg = from_dict({"state_dir": str(tmp_path / "state"),
                         "serve": {"satellites": [f"hall={sat.uri}"]}})
        server = Server(cfg, Engines(ScriptedTranscriber([]), ScriptedLanguageModel(["x"]),
                                     ToneVoice()))
        await server.start()
        try:
            await asyncio.wait_for(sat.done.wait(), 30)
        finally:
            await server.stop()
            await sat.stop()
        return sat

    [turn] = asyncio.run(go()).turns
    assert "reinstall pymicro-wakeword" in turn.error, turn.error
