"""Voice activity: webrtcvad frames and the end-of-speech segmenter.

``FrameCutter`` re-cuts any chunk into exact 10/20/30 ms webrtcvad frames (as Home Assistant's
``assist_pipeline/vad.py``). ``Endpointer`` is pure logic fed ``(seconds, is_speech)`` per frame (as
``VoiceCommandSegmenter``). ``Segmenter`` glues webrtcvad, both and a bounded pre-roll ring into
``Utterance``s; it runs webrtcvad, so call it from a worker, never from the audio callback.
Positions are stream seconds: samples fed so far / 16 000."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

import numpy as np
import webrtcvad

from samantha.audio.chunk import RATE, AudioChunk, rms_dbfs
from samantha.clock import now_ns
from samantha.errors import AudioError, ConfigError

FRAME_MS = (10, 20, 30)  # the only frame lengths webrtcvad accepts
_EPS = 1e-9  # float slack when adding up frame lengths


class FrameCutter:
    """Re-cut 16 kHz mono int16 audio into exact ``frame_ms`` frames; the remainder carries over."""

    def __init__(self, frame_ms: int = 30) -> None:
        if frame_ms not in FRAME_MS:
            raise AudioError("bad-frame", f"webrtcvad cannot use {frame_ms} ms frames",
                             "use 10, 20 or 30 ms frames")
        self.frame_ms = frame_ms
        self.frame_samples = RATE * frame_ms // 1000
        self._carry = np.zeros(0, dtype=np.int16)

    @property
    def pending(self) -> int:
        """Samples waiting for the next frame (always fewer than one frame)."""
        return len(self._carry)

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        """Add samples; return every whole frame now available, oldest first."""
        data = np.asarray(samples)
        if data.dtype != np.int16 or data.ndim != 1:
            raise AudioError("bad-samples", f"expected 1-D int16 samples, got {data.dtype} "
                             f"with shape {data.shape}",
                             "convert audio with samantha.audio.chunk first")
        buf = np.concatenate([self._carry, data])  # a copy: the caller may reuse its buffer
        whole = len(buf) // self.frame_samples * self.frame_samples
        self._carry = buf[whole:].copy()
        return list(buf[:whole].reshape(-1, self.frame_samples))

    def flush(self) -> np.ndarray:
        """Return the samples left over (fewer than one frame) and start afresh."""
        rest, self._carry = self._carry, np.zeros(0, dtype=np.int16)
        return rest


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """When speech starts and ends. All values are seconds."""

    speech_start_s: float = 0.09
    """Speech needed (blips of silence under ``blip_s`` tolerated) to decide speech has started."""
    hangover_s: float = 0.5
    """Silence after speech that ends the utterance, counted from the first silent frame."""
    preroll_s: float = 0.3
    """Audio kept from before the detected start, so the first syllable is never cut."""
    max_utterance_s: float = 15.0
    """Speech longer than this is cut and handed out as it is (reason ``max_length``)."""
    min_utterance_s: float = 0.25
    """Utterances with less speech than this (start to end of talking) are dropped as noise."""
    blip_s: float = 0.06
    """Silence inside speech, or speech inside a pause, shorter than this is ignored."""
    turn_check_s: float = 0.0
    """Silence after which the end-of-turn model is asked (``SPEECH_CHECK``); 0 never asks."""
    max_hangover_s: float = 0.0
    """Once asked: the silence that ends the utterance while the model's answer is pending or
    was "not done" (at least ``hangover_s``)."""
    hold_only: bool = False
    """The check can only hold the end (the words so far): an "unfinished" answer waits up to
    ``max_hangover_s``; until it answers, or when it answers "finished", the utterance ends at
    ``hangover_s`` as without it, so a slow answer never delays the end. False (Smart Turn):
    once asked, "done" ends at once and no answer yet waits up to ``max_hangover_s``."""

    def __post_init__(self) -> None:
        asks = self.turn_check_s > 0
        for ok, rule in [(self.speech_start_s > 0, "speech_start_s > 0"),
                         (not asks or self.blip_s <= self.turn_check_s < self.hangover_s
                          <= self.max_hangover_s, "blip_s <= turn_check_s < hangover_s <= "
                          "max_hangover_s"),
                         (self.preroll_s >= 0 and self.min_utterance_s >= 0, "no negative times"),
                         (0 < self.blip_s < self.hangover_s, "0 < blip_s < hangover_s"),
                         (self.max_utterance_s > self.speech_start_s, "max > speech_start")]:
            if not ok:
                raise ConfigError("vad", f"voice activity settings break the rule {rule}",
                                  "fix the [vad] values in the config")


class EventKind(StrEnum):
    SPEECH_START = "speech_start"    # at_s: where the speech began
    SPEECH_PAUSE = "speech_pause"    # a tentative end; at_s: where the talking stopped
    SPEECH_CHECK = "speech_check"    # turn_check_s of silence: ask the end-of-turn model
    SPEECH_RESUME = "speech_resume"  # speech came back within the hang-over; at_s: where
    SPEECH_END = "speech_end"        # reason silence | max_length | end_of_stream; at_s: talk ended
    SPEECH_DROP = "speech_drop"      # reason too_short: the started utterance was noise


class EndpointState(Enum):
    IDLE = "idle"
    SPEECH = "speech"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Utterance:
    """One utterance. ``audio`` runs from ``audio_start_s`` (the pre-roll) to ``decided_at_s``, so
    the hang-over silence is in it; ``speech_end_s`` is where the talking stopped."""

    audio: AudioChunk
    audio_start_s: float
    speech_start_s: float
    speech_end_s: float
    decided_at_s: float
    reason: str  # silence | turn_complete | max_length | end_of_stream


@dataclass(frozen=True, slots=True)
class SpeechEvent:
    """What was decided: ``at_s`` is the stream time it is about (see ``EventKind``),
    ``decided_at_s`` when it was settled (the end of the deciding frame). The segmenter adds the
    ``utterance`` (on ``SPEECH_END``) and a ``clock.now_ns()`` stamp."""

    kind: EventKind
    at_s: float
    decided_at_s: float
    speech_start_s: float  # where the current utterance's speech began
    reason: str = ""
    utterance: Utterance | None = None
    timestamp_ns: int = 0


class Endpointer:
    """Pure end-of-speech logic: feed ``update(frame_seconds, is_speech)`` once per frame."""

    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        self.pause_id = 0
        """Counts pauses, so an answer about an earlier pause is known to be stale."""
        self.reset()

    def reset(self) -> None:
        """Forget everything and restart the clock at 0."""
        self.now_s = 0.0
        self.state = EndpointState.IDLE
        self._start = 0.0      # where the utterance (or the candidate onset) began
        self._speech = 0.0     # speech counted towards the start (IDLE) or a resume (PAUSED)
        self._resume_at = 0.0  # where the resumed speech run began
        self._quiet = 0.0      # silence counted: the onset gap (IDLE) or the pause length
        self._quiet_at = 0.0   # where the current silence began
        self._asked = False    # the end-of-turn model was asked about this pause
        self._held = False     # and it answered "not done" (``hold_only``)

    def update(self, frame_s: float, is_speech: bool) -> SpeechEvent | None:
        """Advance the clock by one frame and return the event it settles, if any."""
        frame_start, self.now_s = self.now_s, self.now_s + frame_s
        if self.state is EndpointState.IDLE:
            return self._idle(frame_start, frame_s, is_speech)
        if self.now_s - self._start >= self.config.max_utterance_s - _EPS:
            end = self._quiet_at if self.state is EndpointState.PAUSED else self.now_s
            return self._end(EventKind.SPEECH_END, end, "max_length")
        step = self._speaking if self.state is EndpointState.SPEECH else self._paused
        return step(frame_start, frame_s, is_speech)

    def finish(self) -> SpeechEvent | None:
        """The stream has ended: close an utterance in progress (reason ``end_of_stream``)."""
        if self.state is EndpointState.IDLE:
            return None
        return self._close(self._quiet_at if self._quiet > 0 else self.now_s, "end_of_stream")

    def _event(self, kind: EventKind, at_s: float, reason: str = "") -> SpeechEvent:
        return SpeechEvent(kind, at_s, self.now_s, self._start, reason)

    def _idle(self, frame_start: float, frame_s: float, is_speech: bool) -> SpeechEvent | None:
        if is_speech:
            if self._speech == 0.0:
                self._start = frame_start
            self._speech += frame_s
            self._quiet = 0.0
            if self._speech >= self.config.speech_start_s - _EPS:
                self.state, self._speech = EndpointState.SPEECH, 0.0
                return self._event(EventKind.SPEECH_START, self._start)
        elif self._speech > 0.0:
            self._quiet += frame_s
            if self._quiet >= self.config.blip_s - _EPS:
                self._speech = self._quiet = 0.0
        return None

    def _speaking(self, frame_start: float, frame_s: float, is_speech: bool) -> SpeechEvent | None:
        if is_speech:
            self._quiet = 0.0
            return None
        if self._quiet == 0.0:
            self._quiet_at = frame_start
        self._quiet += frame_s
        if self._quiet >= self.config.blip_s - _EPS:
            self.state, self._speech, self._asked = EndpointState.PAUSED, 0.0, False
            self._held = False
            self.pause_id += 1
            return self._event(EventKind.SPEECH_PAUSE, self._quiet_at)
        return None

    def _paused(self, frame_start: float, frame_s: float, is_speech: bool) -> SpeechEvent | None:
        if is_speech:
            if self._speech == 0.0:
                self._resume_at = frame_start
            self._speech += frame_s
            if self._speech >= self.config.blip_s - _EPS:
                self.state, self._speech, self._quiet = EndpointState.SPEECH, 0.0, 0.0
                return self._event(EventKind.SPEECH_RESUME, self._resume_at)
        else:
            self._speech = 0.0
        self._quiet += frame_s  # a speech blip in the pause counts as pause
        cfg = self.config
        if cfg.turn_check_s > 0 and not self._asked and self._quiet >= cfg.turn_check_s - _EPS:
            self._asked = True
            return self._event(EventKind.SPEECH_CHECK, self._quiet_at)
        waits = self._held or (self._asked and not cfg.hold_only)
        if self._quiet >= (cfg.max_hangover_s if waits else cfg.hangover_s) - _EPS:
            return self._close(self._quiet_at, "silence")
        return None

    def verdict(self, complete: bool, pause_id: int) -> SpeechEvent | None:
        """The end-of-turn model's answer about pause ``pause_id``: complete ends the utterance
        (reason ``turn_complete``) now; not done waits up to ``max_hangover_s``. With
        ``hold_only`` only "not done" counts (it holds the end); "done" changes nothing. An answer
        about a pause that is over (the person went on) is ignored."""
        if self.state is not EndpointState.PAUSED or not self._asked \
                or pause_id != self.pause_id:
            return None
        if self.config.hold_only:
            self._held = self._held or not complete
            return None
        return self._close(self._quiet_at, "turn_complete") if complete else None

    def _close(self, end: float, reason: str) -> SpeechEvent:
        if end - self._start < self.config.min_utterance_s - _EPS:
            return self._end(EventKind.SPEECH_DROP, end, "too_short")
        return self._end(EventKind.SPEECH_END, end, reason)

    def _end(self, kind: EventKind, at_s: float, reason: str) -> SpeechEvent:
        event, now = self._event(kind, at_s, reason), self.now_s
        self.reset()
        self.now_s = now  # the clock runs on
        return event


class Segmenter:
    """Feed 16 kHz mono chunks; get speech start/pause/resume events and whole utterances."""

    def __init__(self, config: EndpointConfig | None = None, aggressiveness: int = 2,
                 frame_ms: int = 30, min_dbfs: float | None = -50.0) -> None:
        if aggressiveness not in (0, 1, 2, 3):
            raise ConfigError("vad", f"aggressiveness {aggressiveness} is not 0-3",
                              "use 0 (keeps most) to 3 (drops most)")
        cfg = self.config = config or EndpointConfig()
        self.min_dbfs = min_dbfs
        self.endpointer, self.cutter = Endpointer(cfg), FrameCutter(frame_ms)
        self._content_cutter = FrameCutter(frame_ms)
        self._vad = webrtcvad.Vad(aggressiveness)
        # keep the pre-roll plus the longest onset: speech_start_s of speech with blips between
        frame_s = frame_ms / 1000
        ring_s = cfg.preroll_s + cfg.speech_start_s * (1 + cfg.blip_s / frame_s) + cfg.blip_s
        # frames as (first sample's stream position, samples, capture time in ns)
        self._ring: deque[tuple[int, np.ndarray, int]] = deque(maxlen=int(ring_s / frame_s) + 2)
        self._frames: list[tuple[int, np.ndarray, int]] = []  # the utterance so far
        self._fed = 0

    @property
    def position_s(self) -> float:
        """Stream position: samples fed so far / 16 000."""
        return self._fed / RATE

    @property
    def state(self) -> EndpointState:
        return self.endpointer.state

    def reset(self) -> None:
        """Drop all audio and state, and restart the stream clock at 0."""
        self.endpointer.reset()
        self.cutter.flush()
        self._ring.clear()
        self._frames.clear()
        self._fed = 0

    def is_speech(self, frame: np.ndarray) -> bool:
        """webrtcvad's call on one frame, and loud enough to be above ``min_dbfs``."""
        if self.min_dbfs is not None and rms_dbfs(frame) < self.min_dbfs:
            return False
        return bool(self._vad.is_speech(frame.tobytes(), RATE))

    def feed(self, chunk: AudioChunk, content: np.ndarray | None = None) -> list[SpeechEvent]:
        """Take one chunk of any length; return the events it settled, oldest first.

        ``content``, when given, is what the utterance keeps while ``chunk`` is what is judged
        (the echo gate mutes her own voice for the decision, never the person's pre-roll).
        """
        if chunk.rate != RATE or chunk.channels != 1:
            raise AudioError("bad-format", f"got {chunk.rate} Hz, {chunk.channels} channels: "
                             "the segmenter takes 16 kHz mono",
                             "convert with samantha.audio.chunk first")
        chunk_start, t0 = self._fed, chunk.timestamp_ns
        first = chunk_start - self.cutter.pending  # stream sample where the first new frame begins
        self._fed += len(chunk.samples)
        events = []
        kept = self._content_cutter.push(content) if content is not None else None
        for i, frame in enumerate(self.cutter.push(chunk.samples)):
            start = first + i * len(frame)
            stamp = t0 + (start - chunk_start) * 10**9 // RATE if t0 else 0  # capture time
            (self._ring if self.state is EndpointState.IDLE else self._frames).append(
                (start, kept[i] if kept is not None else frame, stamp))
            if (event := self.endpointer.update(len(frame) / RATE, self.is_speech(frame))):
                events.append(self._emit(event))
        return events

    def current_audio(self) -> AudioChunk | None:
        """The utterance in progress so far, pre-roll included (for a speculative start)."""
        if not self._frames:
            return None
        stamp = self._frames[0][2]
        return AudioChunk(np.concatenate([f for _, f, _ in self._frames]), RATE, 1, stamp)

    def verdict(self, complete: bool, pause_id: int) -> list[SpeechEvent]:
        """Hand the end-of-turn model's answer to the endpointer (see ``Endpointer.verdict``)."""
        event = self.endpointer.verdict(complete, pause_id)
        return [self._emit(event)] if event is not None else []

    def finish(self) -> list[SpeechEvent]:
        """End of stream: hand out the utterance in progress (reason ``end_of_stream``), reset."""
        events = [self._emit(event)] if (event := self.endpointer.finish()) else []
        self.reset()
        return events

    def _emit(self, event: SpeechEvent) -> SpeechEvent:
        utterance = None
        if event.kind is EventKind.SPEECH_START:
            first = round((event.at_s - self.config.preroll_s) * RATE)
            self._frames = [f for f in self._ring if f[0] + len(f[1]) > first]
            self._ring.clear()
        elif event.kind in (EventKind.SPEECH_END, EventKind.SPEECH_DROP):
            if event.kind is EventKind.SPEECH_END and self._frames:
                start, _, stamp = self._frames[0]
                audio = AudioChunk(np.concatenate([f for _, f, _ in self._frames]), RATE, 1, stamp)
                utterance = Utterance(audio, start / RATE, event.speech_start_s, event.at_s,
                                      event.decided_at_s, event.reason)
            self._frames = []
        return replace(event, utterance=utterance, timestamp_ns=now_ns())
