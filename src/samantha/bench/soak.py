"""``samantha soak``: the real turn loop on the real engines for a long stretch of mixed sound.

The simulated room (``testing/room.py``) is the microphone and speaker: her replies play out
through it and come back as echo, through the echo canceller, as on a real box. A schedule,
drawn from a fixed seed, plays one segment after another:

- **question**: an espeak-ng question addressed to her by name (several voices): she should
  answer;
- **speech**: the speech fixtures (jfk.wav, the lamp commands): people talking, not to her;
- **silence**, **hiss** (white noise) and **fan** (low-passed noise with a 50 Hz hum), 10 s to
  90 s each, and short **bursts** of either: she should say nothing.

The room runs in real time while she is busy (a turn in flight, or her reply playing) and as fast
as the machine allows otherwise, so an hour of sound takes far less than an hour. Segments that
are not questions wait until her follow-up window has closed (wall time), so an answer to them
is a false reply, never a follow-up. The report: minutes simulated, wall time, questions and
answers, false replies (by kind), barge-ins on her own echo, errors, and RSS at start, end and
peak (``/proc/self/status``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.aec import EchoCanceller
from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.audio.playback import Playback
from samantha.bench import corpus
from samantha.companion.conversation import from_config
from samantha.config import Config
from samantha.inference.engines import Engines
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.testing.room import Room

log = logging.getLogger(__name__)

QUESTIONS = (
    "Samantha, what is a good way to start the morning?",
    "Hey Samantha, can you tell me a fun fact about the moon?",
    "Samantha, what should I cook for dinner tonight?",
    "Hey Samantha, how do I stay calm before a big meeting?",
    "Samantha, why is the sky blue?",
    "Samantha, what is your favourite season?",
)
VOICES = ("en-us+m3", "en-us+f2", "en-gb+m2")
FIXTURES = ("jfk.wav", "living_room_light_en.wav", "turn_on_the_living_room_lamp.wav")
KINDS = {"question": 0.3, "speech": 0.1, "silence": 0.25, "hiss": 0.15, "fan": 0.15,
         "burst": 0.05}
SETTLE_S = 1.5
"""Stream time after a segment ends before it is judged (the VAD's hang-over, with room)."""


def rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def hiss(seconds: float, rng: np.random.Generator, dbfs: float) -> np.ndarray:
    amp = 10 ** (dbfs / 20) * 32768
    return np.clip(rng.normal(0, amp, int(seconds * RATE)), -32768, 32767).astype(np.int16)


def fan(seconds: float, rng: np.random.Generator, dbfs: float) -> np.ndarray:
    """A fan: low-passed noise (its blades' rush) plus a 50 Hz motor hum and its harmonic."""
    n = int(seconds * RATE)
    rush = np.convolve(rng.normal(0, 1, n), np.ones(24) / 24, "same")
    t = np.arange(n) / RATE
    hum = 0.15 * np.sin(2 * np.pi * 50 * t) + 0.08 * np.sin(2 * np.pi * 100 * t)
    x = rush / (np.std(rush) + 1e-9) * 0.7 + hum / 0.12
    x *= 10 ** (dbfs / 20) * 32768 / (np.sqrt(np.mean(x ** 2)) + 1e-9)
    return np.clip(x, -32768, 32767).astype(np.int16)


@dataclass
class Soak:
    """What happened, counted as it happens."""

    segments: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    answered: int = 0
    unanswered: list[str] = field(default_factory=list)
    false_replies: Counter[str] = field(default_factory=Counter)
    false_transcripts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crash: str = ""
    rss: list[tuple[float, float]] = field(default_factory=list)
    """(simulated minutes, VmRSS MB) after each segment."""
    waiting: bool = False
    """Waiting (wall time) for her follow-up window to close: the room runs in real time then,
    so the wait is a few seconds of quiet room, not many minutes of it fast-forwarded."""


class ErrorCounter(logging.Handler):
    """Every ERROR (or worse) any samantha module logs during the soak."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"{record.name}: {record.getMessage()}"[:200])


class Sources:
    def __init__(self, fixtures: Path | None) -> None:
        self.questions = [(q, a.samples) for i, q in enumerate(QUESTIONS)
                          if (a := corpus.espeak(q, VOICES[i % len(VOICES)])) is not None]
        self.speech = [(n, read_wav(fixtures / n).samples) for n in FIXTURES
                       if fixtures is not None and (fixtures / n).is_file()]


def schedule(rng: np.random.Generator, src: Sources) -> tuple[str, str, np.ndarray]:
    """The next segment: (kind, label, samples)."""
    kinds = [k for k in KINDS if (k != "question" or src.questions)
             and (k != "speech" or src.speech)]
    p = np.array([KINDS[k] for k in kinds])
    kind = str(rng.choice(kinds, p=p / p.sum()))
    if kind in ("question", "speech"):
        pool = src.questions if kind == "question" else src.speech
        label, samples = pool[int(rng.integers(len(pool)))]
        return kind, label, samples
    if kind == "silence":
        return kind, kind, np.zeros(int(rng.uniform(10, 90) * RATE), np.int16)
    seconds = rng.uniform(1.0, 4.0) if kind == "burst" else rng.uniform(10, 90)
    make = hiss if kind == "hiss" or (kind == "burst" and rng.random() < 0.5) else fan
    return kind, f"{make.__name__} {seconds:.0f} s", make(seconds, rng, rng.uniform(-45, -20))


async def drive(room: Room, engine: TurnLoop, minutes: float, seed: int, src: Sources,
                soak: Soak, progress: Callable[[str], None]) -> None:
    """Plays the schedule into the room, one segment at a time, and judges each."""
    rng = np.random.default_rng(seed)
    follow_up_s = engine.cfg.wake.follow_up_s
    last_reply = -1e9
    while room.position < minutes * 60 * RATE:
        kind, label, samples = schedule(rng, src)
        if kind != "question":  # past her follow-up window: any answer is a false reply
            wait = follow_up_s + 1.0 - (time.monotonic() - last_reply)
            if wait > 0:
                soak.waiting = True
                await asyncio.sleep(wait)
                soak.waiting = False
        before = len(engine.turns)
        at_s = room.position / RATE + 0.3
        room.say(AudioChunk(samples), at_s)
        end = int((at_s + len(samples) / RATE + SETTLE_S) * RATE)
        while room.position < end or engine.current is not None \
                or engine.state is not State.IDLE:  # noqa: ASYNC110 - the room has no event
            await asyncio.sleep(0.02)
        room.timeline = [(a, s) for a, s in room.timeline if a + len(s) > room.position]
        new = engine.turns[before:]
        replied = [t for t in new if t.spoken]
        if replied:
            last_reply = time.monotonic()
        soak.segments[kind] += 1
        soak.seconds[kind] = soak.seconds.get(kind, 0.0) + len(samples) / RATE
        if kind == "question":
            if replied:
                soak.answered += 1
            else:
                soak.unanswered.append(f"{label} -> {[t.transcript for t in new]}")
        elif replied:
            soak.false_replies[kind] += len(replied)
            soak.false_transcripts += [f"{kind}: {t.transcript!r}" for t in replied]
        minutes_done = room.position / RATE / 60
        soak.rss.append((round(minutes_done, 2), rss_mb()["VmRSS"]))
        progress(f"{minutes_done:5.1f} min  {kind:<8} {label[:40]:<40} "
                 f"{'replied' if replied else '-':<8} rss {soak.rss[-1][1]:.0f} MB")


async def run(engines: Engines, cfg: Config, minutes: float, seed: int = 11,
              fixtures: Path | None = None,
              progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Soak the turn loop for ``minutes`` of simulated sound; the report as a dict."""
    src = Sources(fixtures)
    soak = Soak()
    handler = ErrorCounter(soak.errors)
    logging.getLogger("samantha").addHandler(handler)
    conversation = from_config(cfg)
    aec = EchoCanceller(cfg.aec) if cfg.aec.enabled else None
    playback = Playback(engines.tts.rate)
    room = Room(playback, duration_s=minutes * 60 + 600, realtime=False)
    room.keep_echo = False
    engine = TurnLoop(engines, conversation, cfg, playback, aec)
    room.pace = lambda: soak.waiting or engine.current is not None \
        or engine.state is not State.IDLE
    start = rss_mb()
    wall = time.perf_counter_ns()
    listener = asyncio.create_task(engine.serve(room))
    driver = asyncio.create_task(drive(room, engine, minutes, seed, src, soak, progress))
    try:
        done, _ = await asyncio.wait({listener, driver}, return_when=asyncio.FIRST_COMPLETED)
        if listener in done and listener.exception() is not None:
            soak.crash = f"{type(listener.exception()).__name__}: {listener.exception()}"
        driver.result() if driver in done else None
    finally:
        room.close()
        driver.cancel()
        for task in (listener, driver):
            try:
                await task
            except BaseException:  # noqa: BLE001 - reported above, the soak still reports
                pass
        logging.getLogger("samantha").removeHandler(handler)
        if aec is not None:
            aec.close()
        conversation.close()
    end = rss_mb()
    barge_ins_on_echo = len(engine.barge_ins)
    return {
        "minutes_simulated": round(room.position / RATE / 60, 1),
        "wall_minutes": round((time.perf_counter_ns() - wall) / 6e10, 1),
        "segments": dict(soak.segments),
        "minutes_by_kind": {k: round(v / 60, 1) for k, v in soak.seconds.items()},
        "questions": soak.segments["question"], "answered": soak.answered,
        "unanswered": soak.unanswered,
        "turns": len(engine.turns),
        "false_replies": sum(soak.false_replies.values()),
        "false_replies_by_kind": dict(soak.false_replies),
        "false_transcripts": soak.false_transcripts,
        "barge_ins": barge_ins_on_echo,
        "errors": len(soak.errors), "error_lines": soak.errors[:20],
        "crashed": soak.crash,
        "rss_start_mb": start["VmRSS"], "rss_end_mb": end["VmRSS"], "rss_peak_mb": end["VmHWM"],
        "rss_by_minute": soak.rss,
    }
