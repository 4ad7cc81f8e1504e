"""She never hears herself: acoustic echo cancellation plus a double-talk-aware gate.

The playback signal is known exactly, so it is the reference for Xiph's Speex echo canceller
(libspeexdsp, through the ``speexdsp-aec`` ctypes binding). What remains of her voice after
cancellation is judged by ``EchoGate``: a frame only counts as the person's when it is clearly
louder than the echo the room has been returning; frames of her own echo are muted before they
reach the VAD, so her voice can neither trigger a barge-in nor be transcribed. While the person
talks over her (double-talk) the echo estimate is frozen, so their voice is not learnt as echo.
"""

from __future__ import annotations

import logging
from collections import deque

import numpy as np

from samantha.audio.chunk import RATE, rms_dbfs
from samantha.config import AecConfig
from samantha.errors import AudioError

log = logging.getLogger(__name__)
FRAME = RATE // 100  # 10 ms


class EchoGate:
    """Pure double-talk logic, per 10 ms frame: is this the person, or her own echo?

    The residual is compared with the *envelope* of what she played over the echo path's
    length (the loudest reference frame in the last ``tail_frames``): a room keeps ringing after
    a word ends, so the instantaneous reference would let reverberation through as "speech".
    """

    def __init__(self, margin_db: float = 8.0, silence_dbfs: float = -55.0,
                 tail_frames: int = 30, memory_frames: int = 100,
                 forget_frames: int = 30) -> None:
        self.margin_db = margin_db
        self.silence_dbfs = silence_dbfs
        self.forget_frames = forget_frames
        """Frames of her silence after the echo tail that end what was learnt of her echo."""
        self.silent_frames = 0
        self.recent: deque[float] = deque(maxlen=tail_frames)
        self.excesses: deque[float] = deque(maxlen=memory_frames)

    @property
    def echo_db(self) -> float:
        """How far over her reference the echo has reached lately: the 90th percentile of the
        last second's echo-only frames; 0 dB (as loud as she plays) until half a second of her
        current stretch of speech is known."""
        if len(self.excesses) < 50:
            return 0.0
        return float(np.percentile(np.fromiter(self.excesses, float), 90))

    def is_person(self, ref_dbfs: float, residual_dbfs: float) -> bool:
        ref_dbfs, residual_dbfs = max(ref_dbfs, -120.0), max(residual_dbfs, -120.0)
        self.recent.append(ref_dbfs)
        envelope = max(self.recent)
        if envelope < self.silence_dbfs:  # she has been silent for a whole echo tail
            self.silent_frames += 1
            if self.silent_frames >= self.forget_frames:
                # a real pause (not a breath between sentences): her next words are judged on
                # their own echo, not on what came before (a chime's narrow band, another room)
                self.excesses.clear()
            return True
        self.silent_frames = 0
        excess = residual_dbfs - envelope
        if excess > self.echo_db + self.margin_db:
            return True  # double-talk: the echo estimate is left as it was
        self.excesses.append(excess)
        return False


class EchoCanceller:
    """Speex AEC over 10 ms frames of 16 kHz mono, with the gate after it."""

    def __init__(self, cfg: AecConfig | None = None) -> None:
        self.cfg = cfg or AecConfig()
        try:
            from speexdsp_aec import SpeexAec

            self._aec = SpeexAec(sample_rate=RATE, frame_ms=10, filter_tail_ms=self.cfg.tail_ms)
        except (ImportError, RuntimeError) as exc:
            raise AudioError("no-aec", f"the echo canceller is unavailable ({exc})",
                             "run `make setup` (it installs libspeexdsp1)") from None
        self.gate = EchoGate(self.cfg.margin_db, self.cfg.silence_dbfs)

    def process(self, mic: np.ndarray, ref: np.ndarray,
                listening: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Cancel ``ref`` (what the speaker played over the same span) from ``mic``.

        Both are int16 at 16 kHz of equal length, a multiple of 10 ms. Returns the cleaned
        microphone signal, and a copy with her echo-only frames muted for the VAD to judge,
        unless ``listening``: once the person has the floor none of their syllables is muted.
        """
        if len(mic) != len(ref) or len(mic) % FRAME:
            raise AudioError("aec-frames", f"echo canceller got {len(mic)} mic and {len(ref)} "
                             "reference samples", "feed equal spans in whole 10 ms frames")
        clean = np.frombuffer(self._aec.process(mic, ref), dtype=np.int16).copy()
        gated = clean.copy()
        for start in range(0, len(clean), FRAME):
            frame = gated[start:start + FRAME]
            person = self.gate.is_person(rms_dbfs(ref[start:start + FRAME]), rms_dbfs(frame))
            if not person and not listening:
                frame[:] = 0
        return clean, gated

    def close(self) -> None:
        self._aec.close()
