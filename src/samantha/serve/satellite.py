"""Samantha as the hub of her satellites: she dials each configured satellite (and nothing
else) and runs a whole turn per room, as Home Assistant would.

The satellite's protocol (``wyoming-satellite``): she sends ``describe`` and checks the ``info``
names a satellite, then ``run-satellite``. The satellite sends ``run-pipeline`` when it wants a
turn (``start_stage`` ``wake``: she listens for the wake word herself; ``asr``: it woke locally)
and streams its microphone as ``audio-chunk`` events. Her VAD segmenter finds the end of speech
(``voice-started``, ``voice-stopped``), then ``transcript``, then her reply as ``audio-start``,
``audio-chunk``…, ``audio-stop``, sentence by sentence. Audio that arrives while she answers,
and while the satellite plays her reply, is read and dropped: its microphone hears her then (the
protocol gives no way to stop a satellite's playback early, so there is no barge-in here). The
end of playback is estimated from the audio she sent (a satellite plays it as it comes); a
satellite that says ``played`` ends it sooner, and none is waited for (wyoming-satellite sends
``played`` only to its event service). After each turn she listens again with the same pipeline,
whatever the satellite's version (``restart_on_end`` is new in wyoming 1.5; wyoming-satellite
1.0 sends ``run-pipeline`` once). A lost satellite is dialled again with a growing pause, up to
``RETRY_MAX_S``.

Waking (``start_stage`` ``wake``): when the satellite names stock wake word models
(``wake_word_names``), or names none and ``[wake] mode = "model"``, the ``wake`` service's
detectors hear every chunk and she sends ``detection`` when one fires; only an utterance in
which it fired (or that began up to ``[wake] listen_s`` after it) reaches whisper, and the word
is cut from the request. Otherwise she listens for her name at the start of the transcript.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from wyoming.asr import Transcript
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.ping import Pong
from wyoming.pipeline import RunPipeline
from wyoming.satellite import RunSatellite
from wyoming.vad import VoiceStarted, VoiceStopped
from wyoming.wake import Detection

from samantha import lang
from samantha.audio.chunk import RATE, AudioChunk
from samantha.audio.listening import make_segmenter
from samantha.audio.vad import EventKind, SpeechEvent
from samantha.clock import now_ns
from samantha.config import Config
from samantha.errors import SamanthaError
from samantha.pipeline import turn
from samantha.pipeline.events import SpeechEnded, TurnReport
from samantha.pipeline.hearing import MAX_ASKS, heard_clearly
from samantha.pipeline.wake import match_phrase
from samantha.serve.early import EarlyWords
from samantha.serve.protocol import Endpoint, ProtocolError, read_event, refuse, write_event
from samantha.serve.rooms import Household, Room
from samantha.serve.services import audio_of, pcm, to_16k
from samantha.serve.speaker import StreamSpeaker
from samantha.serve.wake import WakeStream, default_name

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_S = 5.0
INFO_TIMEOUT_S = 5.0
PLAYBACK_MARGIN_S = 0.5
"""Added to the estimated end of her reply's playback (the satellite's own buffering)."""
RETRY_MAX_S = 30.0
KEPT_TURNS = 256


@dataclass(frozen=True, slots=True)
class SatelliteSpec:
    room: str
    endpoint: Endpoint


def parse_satellites(cfg: Config) -> list[SatelliteSpec]:
    from samantha.errors import ConfigError
    from samantha.serve.protocol import parse_tcp

    out: list[SatelliteSpec] = []
    for entry in cfg.serve.satellites:
        name, sep, uri = entry.partition("=")
        if not sep or not name.strip():
            raise ConfigError("serve-satellite", f"satellite {entry!r} is not NAME=tcp://ADDR:PORT",
                              'write "kitchen=tcp://192.168.1.31:10700"')
        out.append(SatelliteSpec(name.strip(), parse_tcp(uri.strip(), f"satellite {name}")))
    if len({s.room for s in out}) != len(out):
        raise ConfigError("serve-satellite", "two satellites share a room name",
                          "give each satellite its own name")
    return out


@dataclass
class TurnTiming:
    """One satellite turn, for the log and the bench: stamps are ``perf_counter_ns``."""

    room: str
    transcript: str
    reply: str
    speech_end_ns: int
    first_audio_ns: int
    report: dict[str, float | int | None]
    """Seconds from the end of speech to each milestone (``TurnReport.as_dict``)."""


class SatelliteLink:
    """One satellite, one room: connect, serve, reconnect."""

    def __init__(self, spec: SatelliteSpec, household: Household) -> None:
        self.spec = spec
        self.household = household
        self.cfg = household.cfg
        self.turns: deque[TurnTiming] = deque(maxlen=KEPT_TURNS)
        """The latest turns' timings (bounded: a satellite may talk for months)."""
        self.connected = asyncio.Event()

    async def run(self) -> None:
        """Dial, serve until the link drops, dial again (cancel to stop)."""
        pause = 1.0
        while True:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.spec.endpoint.host, self.spec.endpoint.port),
                    CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                log.warning("satellite %s at %s: cannot connect (%s); again in %.0f s",
                            self.spec.room, self.spec.endpoint, exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_S)
                continue
            pause = 1.0
            try:
                await self.serve(reader, writer)
            except ProtocolError as err:
                log.warning("satellite %s: %s", self.spec.room, err)
                await refuse(writer, err)
            except (OSError, TimeoutError, ConnectionError) as exc:
                log.warning("satellite %s: link lost (%s)", self.spec.room, exc)
            finally:
                self.connected.clear()
                writer.close()
            await asyncio.sleep(pause)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        limit = self.cfg.serve.max_event_bytes
        await write_event(writer, Describe().event())
        info = await asyncio.wait_for(read_event(reader, limit), INFO_TIMEOUT_S)
        if info is None or info.type != "info" or not info.data.get("satellite"):
            raise ProtocolError("not-a-satellite", f"{self.spec.endpoint} did not describe "
                                "itself as a satellite", "point [serve] satellites at a "
                                "wyoming-satellite")
        room = self.household.room(self.spec.room)
        await write_event(writer, RunSatellite().event())
        self.connected.set()
        log.info("satellite %s at %s: running", self.spec.room, self.spec.endpoint)
        session = _Session(self, room, writer)
        try:
            while True:
                event = await read_event(reader, limit)
                if event is None:
                    return
                await session.handle(event)
        finally:
            await session.close()


class _Session:
    """The satellite's events, and the turn in progress."""

    def __init__(self, link: SatelliteLink, room: Room, writer: asyncio.StreamWriter) -> None:
        self.link, self.room, self.writer = link, room, writer
        self.cfg = link.cfg
        self.early = EarlyWords(room.engines.asr, lang.resolve(self.cfg.persona))
        """The words so far at a pause (``serve.early``), read when the segmenter asks (with
        ``[vad] wait_unfinished``)."""
        self.segmenter = make_segmenter(self.cfg.vad, words=self.cfg.vad.wait_unfinished)
        self.pipeline: RunPipeline | None = None
        self.turn: asyncio.Task[None] | None = None
        self.playing_until_ns = 0
        """Until when (``now_ns``) the satellite plays her reply: its microphone hears her then."""
        self.dropped_s = 0.0
        self.wake: WakeStream | None = None
        """The wake word detectors, while a ``wake`` pipeline listens for model words."""
        self._wake_open: WakeStream | None = None  # kept across pipelines asking the same names
        self.clock_s = 0.0
        """Stream seconds since the segmenter was reset (its clock)."""
        self.heard_at_s = float("-inf")
        self.speech_start_s: float | None = None
        self.voice_started = False
        self.heard_name = ""
        self.asked_again = 0
        """Requests in a row she did not catch (``pipeline.hearing``): after ``MAX_ASKS`` she
        stays quiet rather than ask a third time."""

    async def handle(self, event: Event) -> None:
        kind = event.type
        if kind == "run-pipeline":
            try:
                self.pipeline = RunPipeline.from_event(event)
            except (KeyError, ValueError, TypeError):
                raise ProtocolError("malformed", "run-pipeline has no valid stages",
                                    "send start_stage and end_stage") from None
            self.playing_until_ns = 0  # it asks to be heard: whatever it played is done
            await self._listen(self.pipeline)
        elif kind == "audio-chunk":
            rate, _, channels = audio_of(event)
            samples = pcm(event.payload, channels)
            if self.pipeline is None or self._busy() or now_ns() < self.playing_until_ns:
                self.dropped_s += len(samples) / rate  # her own voice, or no turn asked for
                return
            chunk = to_16k(samples, rate)
            self.clock_s += len(chunk.samples) / RATE
            if self.wake is not None and (fired := await self.wake.feed(chunk.samples)):
                await self._detected(fired[0])
            for ev in self.segmenter.feed(chunk):
                await self._speech(ev.kind, ev)
        elif kind == "played":  # newer satellites say when the reply has been played
            self.playing_until_ns = 0
        elif kind == "ping":
            await write_event(self.writer, Pong(text=event.data.get("text")).event())
        elif kind == "error":
            log.warning("satellite %s says: %s", self.room.name, str(event.data.get("text"))[:200])
        else:
            log.debug("satellite %s: %s", self.room.name, kind[:40])

    def _busy(self) -> bool:
        return self.turn is not None and not self.turn.done()

    async def _listen(self, pipeline: RunPipeline) -> None:
        """A new pipeline: reset the segmenter's clock and choose how she wakes."""
        self._reset()
        self.clock_s, self.heard_at_s, self.speech_start_s = 0.0, float("-inf"), None
        self.wake = None
        if pipeline.start_stage.value != "wake":
            return
        names = self._wake_names(pipeline.wake_word_names or [])
        if not names:
            return  # her name, in the transcript
        if self._wake_open is not None and self._wake_open.names != names:
            await self._wake_open.close()
            self._wake_open = None
        if self._wake_open is None:
            try:
                self._wake_open = await self.link.household.wake.open(names)
            except SamanthaError as err:  # the satellite hears why; she listens for her name
                log.warning("satellite %s: %s", self.room.name, err)
                await write_event(self.writer, Error(text=str(err), code=err.code).event())
                return
        self.wake = self._wake_open
        await self.wake.begin()

    def _wake_names(self, asked: list[str]) -> tuple[str, ...]:
        from samantha.inference.wake_model import STOCK

        known = tuple(dict.fromkeys(n for n in asked if n in STOCK))
        if asked and len(known) < len(asked):
            log.warning("satellite %s asks for wake words she does not have: %s (she has %s)",
                        self.room.name, ", ".join(n[:40] for n in asked if n not in STOCK),
                        ", ".join(STOCK))
        if known or asked:
            return known
        return (default_name(self.cfg.wake),) if self.cfg.wake.mode == "model" else ()

    def _heard(self, speech_start_s: float) -> bool:
        """Was the wake word heard in this utterance, or just before it?"""
        return self.heard_at_s >= speech_start_s - self.cfg.wake.listen_s

    async def _detected(self, name: str) -> None:
        self.heard_at_s, self.heard_name = self.clock_s, name
        await write_event(self.writer, Detection(name=name,
                                                 timestamp=round(self.clock_s * 1000)).event())
        if self.speech_start_s is not None:  # the word came in speech already under way
            await self._voice_started()

    async def _voice_started(self) -> None:
        if not self.voice_started:
            self.voice_started = True
            await write_event(self.writer, VoiceStarted().event())

    async def _speech(self, kind: EventKind, ev: SpeechEvent) -> None:
        if kind is EventKind.SPEECH_START:
            self.speech_start_s, self.voice_started = ev.at_s, False
            if self.wake is None or self._heard(ev.at_s):
                await self._voice_started()
        elif kind is EventKind.SPEECH_CHECK:
            audio = self.segmenter.current_audio()
            if audio is not None and (self.wake is None or self._heard(ev.speech_start_s)):
                self.early.at_pause(audio, self.segmenter.endpointer.pause_id, self.segmenter)
        elif kind in (EventKind.SPEECH_RESUME, EventKind.SPEECH_DROP):
            self.early.drop()
        elif kind is EventKind.SPEECH_END and ev.utterance is not None:
            start, self.speech_start_s = ev.speech_start_s, None
            self.early.drop()  # the pause is over: the turn hears the whole utterance
            if self.wake is not None and not self._heard(start):
                return  # not for her: it never reaches whisper
            await write_event(self.writer, VoiceStopped().event())
            pipeline, self.pipeline = self.pipeline, None
            assert pipeline is not None
            # when the talking stopped: the decision's stamp less the hang-over it waited
            speech_end_ns = ev.timestamp_ns - int((ev.decided_at_s - ev.at_s) * 1e9)
            ended = SpeechEnded(ev.timestamp_ns, speech_end_ns, ev.utterance.audio.seconds,
                                ev.reason)
            word = self.wake.phrases.get(self.heard_name, "") if self.wake is not None else ""
            self.turn = asyncio.create_task(self._turn(ev.utterance.audio, pipeline, ended,
                                                       word))

    async def _caught(self, result: turn.TurnResult, text: str, speaker: StreamSpeaker) -> bool:
        """Was the request heard clearly? If not she asks again, as at home (``pipeline.loop``),
        in the language she heard; the satellite's next pipeline hears the person repeat it."""
        if result.heard is None:
            return True
        names = (self.cfg.wake.phrase or self.cfg.persona.name,)
        verdict = heard_clearly(result.heard, self.cfg.persona.code, names)
        if verdict.clear:
            self.asked_again = 0
            return True
        self.asked_again += 1
        if self.asked_again > MAX_ASKS:
            log.info("room %s: did not catch it again (%s): no reply", self.room.name,
                     verdict.reason)
            return False
        said = lang.pack_for(text, lang.resolve(self.cfg.persona)).phrases.ask_again
        await turn.ask_again(said, verdict.reason, self.room.engines.tts, self.room.brain,
                             speaker, result)
        return False

    async def _turn(self, audio: AudioChunk, pipeline: RunPipeline, ended: SpeechEnded,
                    word: str = "") -> None:
        """One turn; ``word``: the wake phrase the detector heard in it (cut from the request)."""
        room = self.room
        result = turn.TurnResult()
        result.log.emit(ended)
        speaker = StreamSpeaker(self.writer, room.engines.tts.rate)
        try:
            await room.settle()
            heard = await turn.transcribe(audio, room.engines, room.brain, result)
            text = result.transcript.strip()
            await write_event(self.writer, Transcript(text=text).event())
            if word:  # heard acoustically: cut the word (whisper may spell it loosely)
                said = match_phrase(text, word, min(self.cfg.wake.similarity, 0.65))
                text = said.rest if said.woke and said.rest else text
            elif pipeline.start_stage.value == "wake":
                woke = match_phrase(text, self.cfg.wake.phrase or self.cfg.persona.name,
                                    self.cfg.wake.similarity)
                if not woke.woke:
                    self.pipeline = pipeline  # not for her: keep listening
                    return
                text = woke.rest or text
            if not text or pipeline.end_stage.value not in ("handle", "tts"):
                return
            voice = pipeline.end_stage.value == "tts"
            if voice and not await self._caught(result, text, speaker):
                pass  # asked again (or, after MAX_ASKS in a row, stayed quiet)
            else:
                await room.answer(text, speaker if voice else None, result, heard=heard)
            if voice:
                # played as it arrives, at its own pace: the end is estimated from the audio
                # sent (before audio-stop, so a ``played`` that answers it comes later and ends
                # it sooner). Never waited for.
                self.playing_until_ns = speaker.playing_until_ns + int(PLAYBACK_MARGIN_S * 1e9)
                await speaker.finish()
            report = TurnReport.from_log(result.log)
            log.info("room %s: %s", room.name, report.log_line())
            self.link.turns.append(TurnTiming(room.name, text, " ".join(result.spoken),
                                              ended.speech_end_ns, speaker.first_audio_ns,
                                              report.as_dict()))
        except SamanthaError as err:
            log.warning("satellite %s: %s", room.name, err)
            await write_event(self.writer, Error(text=str(err), code=err.code).event())
        finally:
            self.heard_at_s = float("-inf")  # the wake word is used up
            # listen again whatever the satellite's version: wyoming 1.4 (wyoming-satellite
            # 1.0) has no restart_on_end and sends run-pipeline once; a satellite that wants
            # another pipeline sends run-pipeline, which replaces this one
            if self.pipeline is None:
                self.pipeline = pipeline
                self._reset()
                self.speech_start_s = None

    def _reset(self) -> None:
        self.segmenter.reset()
        self.clock_s = 0.0
        self.early.drop()

    async def close(self) -> None:
        self.early.drop()
        if self.turn is not None:
            self.turn.cancel()
            await asyncio.gather(self.turn, return_exceptions=True)
        if self._wake_open is not None:
            await self._wake_open.close()
            self._wake_open = self.wake = None
