"""One client connection: ``describe``, and her ears (``asr``), voice (``tts``), brain
(``handle``) and wake words (``wake``) as Home Assistant's Wyoming integration asks for them.

- ``describe`` → ``info`` listing the four programs, each ``installed``.
- ``transcribe``, ``audio-start``, ``audio-chunk``…, ``audio-stop`` → ``transcript``.
- ``synthesize`` → ``audio-start``, ``audio-chunk``… (sentence by sentence), ``audio-stop``;
  or ``synthesize-start``, ``synthesize-chunk``…, ``synthesize-stop`` → the same audio, voiced
  as each sentence completes, then ``synthesize-stopped``.
- ``detect``, ``audio-start``, ``audio-chunk``…, ``audio-stop`` → ``detection`` each time a
  wake word fires, or ``not-detected`` at ``audio-stop`` (``serve.wake``). As
  wyoming-openwakeword, ``detect`` may come again at any point of the stream and the chunks may
  come without ``audio-start``: wyoming-satellite's wake engine (``--wake-uri``) sends
  ``detect``, bare chunks, and ``detect`` again after each transcript.
- ``transcript`` on its own (Home Assistant's conversation agent) → ``handled``, or
  ``not-handled`` when she has nothing to say; a ``context`` ``conversation_id`` is echoed
  and keeps its own history (``Household.conversation``).
- Audio for ``transcribe`` is kept at 16 kHz mono up to ``[serve] max_audio_s``; past it the
  request gets a ``too-long`` error at ``audio-stop`` and the connection stays.
- ``ping`` → ``pong``. Other unknown events are dropped, as the protocol asks.

A malformed, oversized or out-of-order event gets an ``error`` event and the connection is
closed; an engine's failure or a full queue gets an ``error`` and the connection stays. A
connection that has asked for nothing within ``FIRST_REQUEST_S`` is closed.
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
from wyoming.ping import Pong
from wyoming.tts import SynthesizeStopped
from wyoming.wake import Detection, NotDetected

from samantha.audio.chunk import AudioChunk, to_pipeline
from samantha.errors import SamanthaError, ServeError
from samantha.pipeline import turn
from samantha.serve.collect import Collector
from samantha.serve.describe import describe
from samantha.serve.protocol import ProtocolError, field, read_event, write_event
from samantha.serve.rooms import Household, Room
from samantha.serve.speaker import StreamSpeaker
from samantha.serve.wake import WakeStream, names_of

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 4000
"""Longest text for ``synthesize`` or ``handle``."""
FIRST_REQUEST_S = 5.0
"""A connection that has asked for nothing (``describe`` and ``ping`` are not requests) is closed
after this long: idle sockets cannot hold the places of real clients."""
REQUESTS = frozenset({"transcribe", "detect", "audio-start", "audio-chunk", "synthesize",
                      "synthesize-start", "transcript"})


class State(Enum):
    IDLE = "idle"
    TRANSCRIBE = "transcribe"      # asked to transcribe, audio not yet started
    AUDIO = "audio"                # receiving audio for a transcription
    SYNTHESIZE = "synthesize"      # receiving text to voice
    DETECT = "detect"              # asked to detect a wake word, audio not yet started
    WAKE = "wake"                  # receiving audio for wake word detection


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
        self.asked = False
        """Has the client made a request yet (see ``FIRST_REQUEST_S``)?"""
        self._collector: Collector | None = None
        self._context: dict[str, object] | None = None
        self._format: tuple[int, int, int] | None = None
        self._text: asyncio.Queue[str | None] | None = None
        self._speaking: asyncio.Task[None] | None = None
        self._names: tuple[str, ...] = ()
        self._wake: WakeStream | None = None

    async def run(self) -> None:
        """Serve until the client leaves; ``ProtocolError`` escapes to the server."""
        try:
            while True:
                wait = self.cfg.idle_timeout_s if self.asked else FIRST_REQUEST_S
                event = await asyncio.wait_for(read_event(self.reader, self.cfg.max_event_bytes),
                                               wait)
                if event is None:
                    return
                self.asked = self.asked or event.type in REQUESTS
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
            self.state, self._context = State.TRANSCRIBE, _context(event)
        elif kind == "detect":  # at any point of a wake stream, as wyoming-openwakeword takes it
            if self.state not in (State.IDLE, State.DETECT, State.WAKE):
                self._out_of_order(kind)
            self._names, self.state = names_of(event, self.household.cfg.wake), State.DETECT
        elif kind == "audio-start":
            if self.state in (State.DETECT, State.WAKE):
                self._format = audio_of(event)
                await self._start_wake()
                return
            if self.state not in (State.IDLE, State.TRANSCRIBE):
                self._out_of_order(kind)
            self._format = audio_of(event)
            rate, _, channels = self._format
            self._collector = Collector(rate, channels, self.cfg.max_audio_s)
            self.state = State.AUDIO
        elif kind == "audio-chunk" and self.state is State.DETECT:
            # wyoming-satellite's wake engine sends detect, then bare chunks (no audio-start)
            self._format = audio_of(event)
            await self._start_wake()
            await self._hear(event)
        elif kind == "audio-chunk" and self.state is State.WAKE:
            await self._hear(event)
        elif kind == "audio-stop" and self.state in (State.DETECT, State.WAKE):
            self.state = State.IDLE
            if self._wake is None or not self._wake.detected:
                await write_event(self.writer, NotDetected().event())
        elif kind == "audio-chunk":
            self._expect(State.AUDIO, kind)
            assert self._format is not None and self._collector is not None
            self._collector.add(pcm(event.payload, audio_of(event, self._format)[2]))
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
            await self._handle(self._text_of(event), _context(event))
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
        collector, self._collector, self.state = self._collector, None, State.IDLE
        assert collector is not None
        if collector.over:
            await self._error(ServeError(
                "too-long", f"{collector.heard_s:.0f} s of audio in one request is over the "
                f"limit of {self.cfg.max_audio_s:g} s", "send shorter requests, or raise "
                "[serve] max_audio_s"))
            return
        chunk = collector.audio()
        if chunk.seconds == 0:
            await write_event(self.writer, Transcript(text="", context=self._context).event())
            return
        result = turn.TurnResult()
        try:
            await turn.transcribe(chunk, self.room.engines, self.room.brain, result)
        except SamanthaError as err:
            await self._error(err)
            return
        await write_event(self.writer, Transcript(text=result.transcript,
                                                  language=self.household.cfg.asr.language,
                                                  context=self._context).event())

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
    async def _handle(self, text: str, context: dict[str, object] | None) -> None:
        """Home Assistant's conversation agent: each ``conversation_id`` is a conversation with
        its own history (the address's memory rights and fair line), echoed in the answer."""
        conversation = _conversation_id(context)
        echo = {"conversation_id": conversation} if conversation else None
        if not text.strip():
            await write_event(self.writer, NotHandled(text="I didn't hear anything.",
                                                      context=echo).event())
            return
        room = self.room
        if conversation:
            room = await self.household.conversation(self.room.name, conversation)
        result = turn.TurnResult(transcript=text)
        try:
            await room.answer(text, None, result, turn.TYPED)
        except SamanthaError as err:
            await write_event(self.writer, NotHandled(text=err.message, context=echo).event())
            return
        reply = " ".join(result.spoken)
        event = (Handled(text=reply, context=echo) if reply
                 else NotHandled(text="I have nothing to say.", context=echo))
        await write_event(self.writer, event.event())

    async def _error(self, err: SamanthaError) -> None:
        log.warning("room %s: %s", self.room.name, err)
        await write_event(self.writer, Error(text=str(err), code=err.code).event())


def _context(event: Event) -> dict[str, object] | None:
    """An event's ``context`` (Home Assistant's conversation and device ids), checked."""
    context = event.data.get("context")
    if context is None:
        return None
    if not isinstance(context, dict) or len(str(context)) > 2048:
        raise ProtocolError("malformed", "'context' is not a small object",
                            'send context as {"conversation_id": "..."}')
    return context


def _conversation_id(context: dict[str, object] | None) -> str:
    if not context or context.get("conversation_id") is None:
        return ""
    value = context["conversation_id"]
    if not isinstance(value, str) or len(value) > 128:
        raise ProtocolError("malformed", "'conversation_id' is not a short string",
                            "send the conversation's id as a string")
    return value
