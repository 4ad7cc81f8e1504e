"""Wake: when is she being spoken to?

``phrase`` (the default): VAD-gated speech whose transcript starts with her name, tolerantly
("hey Samantha", "Samanta", "Samantha,"). After she answers, a follow-up window opens in which
no name is needed. ``always``: every utterance is for her. ``model``: an openWakeWord-style ONNX
model scores the audio; without one installed it is an error, never a silent fallback.

The decisions are pure functions of text, time and flags, tested without audio.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samantha.config import WakeConfig
from samantha.errors import ConfigError
from samantha.inference.wake_model import WakeModel
from samantha.inference.worker import Worker

_GREETINGS = {"hey", "hi", "hello", "ok", "okay", "oh", "yo", "um", "uh", "so", "dear", "hay",
              "a", "hey,", "excuse", "me"}


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[\w']+", text)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


@dataclass(frozen=True, slots=True)
class WakeMatch:
    woke: bool
    rest: str
    """What was said after her name (the request itself)."""


def match_phrase(transcript: str, phrase: str, similarity: float = 0.75) -> WakeMatch:
    """Does the transcript start with the wake phrase? Greetings before it are allowed.

    "Hey Samantha, what time is it" → woke, rest "what time is it". The name may be misheard
    slightly ("Samanta", "Samantha's") or split ("Sam Antha"); it must come within the first
    few words, so "I told Samantha" is not a wake.
    """
    target = "".join(_words(phrase))
    if not target:
        return WakeMatch(False, transcript)
    words = _words(transcript)
    raw_tokens = list(re.finditer(r"[\w']+", unicodedata.normalize("NFKC", transcript)))
    for start in range(min(3, len(words))):
        if start and words[start - 1] not in _GREETINGS:
            break
        for span in (1, 2, 3):
            joined = "".join(words[start:start + span])
            if start + span > len(words):
                break
            if abs(len(joined) - len(target)) > 3:  # "I told Samantha" is not a name
                continue
            candidates = {joined, joined.removesuffix("s"), joined.removesuffix("'s")}
            if max(_similar(c, target) for c in candidates) >= similarity:
                end_token = raw_tokens[start + span - 1].end() if raw_tokens else 0
                rest = unicodedata.normalize("NFKC", transcript)[end_token:]
                return WakeMatch(True, rest.lstrip(" ,.!?;:-").strip())
    return WakeMatch(False, transcript)


class FollowUpWindow:
    """After she has spoken, a window in which the person need not say her name."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._until = float("-inf")

    def open(self, now_s: float) -> None:
        self._until = now_s + self.seconds

    def close(self) -> None:
        self._until = float("-inf")

    def is_open(self, now_s: float) -> bool:
        return now_s <= self._until


class WakeGate:
    """Decides, per transcript, whether she should answer and what the request is."""

    def __init__(self, cfg: WakeConfig, name: str) -> None:
        self.cfg = cfg
        self.phrase = cfg.phrase or name
        self.window = FollowUpWindow(cfg.follow_up_s)
        self.detector = load_wake_model(cfg) if cfg.mode == "model" else None
        self.worker = Worker("wake") if self.detector is not None else None

    async def model_woke(self, samples: np.ndarray) -> bool:
        """Did the wake model hear its word in this audio? (Always False without a model.)
        The ONNX model runs on its own worker thread, like every C model."""
        if self.detector is None or self.worker is None:
            return False
        return bool(await self.worker.run(self.detector.woke, samples))

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()

    def decide(self, transcript: str, now_s: float, model_woke: bool = False) -> WakeMatch:
        if not transcript.strip():
            return WakeMatch(False, "")
        named = match_phrase(transcript, self.phrase, self.cfg.similarity)
        if self.cfg.mode == "always":
            return named if named.woke else WakeMatch(True, transcript)
        if named.woke or (self.cfg.mode == "model" and model_woke):
            return named if named.woke else WakeMatch(True, transcript)
        if self.window.is_open(now_s):
            return WakeMatch(True, transcript)
        return WakeMatch(False, transcript)

    def answered(self, now_s: float) -> None:
        """She finished speaking: the follow-up window opens."""
        self.window.open(now_s)


def load_wake_model(cfg: WakeConfig) -> WakeModel:
    """An openWakeWord-style ONNX model on onnxruntime, or a clear error."""
    path = Path(cfg.model_path) if cfg.model_path else None
    if path is None or not path.is_file():
        raise ConfigError(
            "no-wake-model",
            f"wake.mode is 'model' but no wake model is installed"
            f"{f' at {path}' if path else ''}",
            'set [wake] model_path to an openWakeWord .onnx file, or use mode = "phrase"')
    return WakeModel(path, cfg.threshold)
