"""The bench's spoken turns: the speech fixtures plus questions synthesised with espeak-ng
(a voice other than hers). Each is annotated with where the speech truly starts and ends,
found from its energy envelope when the corpus is built, never from the VAD under test."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.lang import data

FIXTURES = ("living_room_light_en.wav", "turn_on_the_living_room_lamp.wav")
BARGE_IN = "Wait, stop. What time is it?"
LONG_QUESTION = "Tell me a long story about a dragon and the sea."
"""Asked before each interruption: the reply must still be playing when the person cuts in."""


@dataclass(frozen=True, slots=True)
class Utterance:
    name: str
    audio: AudioChunk
    speech_start_s: float
    speech_end_s: float


def speech_bounds(audio: AudioChunk, floor_db: float = 40.0) -> tuple[float, float]:
    """First and last 10 ms frame that stands out: within ``floor_db`` of the loudest frame
    and 15 dB over the recording's own noise floor (its quietest tenth)."""
    frames = audio.samples[: len(audio.samples) // 160 * 160].reshape(-1, 160)
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) / 32768**2 + 1e-12)
    noise = float(np.percentile(db, 10))
    loud = np.flatnonzero(db > max(db.max() - floor_db, noise + 15.0, -55.0))
    return float(loud[0] * 0.01), float((loud[-1] + 1) * 0.01)


def annotate(name: str, audio: AudioChunk) -> Utterance:
    start, end = speech_bounds(audio)
    return Utterance(name, audio, start, end)


def espeak(text: str, voice: str = "en-us+m3") -> AudioChunk | None:
    if not shutil.which("espeak-ng"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "q.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text],
                       check=True, capture_output=True)
        return read_wav(out)


def said(code: str) -> dict[str, Any]:
    """What the benchmark says and listens for in language ``code``
    (``lang/<code>/bench.toml``: questions, voices, follow-ups, hearing, truth)."""
    return data.table(code, "bench")


def fixtures_dir() -> Path | None:
    """The real recordings: $SAMANTHA_FIXTURES, else the checkout's tests/fixtures (None when
    neither is there, as in an installed package)."""
    env = os.environ.get("SAMANTHA_FIXTURES")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "tests" / "fixtures"
    return path if path.is_dir() else None


def questions(code: str = "en") -> tuple[str, ...]:
    """The timed questions in language ``code``."""
    return tuple(said(code)["questions"])


def build(language: str = "en", fixtures: Path | None = None) -> list[Utterance]:
    """The timed turns in one language (a pack's code): questions the model answers, spoken by
    espeak-ng voices of that language (``lang/<code>/bench.toml``), or, where the language
    lists ``recordings`` and they are in ``fixtures``, those real recordings instead (Korean:
    whisper mishears espeak-ng's Korean, so every such turn was "say it again", not an answer).

    The light-switch fixtures are not among them: she answers those by rule without the model
    (`companion/devices.py`), so they would time no cascade. They are still heard by the
    endpoint, wake and soak benches."""
    recorded = [annotate(name, read_wav(fixtures / name))
                for name in said(language).get("recordings", [])
                if fixtures is not None and (fixtures / name).is_file()]
    if recorded:
        return recorded
    items = []
    voices = said(language)["voices"]
    for i, question in enumerate(questions(language)):
        audio = espeak(question, voices[i % len(voices)])
        if audio is not None:
            items.append(annotate(question, audio))
    return items


def barge_in_utterances() -> tuple[Utterance, Utterance] | None:
    """(a question with a long answer, the interruption), or None without espeak-ng."""
    question, stop = espeak(LONG_QUESTION, "en-us+m3"), espeak(BARGE_IN, "en-us+f2")
    if question is None or stop is None:
        return None
    return annotate(LONG_QUESTION, question), annotate(BARGE_IN, stop)


def silence(seconds: float) -> AudioChunk:
    return AudioChunk(np.zeros(int(seconds * RATE), np.int16))
