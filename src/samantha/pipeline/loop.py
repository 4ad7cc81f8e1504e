"""The turn loop: hears, decides, answers and can be interrupted, turn after turn.

One asyncio loop reads the microphone (chunks the capture callback copied into a bounded
queue), removes her own voice with the echo canceller, and feeds the VAD segmenter. What the
segmenter decides drives the pure state machine in ``states.py``:

- the hang-over begins (a pause): a *speculative* turn starts on the audio so far, transcribing
  and generating but not playing; if the person goes on talking it is thrown away;
- a short silence (``[vad] turn_check_s``): the end-of-turn model, where there is one, is asked
  on its worker whether the person is done; yes ends the utterance at once, no lets the pause
  run up to ``max_hangover_s``;
- the utterance ends: the speculative turn is released to the speaker (or a turn starts);
- in wake-word mode (``[wake] mode = "model"``) the detector hears every chunk first, on its own
  worker; an utterance reaches whisper only if the gate allows it (``WakeGate.may_transcribe``);
- speech starts while she thinks or speaks: *barge-in*. Playback stops at once, generation and
  synthesis are cancelled, history keeps the words actually heard, and the new utterance, whose
  start the segmenter's pre-roll kept, is heard in full.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from samantha import lang
from samantha.audio.aec import EchoCanceller
from samantha.audio.chunk import AudioChunk
from samantha.audio.listening import make_segmenter, sounds_like_speech
from samantha.audio.protocols import Microphone, Speaker
from samantha.audio.vad import EndpointState, EventKind, Segmenter, SpeechEvent
from samantha.clock import now_ns
from samantha.companion.brain import Conversation, Heard
from samantha.config import Config
from samantha.inference.engines import Engines
from samantha.pipeline import ending, hearing
from samantha.pipeline.events import BargeIn, SpeechEnded, TurnReport
from samantha.pipeline.hearing import MAX_ASKS, heard_clearly
from samantha.pipeline.kept import Keeper
from samantha.pipeline.states import Happened, State, is_barge_in, next_state
from samantha.pipeline.turn import Style, TurnResult, announce, ask_again, respond, transcribe
from samantha.pipeline.wake import WakeGate, echoes, is_stop

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """One turn in flight: its task, the release gate for a speculative start, its result."""

    task: asyncio.Task[None]
    go: asyncio.Event
    result: TurnResult
    speculative: bool
    audio_s: float
    heard: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the transcript is in ``result`` (or transcribing failed)."""
    samples: int = 0
    """How much of the utterance it hears."""
    hearing: asyncio.Task[Heard] | None = None
    """Its transcription (a streaming turn's: it outlives the turn, to be kept at a pause)."""


@dataclass
class TurnLoop:
    """Hears, decides, answers and can be interrupted, turn after turn."""

    engines: Engines
    conversation: Conversation
    cfg: Config
    speaker: Speaker
    aec: EchoCanceller | None = None
    style: Style | None = None
    """How replies are delivered: by default streaming, as ``[engine]`` says (``turn.NAIVE``
    is the benchmark's naive cascade)."""
    state: State = State.IDLE
    turns: list[TurnResult] = field(default_factory=list)
    barge_ins: list[BargeIn] = field(default_factory=list)
    on_state: Callable[[State], None] = lambda _s: None
    clock: Callable[[], datetime] = datetime.now
    """Calendar time, for reminders (a scripted clock in tests)."""

    def __post_init__(self) -> None:
        self.delivery = self.style or Style(first_clause=self.cfg.engine.first_clause)
        self.wake = WakeGate(self.cfg.wake, self.cfg.persona.name)
        self.current: Turn | None = None
        self._after: asyncio.Task[None] | None = None
        self._checked_ns = 0
        self._interrupting = False  # the utterance in progress began while she was busy
        self._asking: asyncio.Task[None] | None = None  # the end-of-turn model, asked
        self._asked_again = 0  # "Sorry, I didn't catch that" in a row
        hearing.warm_up(self.conversation.persona)
        self._anchor = (0, 0.0)  # (capture ns, stream s) of the latest chunk's first sample
        # cancelled turns, held until they have unwound: asyncio keeps only weak references to
        # tasks, and one collected mid-flight never closes its C generator on the worker
        self._unwinding: set[asyncio.Future[Any]] = set()
        self.keeper = Keeper(self.cfg.engine.keep_heard, self.conversation, self.engines.llm,
                             self._request_in, self._unwinding)

    # -- the loop ---------------------------------------------------------------------------
    async def serve(self, mic: Microphone, heartbeat: Callable[[], None] = lambda: None) -> None:
        """Turn after turn until the microphone ends or the task is cancelled."""
        segmenter = make_segmenter(self.cfg.vad, semantic=self.engines.turn is not None,
                                   words=self._reads_words)
        try:
            async for chunk in mic.chunks():
                heartbeat()
                self._announce_due()
                judged, content = chunk.samples, None
                if self.aec is not None:
                    content, judged = self.aec.process(
                        chunk.samples, self.speaker.reference(len(chunk.samples)),
                        listening=segmenter.state is not EndpointState.IDLE)
                if self.wake.listens:  # her own voice removed, when the canceller runs
                    await self.wake.hear(chunk.samples if content is None else content)
                start_s = segmenter.position_s
                self._anchor = (chunk.timestamp_ns, start_s)
                heard = AudioChunk(judged, chunk.rate, 1, chunk.timestamp_ns)
                for event in segmenter.feed(heard, content):
                    at_ns = chunk.timestamp_ns + int((event.at_s - start_s) * 1e9) \
                        if chunk.timestamp_ns else event.timestamp_ns
                    self._on_speech(event, min(at_ns, event.timestamp_ns), segmenter)
            for event in segmenter.finish():
                self._on_speech(event, event.timestamp_ns, segmenter)
            if self.current is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await self.current.task
        finally:
            await self._cancel_current()
            self.wake.close()

    def _announce_due(self) -> None:
        """About once a second, while nobody is talking: reminders, alarms and timers that came
        due are spoken after a chime. Calendar time, so the wall clock is right here."""
        t = now_ns()
        if self.state is not State.IDLE or self.current is not None \
                or t - self._checked_ns < 1_000_000_000:
            return
        self._checked_ns = t
        texts = self.conversation.due(self.clock())
        if texts:
            result = TurnResult(transcript="")
            task = asyncio.create_task(self._announce(texts, result))
            turn = self.current = Turn(task, asyncio.Event(), result, False, 0.0)
            task.add_done_callback(lambda _t: self._turn_done(turn))

    async def _announce(self, texts: list[str], result: TurnResult) -> None:
        self._move(Happened.ANNOUNCE)
        await announce(texts, self.engines.tts, self.conversation, self.speaker, result)
        self._move(Happened.REPLY_DONE)

    def _move(self, happened: Happened) -> None:
        new = next_state(self.state, happened)
        if new is not self.state:
            log.debug("state %s -> %s (%s)", self.state, new, happened)
            self.state = new
            self.on_state(new)

    def _on_speech(self, event: SpeechEvent, at_ns: int, segmenter: Segmenter) -> None:
        kind = event.kind
        if kind is EventKind.SPEECH_START:
            self.keeper.forget()
            if self._after is not None and not self._after.done():
                self._after.cancel()
            self._interrupting = is_barge_in(self.state, Happened.SPEECH_START)
            if self._interrupting:
                self._barge_in(at_ns)
            self._move(Happened.SPEECH_START)
        elif kind is EventKind.SPEECH_PAUSE and self.cfg.engine.speculative:
            self.keeper.paused_at_s = event.at_s
            audio = segmenter.current_audio()
            if audio is not None and self.current is None and self._for_her(event) \
                    and sounds_like_speech(audio):
                self.current = self._start(audio, at_ns, speculative=True)
        elif kind is EventKind.SPEECH_CHECK and self.engines.turn is not None:
            audio = segmenter.current_audio()
            if audio is not None:
                self._asking = asyncio.create_task(self._ask_turn(
                    audio, segmenter.endpointer.pause_id, segmenter))
        elif kind is EventKind.SPEECH_CHECK and self._reads_words:
            self._asking = asyncio.create_task(self._ask_words(
                self.current, segmenter.endpointer.pause_id, segmenter))
        elif kind is EventKind.SPEECH_RESUME:
            turn = self.current
            # what it heard may be kept; not over her own voice (a barge-in), where whisper is
            # least sure of a head ("Samantha, stop." came out "Some end the stop."): heard
            # whole, the head has the rest of the utterance to go by
            if turn is not None and turn.speculative and not self._interrupting:
                self.keeper.resumed(event.at_s, turn.samples, turn.audio_s, turn.hearing,
                                    turn.result)
            self._drop_speculation("speech resumed")
        elif kind is EventKind.SPEECH_DROP:
            self.keeper.forget()
            self._drop_speculation("too short")
            self._move(Happened.SPEECH_DROP)
        elif kind is EventKind.SPEECH_END and event.utterance is not None:
            self._end(event, at_ns)
            self.keeper.forget()  # the turn took it, or the utterance was not for her

    def _end(self, event: SpeechEvent, at_ns: int) -> None:
        """The utterance ended: release the speculative turn, or start one."""
        assert event.utterance is not None
        if event.reason == "max_length":  # the bound on what one utterance may hold
            log.info("utterance cut at %.1f s ([vad] max_utterance_s): what was heard goes "
                     "on as it is; speech that continues is a new utterance",
                     event.utterance.audio.seconds)
        if not sounds_like_speech(event.utterance.audio):
            log.debug("utterance dropped: steady noise, not speech")
            self._drop_speculation("noise")
            self._move(Happened.SPEECH_DROP)
            return
        if not self._for_her(event):
            log.debug("utterance dropped untranscribed: no wake word")
            self._drop_speculation("no wake word")
            self._move(Happened.SPEECH_DROP)
            return
        self._move(Happened.SPEECH_END)
        turn = self.current
        if turn is not None and turn.speculative and not turn.task.done():
            turn.speculative = False
            turn.go.set()        # the speculation was right: release it to the speaker
        elif turn is None or turn.task.done():
            turn = self.current = self._start(event.utterance.audio, at_ns,
                                              speculative=False)
            turn.go.set()
        else:
            return  # a turn is still running (it will be barged in on or finish)
        turn.result.log.emit(SpeechEnded(now_ns(), at_ns, event.utterance.audio.seconds,
                                         event.reason))

    @property
    def _reads_words(self) -> bool:
        """The end of turn reads the words so far (``pipeline.ending``): no end-of-turn model,
        ``[vad] wait_unfinished``, and a speculative start whose transcript it can read (the
        naive cascade transcribes only once the person is done: nothing to read at a pause)."""
        return self.engines.turn is None and self.cfg.vad.wait_unfinished \
            and self.cfg.engine.speculative and self.delivery.streaming

    async def _ask_words(self, turn: Turn | None, pause_id: int, segmenter: Segmenter) -> None:
        """Do the words so far end unfinished ("tell me about the")? Read from the speculative
        start's own transcript (nothing is transcribed twice); without one the pause ends at
        the usual hang-over."""
        complete = True
        if turn is not None and turn.speculative and not turn.task.done():
            await turn.heard.wait()
            text = turn.result.transcript
            complete = not ending.unfinished(text, lang.pack_for(text, self.conversation.home))
            if not complete:
                log.debug("unfinished at a pause (%r): waiting for the rest", text[-40:])
        self._hand_verdict(complete, pause_id, segmenter)

    async def _ask_turn(self, audio: AudioChunk, pause_id: int, segmenter: Segmenter) -> None:
        """Ask the end-of-turn model (on its worker) and hand its answer to the segmenter."""
        assert self.engines.turn is not None
        complete = await self.engines.turn.complete_async(audio.samples)
        self._hand_verdict(complete, pause_id, segmenter)

    def _hand_verdict(self, complete: bool, pause_id: int, segmenter: Segmenter) -> None:
        anchor_ns, anchor_s = self._anchor
        for event in segmenter.verdict(complete, pause_id):
            at_ns = anchor_ns + int((event.at_s - anchor_s) * 1e9) if anchor_ns \
                else event.timestamp_ns
            self._on_speech(event, min(at_ns, event.timestamp_ns), segmenter)

    def _for_her(self, event: SpeechEvent) -> bool:
        return self.wake.may_transcribe(event.speech_start_s, now_ns() / 1e9, self._interrupting)

    def _request_in(self, text: str) -> str | None:
        """The request in ``text`` if these words would wake her, else None."""
        decision = self.wake.decide(text, now_ns() / 1e9)  # pure
        return decision.rest if decision.woke else None

    # -- turns ------------------------------------------------------------------------------
    def _start(self, audio: AudioChunk, speech_end_ns: int, speculative: bool) -> Turn:
        result = TurnResult()
        go, transcribed = asyncio.Event(), asyncio.Event()
        ears: asyncio.Task[Heard] | None = None
        if self.delivery.streaming:  # at once, and shielded: a pause may keep it
            ears = self.keeper.hear(transcribe(audio, self.engines, self.conversation,
                                               result, self.delivery, self.keeper.kept))
        task = asyncio.create_task(self._turn(audio, speech_end_ns, result, go, transcribed,
                                              ears))
        turn = Turn(task, go, result, speculative, audio.seconds, transcribed,
                    len(audio.samples), ears)
        task.add_done_callback(lambda _t: self._turn_done(turn))
        task.add_done_callback(lambda _t: transcribed.set())  # failed or cancelled: no wait
        return turn

    async def _turn(self, audio: AudioChunk, speech_end_ns: int, result: TurnResult,
                    go: asyncio.Event, transcribed: asyncio.Event,
                    ears: asyncio.Task[Heard] | None) -> None:
        if ears is None:  # the naive cascade starts only once the person is done
            await go.wait()
            heard = await transcribe(audio, self.engines, self.conversation, result,
                                     self.delivery)
        else:
            heard = await asyncio.shield(ears)
        transcribed.set()
        decision = self.wake.decide(result.transcript, now_ns() / 1e9)  # pure: safe now
        recent = [line for t in self.turns[-2:] for line in (*t.spoken, " ".join(t.spoken))]
        if decision.woke and not self.wake.named(result.transcript) \
                and echoes(result.transcript, recent):  # her own voice, through the canceller
            await go.wait()
            log.info("heard her own words: no reply")
            self._move(Happened.NOT_FOR_HER)
            return
        if not decision.woke or is_stop(decision.rest):
            await go.wait()
            if decision.woke:  # "stop": the barge-in already silenced her; no reply
                log.info("told to stop: no reply")
                self.wake.silenced()
            log.debug("not for her: %s", result.transcript)
            self._move(Happened.NOT_FOR_HER)
            return
        if decision.rest and not await self._caught(result, go):
            return
        if decision.rest:  # generate and synthesise at once; the speaker waits for ``go``
            ex = await respond(decision.rest, self.engines.llm, self.engines.tts,
                               self.conversation, self.speaker, result, self.delivery, go=go,
                               heard=heard, on_first_audio=lambda: self._move(Happened.FIRST_AUDIO))
            # remembering (fact extraction, summaries) happens once she is silent, in the
            # background; the next utterance cancels it, so nobody waits for her memory
            self._after = asyncio.create_task(self.conversation.after_turn(
                ex, " ".join(result.spoken), self.engines.llm))
            self._asked_again = 0
        else:  # her name alone
            await go.wait()
            self._move(Happened.FIRST_AUDIO)
            home = lang.resolve(self.conversation.persona)  # "Yes?" in the language she heard
            yes = lang.pack_for(result.transcript, home).phrases.yes
            await announce([yes], self.engines.tts, self.conversation,
                           self.speaker, result, chime=False)
        self.wake.answered(now_ns() / 1e9)
        self._move(Happened.REPLY_DONE)

    async def _caught(self, result: TurnResult, go: asyncio.Event) -> bool:
        """Was the request heard clearly? If not, she asks again (at most ``MAX_ASKS`` times in
        a row, then stays quiet) and the follow-up window stays open for the person to repeat."""
        if result.heard is None:
            return True
        code = self.conversation.persona.code
        verdict = heard_clearly(result.heard, code, (self.wake.phrase,))
        if verdict.clear:
            return True
        await go.wait()  # (a speculative turn: only once it is released)
        self._asked_again += 1
        if self._asked_again > MAX_ASKS:
            log.info("did not catch it again (%s): no reply", verdict.reason)
            self._move(Happened.NOT_FOR_HER)
            return False
        home = lang.resolve(self.conversation.persona)  # in the language she heard
        said = lang.pack_for(result.transcript, home).phrases.ask_again
        await ask_again(said, verdict.reason,
                        self.engines.tts, self.conversation, self.speaker, result, go,
                        on_first_audio=lambda: self._move(Happened.FIRST_AUDIO))
        self.wake.answered(now_ns() / 1e9)
        self._move(Happened.REPLY_DONE)
        return False

    def _turn_done(self, turn: Turn) -> None:
        failed = None if turn.task.cancelled() else turn.task.exception()
        if turn.speculative:  # never released: the end of speech starts a fresh turn
            if failed is not None:
                log.info("speculative turn failed, to be retried: %s", failed)
            return
        if turn.result.transcript or turn.result.spoken or failed is not None:
            self.turns.append(turn.result)
            log.info("%s", TurnReport.from_log(turn.result.log).log_line())
        if self.current is turn:
            self.current = None
        if failed is not None:
            log.error("turn failed: %s", failed)
            self._move(Happened.FAILED)

    def _drop_speculation(self, why: str) -> None:
        turn = self.current
        if turn is not None and turn.speculative:
            log.debug("speculative turn dropped: %s", why)
            self._let_go(turn)
            self.current = None

    def _barge_in(self, onset_ns: int) -> None:
        self.speaker.stop()
        self.barge_ins.append(BargeIn(now_ns(), onset_ns, self.state.value))
        log.info("barge-in while %s: playback stopped %.0f ms after speech onset",
                 self.state, (now_ns() - onset_ns) / 1e6)
        if self.current is not None:
            self._let_go(self.current)
            self.current = None

    def _let_go(self, turn: Turn) -> None:
        """Cancel ``turn``, and its transcription unless it was kept (a whisper call not yet
        begun is then never made: at every short pause a start queues one)."""
        turn.task.cancel()
        self._unwinding.add(turn.task)
        turn.task.add_done_callback(self._unwinding.discard)
        if turn.hearing is not None and not self.keeper.holds(turn.hearing):
            turn.hearing.cancel()

    async def _cancel_current(self) -> None:
        if self._asking is not None:
            self._asking.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._asking
        if self._after is not None:
            self._after.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._after
        if self.current is not None:
            self.current.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.current.task
            self.current = None
        for task in list(self._unwinding):  # dropped turns, kept words, a request read in:
            task.cancel()                     # nothing outlives the loop
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def serve(mic: Microphone, speaker: Speaker, engines: Engines, conversation: Conversation,
                cfg: Config, aec: EchoCanceller | None,
                heartbeat: Callable[[], None] = lambda: None) -> TurnLoop:
    """Run the turn loop on a microphone and speaker until cancelled. ``heartbeat`` is called
    from this loop for every chunk of audio, so a watchdog fed by it proves the loop is alive.
    The echo canceller is the caller's (made before she says she is ready: loading its library
    is start-up work)."""
    loop = TurnLoop(engines, conversation, cfg, speaker, aec)
    await loop.serve(mic, heartbeat)
    return loop
