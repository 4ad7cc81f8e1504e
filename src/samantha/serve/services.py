"""One client connection: ``describe``, and her ears (``asr``), voice (``tts``), brain
(``handle``) and wake words (``wake``) as Home Assistant's Wyoming integration asks for them.

- ``describe`` → ``info`` listing the four programs, each ``installed``.
- ``transcribe``, ``audio-start``, ``audio-chunk``…, ``audio-stop`` → ``transcript``.
- ``synthesize`` → ``audio-start``, ``audio-chunk``… (sentence by sentence), ``audio-stop``;
  or ``synthesize-start``, ``synthesize-chunk``…, ``synthesize-stop`` → the same audio, voiced
  as each sentence completes, then ``synthesize-stopped``.
- ``detect``, ``audio-start``, ``audio-chunk``…, ``audio-stop`` → ``detection`` each time a
  wake word fires, or ``not-detected`` at ``audio-stop`` (``serve.wake``).
- ``transcript`` on its own (Home Assistant's conversation agent) → ``handled``, or
  ``not-handled`` when she has nothing to say.
- ``ping`` → ``pong``. Other unknown events are dropped, as the protocol asks.

A malformed, oversized or out-of-order event gets an ``error`` event and the connection is
closed; an engine's failure or a full queue gets an ``error`` and the connection stays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from enum import Enum

import numpy as np
from wyoming.asr import Transcript
from wyoming.error import Error
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    HandleModel,
    HandleProgram,
    Info,
    TtsProgram,
    TtsVoice,
)
from wyoming.ping import Pong
from wyoming.tts import SynthesizeStopped
from wyoming.wake import Detection, NotDetected

from samantha import __version__
from samantha.audio.chunk import AudioChunk, to_pipeline
from samantha.config import Config
from samantha.errors import SamanthaError
from samantha.pipeline import turn
from samantha.serve.protocol import ProtocolError, field, read_event, write_event
from samantha.serve.rooms import Household, Room
from samantha.serve.speaker import StreamSpeaker
from samantha.serve.wake import WakeStream, names_of, program

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 4000
"""Longest text for ``synthesize`` or ``handle``."""
_ATTRIBUTION = Attribution(name="Samantha", url="https://github.com/samantha-voice/samantha")


class State(Enum):
    IDLE = "idle"
    TRANSCRIBE = "transcribe"      # asked to transcribe, audio not yet started
    AUDIO = "audio"                # receiving audio for a transcription
    SYNTHESIZE = "synthesize"      # receiving text to voice
    DETECT = "detect"              # asked to detect a wake word, audio not yet started
    WAKE = "wake"                  # receiving audio for wake word detection


def describe(cfg: Config) -> Info:
    """What Home Assistant's Wyoming integration reads: one installed program per service."""
    voice_lang = cfg.tts.voice.split("-", 1)[0]
    lang = cfg.asr.language
    return Info(
        asr=[AsrProgram(
            name="samantha-asr", description="Samantha's ears (whisper.cpp, on this device)",
            attribution=_ATTRIBUTION, installed=True, version=__version__,
            models=[AsrModel(name=cfg.asr.model, description=cfg.asr.model,
                             attribution=_ATTRIBUTION, installed=True, version=None,
                             languages=[lang])],
            supports_transcript_streaming=False)],
        tts=[TtsProgram(
            name="samantha-tts", description="Samantha's voice (Piper, on this device)",
            attribution=_ATTRIBUTION, installed=True, version=__version__,
            voices=[TtsVoice(name=cfg.tts.voice, description=cfg.tts.voice,
                             attribution=_ATTRIBUTION, installed=True, version=None,
                             languages=[voice_lang])],
            supports_synthesize_streaming=True)],
        handle=[HandleProgram(
            name="samantha", description=f"{cfg.persona.name}: persona, memory, tools and "
            "output filter (llama.cpp, on this device)",
            attribution=_ATTRIBUTION, installed=True, version=__version__,
            models=[HandleModel(name=cfg.llm.model, description=cfg.llm.model,
                                attribution=_ATTRIBUTION, installed=True, version=None,
                                languages=[lang])],
            supports_handled_streaming=False)],
        wake=program(),
    )


def audio_of(event: Event, fmt: tuple[int, int, int] | None = None) -> tuple[int, int, int]:
    """The (rate, width, channels) of an audio event, checked."""
    rate = field(event.data, "rate", int)
    width = field(event.data, "width", int)
    channels = field(event.data, "channels", int)
    if not 8000 <= rate <= 48000 or width != 2 or channels not in (1, 2):
        raise ProtocolError("audio-format", f"unsupported audio: {rate} Hz, {width} bytes, "
                            f"{channels} channels", "send 16-bit PCM, mono or stereo, 8-48 kHz")
    if fmt is not None and (rate, width, channels) != fmt:
        raise ProtocolError("audio-format", "the audio format changed inside one stream",
                            "keep the format of audio-start")
    return rate, width, channels


def pcm(payload: bytes | None, channels: int) -> np.ndarray:
    data = payload or b""
    if len(data) % (2 * channels):
        raise ProtocolError("audio-format", "an audio chunk holds a partial sample",
                            "send whole 16-bit frames")
    return np.frombuffer(data, np.int16).reshape(-1, channels)


def to_16k(samples: np.ndarray, rate: int) -> AudioChunk:
    """Client PCM (frames x channels, int16) to the pipeline's 16 kHz mono. As float: the
    edge's mixer averages 2-D int input before scaling it."""
    return to_pipeline(samples.astype(np.float32) / 32768.0, rate)


class Connection:
    """The events of one client, in order; one request at a time."""

    def __init__(self, household: Household, room: Room, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.household, self.room = household, room
        self.cfg = household.cfg.serve
        self.reader, self.writer = reader, writer
        self.state = State.IDLE
        self._audio: list[np.ndarray] = []
        self._samples = 0
        self._format: tuple[int, int, int] | None = None
        self._text: asyncio.Queue[str | None] | None = None
        self._speaking: asyncio.Task[None] | None = None
        self._names: tuple[str, ...] = ()
        self._wake: WakeStream | None = None

    async def run(self) -> None:
        """Serve until the client leaves; ``ProtocolError`` escapes to the server."""
        try:
            while True:
                event = await asyncio.wait_for(read_event(self.reader, self.cfg.max_event_bytes),
                                               self.cfg.idle_timeout_s)
                if event is None:
                    return
                await self.handle(event)
        finally:
            await self._stop_speaking()
            if self._wake is not None:
                await self._wake.close()

    async def handle(self, event: Event) -> None:
        kind = event.type
        if kind == "describe":
            await write_event(self.writer, describe(self.household.cfg).event())
        elif kind == "ping":
            await write_event(self.writer, Pong(text=event.data.get("text")).event())
        elif kind == "transcribe":
            self._expect(State.IDLE, kind)
            self.state = State.TRANSCRIBE
        elif kind == "detect":
            self._expect(State.IDLE, kind)
            self._names, self.state = names_of(event, self.household.cfg.wake), State.DETECT
        elif kind == "audio-start":
            if self.state is State.DETECT:
                self._format = audio_of(event)
                await self._start_wake()
                return
            if self.state not in (State.IDLE, State.TRANSCRIBE):
                self._out_of_order(kind)
            self._format = audio_of(event)
            self._audio, self._samples, self.state = [], 0, State.AUDIO
        elif kind == "audio-chunk" and self.state is State.WAKE:
            await self._hear(event)
        elif kind == "audio-stop" and self.state is State.WAKE:
            assert self._wake is not None
            self.state = State.IDLE
            if not self._wake.detected:
                await write_event(self.writer, NotDetected().event())
        elif kind == "audio-chunk":
            self._expect(State.AUDIO, kind)
            assert self._format is not None
            samples = pcm(event.payload, audio_of(event, self._format)[2])
            self._samples += len(samples)
            if self._samples > self.cfg.max_audio_s * self._format[0]:
                raise ProtocolError("too-long", f"more than {self.cfg.max_audio_s:g} s of audio "
                                    "in one request", "end the request with audio-stop sooner")
            self._audio.append(samples)
        elif kind == "audio-stop":
            self._expect(State.AUDIO, kind)
            await self._transcribe()
        elif kind == "synthesize":
            if self.state is State.SYNTHESIZE:
                return  # the plain copy a streaming client sends alongside its chunks
            self._expect(State.IDLE, kind)
            await self._synthesize(self._text_of(event))
        elif kind == "synthesize-start":
            self._expect(State.IDLE, kind)
            self._start_stream()
        elif kind == "synthesize-chunk":
            self._expect(State.SYNTHESIZE, kind)
            assert self._text is not None
            await self._text.put(self._text_of(event))
        elif kind == "synthesize-stop":
            self._expect(State.SYNTHESIZE, kind)
            await self._finish_stream()
        elif kind == "transcript":
            self._expect(State.IDLE, kind)
            await self._handle(self._text_of(event))
        else:
            log.debug("dropped an event of unknown type %s", kind[:40])

    def _expect(self, state: State, kind: str) -> None:
        if self.state is not state:
            self._out_of_order(kind)

    def _out_of_order(self, kind: str) -> None:
        raise ProtocolError("out-of-order", f"{kind} came while {self.state.value}",
                            "follow the Wyoming order: transcribe (or detect), audio-start, "
                            "audio-chunk…, audio-stop (or synthesize-start, chunks, "
                            "synthesize-stop)")

    def _text_of(self, event: Event) -> str:
        text: str = field(event.data, "text", str)
        if len(text) > MAX_TEXT_CHARS:
            raise ProtocolError("too-long", f"text of {len(text)} characters is over "
                                f"{MAX_TEXT_CHARS}", "send shorter text")
        return text

    # asr
    async def _transcribe(self) -> None:
        assert self._format is not None
        rate, _, _ = self._format
        audio = np.concatenate(self._audio) if self._audio else np.zeros((0, 1), np.int16)
        self._audio, self.state = [], State.IDLE
        if len(audio) == 0:
            await write_event(self.writer, Transcript(text="").event())
            return
        chunk = to_16k(audio, rate)
        result = turn.TurnResult()
        try:
            await turn.transcribe(chunk, self.room.engines, self.room.brain, result)
        except SamanthaError as err:
            await self._error(err)
            return
        await write_event(self.writer, Transcript(text=result.transcript,
                                                  language=self.household.cfg.asr.language)
                          .event())

    # wake
    async def _start_wake(self) -> None:
        """The detectors this connection asked for: kept while it asks for the same names."""
        if self._wake is not None and self._wake.names != self._names:
            await self._wake.close()
            self._wake = None
        if self._wake is None:
            self._wake = await self.household.wake.open(self._names)
        await self._wake.begin()
        self.state = State.WAKE

    async def _hear(self, event: Event) -> None:
        assert self._wake is not None and self._format is not None
        rate, _, channels = audio_of(event, self._format)
        stamp = field(event.data, "timestamp", int, None)
        samples = pcm(event.payload, channels)
        if not len(samples):
            return
        fired = await self._wake.feed(to_16k(samples, rate).samples)
        for name in fired:  # the client's own clock when it stamps its chunks, else ours
            at_ms = stamp if stamp is not None else round(self._wake.position_s * 1000)
            await write_event(self.writer, Detection(name=name, timestamp=at_ms).event())

    # tts
    async def _synthesize(self, text: str) -> None:
        speaker = StreamSpeaker(self.writer, self.room.engines.tts.rate)
        try:
            await self.room.speak(text, speaker, MAX_TEXT_CHARS)
        except SamanthaError as err:
            await self._error(err)
            return
        await speaker.finish()

    def _start_stream(self) -> None:
        self.state = State.SYNTHESIZE
        self._text = asyncio.Queue(maxsize=16)
        speaker = StreamSpeaker(self.writer, self.room.engines.tts.rate)

        async def pieces(queue: asyncio.Queue[str | None]) -> AsyncGenerator[str, None]:
            while (piece := await queue.get()) is not None:
                yield piece

        async def speak() -> None:
            assert self._text is not None
            await self.room.speak_stream(pieces(self._text), speaker, MAX_TEXT_CHARS)
            await speaker.finish()

        self._speaking = asyncio.create_task(speak())

    async def _finish_stream(self) -> None:
        assert self._text is not None and self._speaking is not None
        await self._text.put(None)
        task, self._speaking, self._text = self._speaking, None, None
        self.state = State.IDLE
        try:
            await task
        except SamanthaError as err:
            await self._error(err)
            return
        await write_event(self.writer, SynthesizeStopped().event())

    async def _stop_speaking(self) -> None:
        if self._speaking is not None:
            self._speaking.cancel()
            await asyncio.gather(self._speaking, return_exceptions=True)
            self._speaking = None

    # handle
    async def _handle(self, text: str) -> None:
        if not text.strip():
            await write_event(self.writer, NotHandled(text="I didn't hear anything.").event())
            return
        result = turn.TurnResult(transcript=text)
        try:
            await self.room.answer(text, None, result, turn.TYPED)
        except SamanthaError as err:
            await write_event(self.writer, NotHandled(text=err.message).event())
            return
        reply = " ".join(result.spoken)
        event = Handled(text=reply) if reply else NotHandled(text="I have nothing to say.")
        await write_event(self.writer, event.event())

    async def _error(self, err: SamanthaError) -> None:
        log.warning("room %s: %s", self.room.name, err)
        await write_event(self.writer, Error(text=str(err), code=err.code).event())
