"""Real bench runs: the streaming turn loop and a naive cascade (the same loop in the naive
style) on the same models, interleaved turn by turn, each fed through a virtual microphone at
real-time pace."""

from __future__ import annotations

import asyncio
import copy
import logging
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from samantha.audio.aec import EchoCanceller
from samantha.audio.playback import Playback
from samantha.bench.corpus import Utterance
from samantha.bench.stats import TurnFigures
from samantha.companion import mood
from samantha.companion.conversation import from_config
from samantha.config import Config
from samantha.inference.engines import Engines
from samantha.pipeline.events import (
    FirstAudio,
    FirstToken,
    PromptSent,
    SpeechEnded,
    SynthesisDone,
    TranscriptReady,
)
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.pipeline.turn import NAIVE, TurnResult
from samantha.testing.room import Room

log = logging.getLogger(__name__)
LEAD_S = 0.4  # silence before the person speaks


@dataclass
class Trial:
    figures: TurnFigures | None
    transcript: str
    barge_in_s: float | None = None
    answered: bool = False
    """The model answered (a prompt was sent), not a rule, nor "say it again"."""
    cpu_s: float = 0.0
    wall_s: float = 0.0
    marks: dict[str, tuple[float, float]] = field(default_factory=dict)


def marks(result: TurnResult, true_end_ns: int) -> dict[str, tuple[float, float]]:
    """Each stage's (start, end) in seconds after the true end of speech, for the waterfall."""
    tl, out = result.log, {}

    def at(ns: int) -> float:
        return round((ns - true_end_ns) / 1e9, 3)

    ended, tr = tl.first(SpeechEnded), tl.first(TranscriptReady)
    if ended is not None:
        out["endpoint"] = (0.0, at(ended.t_ns))
    if isinstance(tr, TranscriptReady):
        out["asr"] = (at(tr.t_ns - tr.asr_ns), at(tr.t_ns))
    sent, first, audio = tl.first(PromptSent), tl.first(FirstToken), tl.first(FirstAudio)
    if sent is not None and first is not None:
        out["prefill"] = (at(sent.t_ns), at(first.t_ns))
    synth = tl.first(SynthesisDone)
    if isinstance(synth, SynthesisDone):
        if first is not None:
            out["first clause tokens"] = (at(first.t_ns), at(synth.t_ns - synth.synth_ns))
        out["tts first chunk"] = (at(synth.t_ns - synth.synth_ns), at(synth.t_ns))
    if audio is not None:
        out["first audio"] = (at(audio.t_ns), at(audio.t_ns) + 0.02)
    return out


def knowing(items: Sequence[Utterance]) -> mood.Baseline:
    """A voice baseline that has heard each speaker of the corpus, as hers has heard her
    household's from the fourth utterance on (``mood.KNOWN_AFTER``): with it a bench turn pays
    for the voice's mood note where one is due, as at home. (A fresh conversation's baseline
    reads no voice at all, so a bench turn never carried the note.)"""
    baseline = mood.Baseline()
    heard = [f for f in (mood.prosody(item.audio) for item in items) if f is not None]
    while heard and not baseline.known:
        for feats in heard:
            baseline.update(feats)
    return baseline


@dataclass
class Runner:
    engines: Engines
    cfg: Config
    model_bytes: int
    timeout_s: float = 40.0
    aec: EchoCanceller | None = None
    voices: mood.Baseline = field(default_factory=mood.Baseline)
    """The voices she knows (``knowing``): each turn's conversation starts from a copy."""
    trials: dict[str, list[Trial]] = field(default_factory=lambda: {"stream": [], "naive": []})

    def run_turn(self, mode: str, item: Utterance, interrupt: Utterance | None = None) -> Trial:
        """One spoken turn through the room at real-time pace; returns its figures."""
        return asyncio.run(self._run(mode, item, interrupt))

    async def _run(self, mode: str, item: Utterance, interrupt: Utterance | None) -> Trial:
        playback = Playback(self.engines.tts.rate)
        room = Room(playback, item.audio, person_at_s=LEAD_S,
                    duration_s=LEAD_S + item.audio.seconds + self.timeout_s)
        style = NAIVE if mode == "naive" else None  # None: streaming, as [engine] says
        conversation = from_config(self.cfg, persist=False)
        conversation.baseline = copy.deepcopy(self.voices)
        # one canceller for the whole run, as on a device: the room does not change between
        # turns, so its filter stays converged (a cold one cannot hear a person over her for
        # the first seconds)
        if self.aec is None and self.cfg.aec.enabled:
            self.aec = EchoCanceller(self.cfg.aec)
        engine = TurnLoop(self.engines, conversation, self.cfg, playback, self.aec, style)
        done = asyncio.Event()
        spoke: list[bool] = []
        busy: list[bool] = []

        def on_state(state: State) -> None:
            if state is State.SPEAKING and not spoke:
                spoke.append(True)
                if interrupt is not None:
                    room.say(interrupt.audio, room.position / 16000 + 2.0)
            if state in (State.THINKING, State.SPEAKING):
                busy.append(True)
            elif state is State.IDLE and busy:
                done.set()

        engine.on_state = on_state
        cpu0, wall0 = time.process_time(), time.perf_counter()
        serving = asyncio.create_task(engine.serve(room))
        try:
            await asyncio.wait_for(done.wait(), self.timeout_s + item.audio.seconds)
        except TimeoutError:
            log.warning("bench turn %r timed out in %s mode", item.name, mode)
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
        trial = Trial(None, "", cpu_s=time.process_time() - cpu0,
                      wall_s=time.perf_counter() - wall0)
        if engine.turns:
            first = engine.turns[0]
            true_end = room.stream_ns(LEAD_S + item.speech_end_s)
            trial.figures = TurnFigures.from_log(first.log, true_end, self.model_bytes)
            trial.marks = marks(first, true_end)
            trial.transcript = first.transcript
            trial.answered = first.log.first(PromptSent) is not None
        if interrupt is not None and engine.barge_ins:
            onset = engine.barge_ins[0].onset_ns
            trial.barge_in_s = (playback.stopped_ns - onset) / 1e9 if playback.stopped_ns else None
        self.trials[mode].append(trial)
        return trial

    def idle_cpu_pct(self, seconds: float = 3.0) -> float:
        """CPU used while listening to silence, as % of one core."""
        async def listen() -> float:
            playback = Playback(self.engines.tts.rate)
            room = Room(playback, duration_s=seconds)
            aec = EchoCanceller(self.cfg.aec) if self.cfg.aec.enabled else None
            engine = TurnLoop(self.engines, from_config(self.cfg, persist=False), self.cfg,
                              playback, aec)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await engine.serve(room)
            if aec is not None:
                aec.close()
            return 100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        return round(asyncio.run(listen()), 1)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
