"""A small Wyoming satellite for the tests and ``samantha bench --rooms``: it speaks a WAV into
a room and records what comes back, on loopback.

It behaves as ``wyoming-satellite`` does towards its server: it answers ``describe`` with an
``info`` naming a satellite, waits for ``run-satellite``, then for each of its ``turns`` sends
``run-pipeline`` (asr to tts, or its ``pipeline``) and streams the utterance at real-time pace
(or faster), followed by silence until the server says ``voice-stopped``; it collects the
``transcript`` and the reply's audio and says ``played`` at ``audio-stop``. Voice-to-voice is
measured here, from the end of the utterance's speech to the reply's first ``audio-chunk``.
Bounded: a fixed number of turns, each with a deadline.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import numpy as np
from wyoming.audio import AudioChunk as WyAudioChunk
from wyoming.event import Event, async_read_event, async_write_event
from wyoming.info import Attribution, Info, Satellite
from wyoming.pipeline import PipelineStage, RunPipeline
from wyoming.snd import Played

from samantha.audio.chunk import RATE, AudioChunk, rms_dbfs
from samantha.clock import now_ns

log = logging.getLogger(__name__)
CHUNK = 1024


@dataclass
class SatelliteTurn:
    transcript: str = ""
    audio: list[np.ndarray] = field(default_factory=list)
    audio_rate: int = 22050
    speech_end_ns: int = 0
    first_audio_ns: int = 0
    done_ns: int = 0
    error: str = ""

    @property
    def voice_to_voice_s(self) -> float:
        if not self.first_audio_ns or not self.speech_end_ns:
            return float("nan")
        return (self.first_audio_ns - self.speech_end_ns) / 1e9

    def reply(self) -> AudioChunk:
        samples = np.concatenate(self.audio) if self.audio else np.zeros(0, np.int16)
        return AudioChunk(samples, self.audio_rate)

    @property
    def audible(self) -> bool:
        return rms_dbfs(self.reply().samples) > -45.0


class FakeSatellite:
    """Listens on loopback; the server under test dials it."""

    def __init__(self, name: str, utterance: AudioChunk, turns: int = 1,
                 realtime: bool = True, turn_timeout_s: float = 120.0,
                 pipeline: RunPipeline | None = None, once: bool = False) -> None:
        self.name = name
        self.pipeline = pipeline or RunPipeline(PipelineStage.ASR, PipelineStage.TTS)
        """What it asks for each turn (``wake`` to ``tts``: the server listens for the word)."""
        self.utterance = utterance
        self.once = once
        """As wyoming-satellite 1.0 (wyoming 1.4): ``run-pipeline`` once, without
        ``restart_on_end``, and never ``played``; between turns it waits, as a person would,
        until the reply has been played."""
        self.turns_wanted = turns
        self.realtime = realtime
        self.turn_timeout_s = turn_timeout_s
        self.turns: list[SatelliteTurn] = []
        self.events: list[str] = []
        self.done = asyncio.Event()
        self.port = 0
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                event = await async_read_event(reader)
                if event is None:
                    return
                self.events.append(event.type)
                if event.type == "describe":
                    info = Info(satellite=Satellite(
                        name=self.name, attribution=Attribution("test", ""), installed=True,
                        description="a fake satellite", version="1", area=self.name))
                    await async_write_event(info.event(), writer)
                elif event.type == "run-satellite":
                    for _ in range(self.turns_wanted):
                        turn = await asyncio.wait_for(self._turn(reader, writer),
                                                      self.turn_timeout_s)
                        self.turns.append(turn)
                    self.done.set()
        except (TimeoutError, OSError, ConnectionError) as exc:
            log.warning("fake satellite %s: %s", self.name, exc)
            self.done.set()
        finally:
            writer.close()

    async def _turn(self, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> SatelliteTurn:
        turn = SatelliteTurn()
        if not self.once:
            await async_write_event(self.pipeline.event(), writer)
        elif not self.turns:  # wyoming 1.4's run-pipeline: the stages only
            await async_write_event(Event("run-pipeline", {
                "start_stage": self.pipeline.start_stage.value,
                "end_stage": self.pipeline.end_stage.value}), writer)
        else:
            last = self.turns[-1].reply()
            await asyncio.sleep(last.seconds + 1.0)
        stopped = asyncio.Event()
        sender = asyncio.create_task(self._speak(writer, turn, stopped))
        try:
            while True:
                event = await async_read_event(reader)
                if event is None:
                    raise ConnectionError("the server closed the link mid-turn")
                self.events.append(event.type)
                if event.type == "voice-stopped":
                    stopped.set()
                elif event.type == "transcript":
                    stopped.set()
                    turn.transcript = str(event.data.get("text", ""))
                elif event.type == "audio-start":
                    turn.audio_rate = int(event.data.get("rate", 22050))
                elif event.type == "audio-chunk":
                    if not turn.first_audio_ns:
                        turn.first_audio_ns = now_ns()
                    turn.audio.append(np.frombuffer(event.payload or b"", np.int16))
                elif event.type == "audio-stop":
                    turn.done_ns = now_ns()
                    if not self.once:
                        await async_write_event(Played().event(), writer)
                    return turn
                elif event.type == "error":
                    turn.error = str(event.data.get("text", ""))
                    return turn
        finally:
            stopped.set()
            await sender

    async def _speak(self, writer: asyncio.StreamWriter, turn: SatelliteTurn,
                     stopped: asyncio.Event) -> None:
        """The utterance, then silence (at most 5 s) until the server hears the end."""
        samples = self.utterance.samples
        pace = CHUNK / RATE if self.realtime else 0.0
        silence = np.zeros(CHUNK, np.int16)
        for i in range(0, len(samples), CHUNK):
            await self._send(writer, samples[i:i + CHUNK])
            await asyncio.sleep(pace)
        turn.speech_end_ns = now_ns()
        for _ in range(int(5 * RATE / CHUNK)):
            if stopped.is_set():
                return
            await self._send(writer, silence)
            await asyncio.sleep(pace or 0.005)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, samples: np.ndarray) -> None:
        await async_write_event(WyAudioChunk(rate=RATE, width=2, channels=1,
                                             audio=samples.astype(np.int16).tobytes()).event(),
                                writer)


def event_types(events: list[Event]) -> list[str]:
    return [e.type for e in events]
