"""What real Wyoming clients do to ``samantha serve``, with fakes for the engines, in seconds:
wyoming-satellite 1.0 (run-pipeline once, never ``played``) is answered every time; idle
connections lock nobody out; Home Assistant's ``conversation_id`` is echoed and keeps its own
history; long audio is taken up to a clear limit; ``describe`` tells what she really speaks and
who made each model."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk as WyAudioChunk
from wyoming.audio import AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.handle import Handled
from wyoming.info import Describe, Info
from wyoming.ping import Ping

from samantha.companion.persona import EXAMPLES
from samantha.config import from_dict
from samantha.inference.engines import Engines
from samantha.inference.protocols import Message
from samantha.serve import server as server_mod
from samantha.serve.describe import describe
from samantha.serve.server import Server
from samantha.testing.fakes import (
    ScriptedLanguageModel,
    ScriptedTranscriber,
    ToneVoice,
    speech_like,
)
from samantha.testing.satellite import FakeSatellite

TIMEOUT = 20


def _server(tmp_path: Path, engines: Engines, **serve: object) -> Server:
    cfg = from_dict({"state_dir": str(tmp_path / "state"), "tools": {"enabled": False},
                     "memory": {"extract_facts": False},
                     # a scripted transcriber says its lines in order: one reading per
                     # utterance (the words at a pause are tested in test_serve_early.py)
                     "vad": {"wait_unfinished": False},
                     "serve": {"listen": "tcp://127.0.0.1:0", **serve}})
    return Server(cfg, engines)


def _engines(lines: list[str] | None = None, replies: list[str] | None = None) -> Engines:
    return Engines(ScriptedTranscriber(lines or []),
                   ScriptedLanguageModel(replies or ["Fine, thank you."]), ToneVoice())


def test_a_satellite_that_asks_once_and_never_says_played_is_answered_every_time(
        tmp_path: Path) -> None:
    """wyoming-satellite 1.0: one run-pipeline without restart_on_end, no played; the person
    asks again as soon as the reply has been played (well inside the old 60 s wait)."""
    engines = Engines(ScriptedTranscriber(["What is the time?", "And the date?",
                                           "Thank you."]),
                      ScriptedLanguageModel(["It is late."]), ToneVoice())

    async def go() -> tuple[FakeSatellite, float]:
        sat = FakeSatellite("den", speech_like(1.2), turns=3, realtime=False, once=True,
                            turn_timeout_s=30)
        await sat.start()
        server = _server(tmp_path, engines, listen="", satellites=[f"den={sat.uri}"])
        await server.start()
        start = time.perf_counter()
        try:
            await asyncio.wait_for(sat.done.wait(), 90)
        finally:
            await server.stop()
            await sat.stop()
        return sat, time.perf_counter() - start

    sat, took = asyncio.run(go())
    assert [t.transcript for t in sat.turns] == ["What is the time?", "And the date?",
                                                 "Thank you."]
    assert all(t.audible and not t.error for t in sat.turns)
    assert took < 45, took


def test_a_satellite_request_she_did_not_catch_is_asked_again_not_guessed(
        tmp_path: Path) -> None:
    """As at home (``pipeline.hearing``): a transcript that trails off gets "Sorry, I didn't
    catch that" and no reply to the guess; the repeat is answered; two misses in a row are
    asked again twice, then she stays quiet."""
    voice = ToneVoice()
    llm = ScriptedLanguageModel(["It is late."])
    engines = Engines(ScriptedTranscriber(["What is the...", "What is the time?",
                                           "Some under... ...", "And the...", "So the..."]),
                      llm, voice)

    async def go() -> FakeSatellite:
        sat = FakeSatellite("den", speech_like(1.2), turns=5, realtime=False, once=True,
                            turn_timeout_s=30)
        await sat.start()
        server = _server(tmp_path, engines, listen="", satellites=[f"den={sat.uri}"])
        await server.start()
        try:
            await asyncio.wait_for(sat.done.wait(), 90)
        finally:
            await server.stop()
            await sat.stop()
        return sat

    sat = asyncio.run(go())
    assert [t.transcript for t in sat.turns][:2] == ["What is the...", "What is the time?"]
    assert voice.said[0].startswith("Sorry, I didn"), voice.said
    assert voice.said.count(voice.said[0]) == 3, voice.said  # 1st, then 3rd and 4th: not 5th
    assert len(llm.prompts) == 1  # only "What is the time?" reached the model
    assert sat.turns[0].audible and sat.turns[1].audible and not sat.turns[4].audible


def test_forty_silent_connections_do_not_lock_out_describe(tmp_path: Path) -> None:
    async def go() -> tuple[float, int, float]:
        server = _server(tmp_path, _engines())
        await server.start()
        assert server.port is not None
        silent = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(40)]
        try:
            await asyncio.sleep(0.2)
            start = time.perf_counter()
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await c.write_event(Describe().event())
                event = await asyncio.wait_for(c.read_event(), 5)
            answered = time.perf_counter() - start
            assert event is not None and Info.is_type(event.type)
            # the silent ones are closed within seconds, not after the idle timeout
            start = time.perf_counter()
            closed = 0
            for reader, _ in silent:
                try:
                    while await asyncio.wait_for(reader.read(4096), 10):
                        pass
                    closed += 1
                except (TimeoutError, ConnectionError):
                    pass
            return answered, closed, time.perf_counter() - start
        finally:
            for _, writer in silent:
                writer.close()
            await server.stop()

    answered, closed, took = asyncio.run(go())
    assert answered < 5.0
    assert closed == 40 and took < 8.0, (closed, took)


def test_one_address_cannot_take_every_place(tmp_path: Path) -> None:
    """Past ``PER_ADDRESS`` a client hears why (busy) at once, and may still ask describe."""
    async def go() -> list[str]:
        server = _server(tmp_path, _engines())
        await server.start()
        assert server.port is not None
        held = []
        try:
            for _ in range(server_mod.PER_ADDRESS):  # each asks for something: they stay
                c = AsyncTcpClient("127.0.0.1", server.port)
                await c.connect()
                await c.write_event(Transcribe().event())
                held.append(c)
            await asyncio.sleep(0.2)
            got = []
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await c.write_event(Transcribe().event())
                event = await asyncio.wait_for(c.read_event(), 5)
                got.append(f"{event.type}:{event.data.get('code')}" if event else "closed")
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await c.write_event(Describe().event())
                event = await asyncio.wait_for(c.read_event(), 5)
                got.append(event.type if event else "closed")
            return got
        finally:
            for c in held:
                await c.disconnect()
            await server.stop()

    assert asyncio.run(go()) == ["error:busy", "info"]


def _echo(messages: list[Message]) -> str:
    return "You said " + messages[-1]["content"].split()[-1]


def test_conversation_id_is_echoed_and_each_conversation_has_its_own_history(
        tmp_path: Path) -> None:
    llm = ScriptedLanguageModel([_echo])

    async def ask(port: int, text: str, conversation: str | None) -> Handled:
        async with AsyncTcpClient("127.0.0.1", port) as c:  # one connection each, as HA does
            context = {"conversation_id": conversation} if conversation else None
            await c.write_event(Transcript(text=text, context=context).event())
            event = await asyncio.wait_for(c.read_event(), TIMEOUT)
            assert event is not None and event.type == "handled", event
            return Handled.from_event(event)

    async def go() -> list[Handled]:
        server = _server(tmp_path, Engines(ScriptedTranscriber([]), llm, ToneVoice()))
        await server.start()
        assert server.port is not None
        try:
            return [await ask(server.port, "I like tea", "01A"),
                    await ask(server.port, "I like chess", "01B"),
                    await ask(server.port, "What next?", "01A"),
                    await ask(server.port, "Hello there", None)]
        finally:
            await server.stop()

    answers = asyncio.run(go())
    assert [a.context for a in answers] == [{"conversation_id": "01A"},
                                            {"conversation_id": "01B"},
                                            {"conversation_id": "01A"}, None]
    fixed = 1 + 2 * len(EXAMPLES)

    def said(prompt: list[Message]) -> str:
        return " ".join(m["content"] for m in prompt[fixed:])

    assert "I like tea" in said(llm.prompts[2]) and "chess" not in said(llm.prompts[2])
    assert "tea" not in said(llm.prompts[1])
    assert "tea" not in said(llm.prompts[3]) and "chess" not in said(llm.prompts[3])


async def _send_audio(c: AsyncTcpClient, seconds: float, rate: int = 16000,
                      channels: int = 1) -> None:
    await c.write_event(Transcribe().event())
    await c.write_event(AudioStart(rate, 2, channels).event())
    tone = speech_like(seconds).samples
    if rate != 16000 or channels != 1:
        tone = np.repeat(np.resize(tone, int(seconds * rate)), channels)
    step = 2048 * channels
    for i in range(0, len(tone), step):
        await c.write_event(WyAudioChunk(rate, 2, channels, tone[i:i + step].tobytes()).event())
    await c.write_event(AudioStop().event())


def test_long_audio_is_taken_up_to_a_clear_limit_without_a_reset(tmp_path: Path) -> None:
    asr = ScriptedTranscriber(["a long story"])

    async def go() -> list[Event]:
        server = _server(tmp_path, Engines(asr, ScriptedLanguageModel(["ok"]), ToneVoice()),
                         max_audio_s=60)
        await server.start()
        assert server.port is not None
        out: list[Event] = []
        try:
            async with AsyncTcpClient("127.0.0.1", server.port) as c:
                await _send_audio(c, 45.0, 48000, 2)  # past whisper's 30 s window
                out.append(await asyncio.wait_for(c.read_event(), TIMEOUT))
                await _send_audio(c, 75.0)  # past the limit: an error, the connection stays
                out.append(await asyncio.wait_for(c.read_event(), TIMEOUT))
                await c.write_event(Ping().event())
                out.append(await asyncio.wait_for(c.read_event(), TIMEOUT))
            return out
        finally:
            await server.stop()

    transcript, error, pong = asyncio.run(go())
    assert transcript.type == "transcript" and transcript.data["text"] == "a long story"
    assert abs(asr.calls[0] - 45.0) < 0.1  # all of it, at 16 kHz mono
    assert error.type == "error" and error.data["code"] == "too-long"
    assert "60 s" in error.data["text"] and "max_audio_s" in error.data["text"]
    assert pong.type == "pong"


def test_describe_in_korean_lists_what_she_speaks_and_credits_the_makers() -> None:
    english = describe(from_dict({}))
    korean = describe(from_dict({"persona": {"language": "ko"}}))
    both = describe(from_dict({"persona": {"language": "auto"}}))
    assert [v.languages for v in english.tts[0].voices] == [["en_US"]]
    assert english.asr[0].models[0].languages == ["en"]
    assert [v.languages for v in korean.tts[0].voices] == [["en_US"], ["ko_KR"]]
    assert korean.asr[0].models[0].languages == ["ko"]
    assert korean.handle[0].models[0].languages == ["ko"]
    assert both.handle[0].models[0].languages == ["en", "ko"]
    for info in (english, korean):
        assert info.asr[0].models[0].attribution.name == "OpenAI"
        assert info.asr[0].attribution.name.startswith("whisper.cpp")
        assert info.tts[0].attribution.name.startswith("Piper")
        assert all(v.attribution.name != "Samantha" for v in info.tts[0].voices)
        assert info.handle[0].models[0].attribution.name.startswith("Qwen")
        assert info.handle[0].attribution.name == "Samantha"  # the one thing that is hers
