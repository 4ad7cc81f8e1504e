"""Typed stage events, stamped with ``time.perf_counter_ns()``, and the per-turn latency report.

The logs, ``samantha demo`` and ``samantha bench`` all read these same events: a stage never
keeps its own private timer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from samantha.clock import now_ns

log = logging.getLogger(__name__)

__all__ = ["now_ns"]  # re-exported: the stage events and their clock go together


@dataclass(frozen=True, slots=True)
class Event:
    t_ns: int


@dataclass(frozen=True, slots=True)
class SpeechEnded(Event):
    """The VAD decided the utterance is over; ``speech_end_ns`` is when talking actually stopped."""

    speech_end_ns: int
    audio_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class TranscriptReady(Event):
    text: str
    audio_s: float
    asr_ns: int


@dataclass(frozen=True, slots=True)
class AskedAgain(Event):
    """She did not catch what was said and asked for it again instead of answering a guess
    (``pipeline.hearing``): ``reason`` is why (unsure, weak words, not words, ...)."""

    reason: str


@dataclass(frozen=True, slots=True)
class PromptSent(Event):
    """The prompt went to llama.cpp: prefill starts."""


@dataclass(frozen=True, slots=True)
class FirstToken(Event):
    pass


@dataclass(frozen=True, slots=True)
class ReplyDone(Event):
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class SynthesisDone(Event):
    """One sentence was synthesised (``audio_s`` of speech in ``synth_ns``)."""

    text: str
    audio_s: float
    synth_ns: int


@dataclass(frozen=True, slots=True)
class FirstAudio(Event):
    """The first reply sample was handed to the output device."""


@dataclass(frozen=True, slots=True)
class PlaybackDone(Event):
    audio_s: float


@dataclass(frozen=True, slots=True)
class BargeIn(Event):
    """The person spoke over her: ``t_ns`` is when playback was stopped."""

    onset_ns: int
    state: str


@dataclass(frozen=True, slots=True)
class RuleAnswered(Event):
    """A rule answered instead of the model (``companion.brain.rules_for``)."""

    name: str


@dataclass(frozen=True, slots=True)
class SentenceGuarded(Event):
    """A guard rewrote, replaced or dropped a sentence (``companion.brain.guards_for``)."""

    guard: str
    action: str
    why: str


@dataclass(frozen=True, slots=True)
class StageFailed(Event):
    stage: str
    code: str
    message: str


@dataclass
class TurnLog:
    """Collects one turn's events in order."""

    events: list[Event] = field(default_factory=list)

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def first(self, kind: type[Event]) -> Event | None:
        return next((e for e in self.events if isinstance(e, kind)), None)


@dataclass(frozen=True, slots=True)
class TurnReport:
    """Seconds from the true end of the user's speech to each milestone (None when absent)."""

    end_of_speech: float | None
    transcript_ready: float | None
    first_token: float | None
    first_audio: float | None
    asr_s: float | None
    audio_s: float | None
    reply_tokens: int
    tokens_per_s: float | None

    @classmethod
    def from_log(cls, tl: TurnLog) -> TurnReport:
        ended = tl.first(SpeechEnded)
        origin = ended.speech_end_ns if isinstance(ended, SpeechEnded) else None

        def since(kind: type[Event]) -> float | None:
            ev = tl.first(kind)
            if ev is None or origin is None:
                return None
            return round((ev.t_ns - origin) / 1e9, 3)

        tr = tl.first(TranscriptReady)
        ft, done = tl.first(FirstToken), tl.first(ReplyDone)
        tps = None
        if isinstance(done, ReplyDone) and ft is not None and done.tokens > 1:
            span = (done.t_ns - ft.t_ns) / 1e9
            tps = round((done.tokens - 1) / span, 1) if span > 0 else None
        return cls(
            end_of_speech=round((ended.t_ns - origin) / 1e9, 3)
            if ended is not None and origin is not None else None,
            transcript_ready=since(TranscriptReady),
            first_token=since(FirstToken),
            first_audio=since(FirstAudio),
            asr_s=round(tr.asr_ns / 1e9, 3) if isinstance(tr, TranscriptReady) else None,
            audio_s=round(tr.audio_s, 3) if isinstance(tr, TranscriptReady) else None,
            reply_tokens=done.tokens if isinstance(done, ReplyDone) else 0,
            tokens_per_s=tps,
        )

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "end_of_speech": self.end_of_speech,
            "transcript_ready": self.transcript_ready,
            "first_token": self.first_token,
            "first_audio": self.first_audio,
            "asr": self.asr_s,
            "utterance": self.audio_s,
            "reply_tokens": self.reply_tokens,
            "tokens_per_s": self.tokens_per_s,
        }

    def log_line(self) -> str:
        """The one journald line per turn."""
        parts = [f"{k}={v}" for k, v in self.as_dict().items() if v is not None]
        return "turn " + " ".join(parts)
