"""Speech recognition: whisper.cpp (pywhispercpp) behind its own worker thread.

pywhispercpp keeps every parameter set by a call for the calls after it: a short ``audio_ctx``
left over from a 2 s question makes a later 11 s clip loop into nonsense. So every call passes
the *whole* parameter set, built fresh.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio import RATE, AudioChunk
from samantha.errors import AsrError
from samantha.events import now_ns
from samantha.worker import Worker

log = logging.getLogger(__name__)

FULL_CTX = 1500
"""whisper's encoder positions for its 30 s window (50 per second)."""

# whisper.cpp's annotations for non-speech, and the usual hallucinations on noise.
_NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+")


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    audio_s: float
    asr_ns: int


def audio_ctx_for(seconds: float, sized: bool = True) -> int:
    """Encoder context for an utterance: 50 positions a second plus a margin, capped at 30 s.

    whisper.cpp pads every clip to 30 s; sizing the context to the clip is the largest single
    saving for short questions. ``sized=False`` gives the naive full window (0 = model default).
    """
    if not sized:
        return 0
    return min(FULL_CTX, int(math.ceil(seconds * 50)) + 64)


def clean_transcript(text: str) -> str:
    """Drop non-speech annotations and collapse whitespace."""
    return " ".join(_NON_SPEECH.sub(" ", text).split())


class Transcriber:
    """Owns one whisper.cpp context on its own thread."""

    def __init__(self, model_path: Path, threads: int = 2, language: str = "en",
                 sized_ctx: bool = True) -> None:
        self.model_path = Path(model_path)
        self.threads = threads
        self.language = language
        self.sized_ctx = sized_ctx
        self.worker = Worker("asr")
        self._model: Any = None
        self.worker.call(self._load)

    def _load(self) -> None:
        from pywhispercpp.model import Model

        try:
            self._model = Model(str(self.model_path), redirect_whispercpp_logs_to=None)
        except Exception as exc:  # the C loader reports failure as a generic exception
            raise AsrError("load", f"whisper.cpp could not load {self.model_path} ({exc})",
                           "run `samantha models verify` and re-provision the model") from None

    def params(self, seconds: float) -> dict[str, Any]:
        """Every decoding parameter, every call (pywhispercpp keeps old values otherwise)."""
        return {
            "n_threads": self.threads,
            "language": self.language,
            "translate": False,
            "detect_language": False,
            "audio_ctx": audio_ctx_for(seconds, self.sized_ctx),
            "no_context": True,
            "single_segment": seconds <= 12.0,
            "no_timestamps": True,
            "max_tokens": 0,
            "offset_ms": 0,
            "duration_ms": 0,
            "temperature": 0.0,
            "temperature_inc": 0.2,
            "suppress_blank": True,
            "suppress_non_speech_tokens": True,
            "print_progress": False,
            "print_realtime": False,
            "print_timestamps": False,
            "print_special": False,
            "token_timestamps": False,
            "max_len": 0,
            "split_on_word": False,
        }

    def _transcribe_sync(self, samples: np.ndarray) -> str:
        seconds = len(samples) / RATE
        audio = samples.astype(np.float32) / 32768.0
        if seconds < 1.0:  # whisper.cpp refuses clips under 1 s: pad with silence
            audio = np.concatenate([audio, np.zeros(RATE + RATE // 10 - len(audio), np.float32)])
        try:
            segments = self._model.transcribe(audio, **self.params(len(audio) / RATE))
        except Exception as exc:
            raise AsrError("decode", f"whisper.cpp failed on a {seconds:.1f} s clip ({exc})",
                           "report this with `samantha doctor` output") from None
        return clean_transcript(" ".join(s.text for s in segments))

    def transcribe(self, chunk: AudioChunk) -> Transcript:
        """Blocking transcription (for scripts and tests)."""
        start = now_ns()
        text = self.worker.call(self._transcribe_sync, chunk.samples)
        return Transcript(text, chunk.seconds, now_ns() - start)

    async def transcribe_async(self, chunk: AudioChunk) -> Transcript:
        start = now_ns()
        text = await self.worker.run(self._transcribe_sync, chunk.samples)
        return Transcript(text, chunk.seconds, now_ns() - start)

    def warm_up(self) -> None:
        """One pass on silence, so the first real turn doesn't pay for allocation."""
        self.transcribe(AudioChunk(np.zeros(RATE, dtype=np.int16)))

    def close(self) -> None:
        self.worker.close()
        self._model = None
