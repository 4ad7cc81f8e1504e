"""How the person seems: their voice against their own baseline, and the feeling in their words.

Prosody is measured on the 16 kHz utterance with numpy, in milliseconds: pitch (autocorrelation
per 40 ms voiced frame, in semitones), pitch spread (how flat the voice is), loudness (dBFS of the
voiced frames) and speaking rate (energy peaks per second, roughly syllables). Each is compared
with this person's running baseline (an exponential mean and variance, kept in her memory), so
a naturally quiet or deep voice is not mistaken for a sad one; until she has heard a person a
few times (``KNOWN_AFTER``) she does not read their voice at all.

Words are scored with word lists for grief, loss, hopelessness, loneliness and fear (English and
Korean), then VADER (English; a lexicon and rules, no model).
The result is a one-line hint for the language model and a suggested speaking pace. She never
names a feeling as a diagnosis: the hint tells her not to, and ``diagnoses`` catches it anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from samantha import lang
from samantha.audio.chunk import AudioChunk
from samantha.lang import Pack

FEATURES = ("pitch", "spread", "energy", "rate")
PRIOR = {"pitch": (5.0, 4.0), "spread": (2.5, 1.5), "energy": (-26.0, 5.0), "rate": (4.0, 1.2)}
"""Population mean and spread of each feature, used until her person's own baseline forms."""
FLOOR = {"pitch": 1.5, "spread": 0.8, "energy": 3.0, "rate": 0.7}
ALPHA = 0.2
KNOWN_AFTER = 3
"""Utterances heard before her person's voice is read at all. Against the population prior
alone, ordinary voices read as feelings: a high voice or a fast reader (Korean is read at 5-6
syllables a second) came out "tense" in 4 of 15 real recordings, each a note the model had
to read in (~1 s here) and a reply bent to a mood nobody was in."""
@dataclass
class Baseline:
    """Running mean and variance of each prosody feature, for one person."""

    mean: dict[str, float] = field(default_factory=lambda: {k: v[0] for k, v in PRIOR.items()})
    var: dict[str, float] = field(default_factory=lambda: {k: v[1] ** 2 for k, v in PRIOR.items()})
    count: int = 0

    @property
    def known(self) -> bool:
        """Whether she has heard this person enough to read their voice against it."""
        return self.count >= KNOWN_AFTER

    def z(self, feats: dict[str, float]) -> dict[str, float]:
        return {k: (feats[k] - self.mean[k]) / max(math.sqrt(self.var[k]), FLOOR[k])
                for k in FEATURES}

    def update(self, feats: dict[str, float]) -> None:
        a = max(ALPHA, 1.0 / (self.count + 2))  # learns fast at first, then slowly
        for k in FEATURES:
            d = feats[k] - self.mean[k]
            self.mean[k] += a * d
            self.var[k] = (1 - a) * (self.var[k] + a * d * d)
        self.count += 1

    def to_json(self) -> dict[str, Any]:
        return {"mean": self.mean, "var": self.var, "count": self.count}

    @classmethod
    def from_json(cls, data: Any) -> Baseline:
        b = cls()
        if isinstance(data, dict):
            b.mean.update({k: float(v) for k, v in data.get("mean", {}).items() if k in FEATURES})
            b.var.update({k: float(v) for k, v in data.get("var", {}).items() if k in FEATURES})
            b.count = int(data.get("count", 0))
        return b


@dataclass(frozen=True, slots=True)
class Mood:
    label: str = "neutral"
    """'neutral', 'low' (sad, tired) or 'tense' (stressed, upset)."""
    voice: str = ""
    """What the voice alone suggested ('' when there was no audio, or she does not know the
    voice yet: ``Baseline.known``)."""
    words: str = ""
    """What the words alone suggested."""

    @property
    def hint(self) -> str:
        if self.label == "low":
            return ("They may be feeling low. Be gentle, warm and unhurried; keep it short. "
                    "Do not name or diagnose their feelings.")
        if self.label == "tense":
            return ("They may be stressed. Be calm and steady, keep it short and practical. "
                    "Do not name or diagnose their feelings.")
        return ""

    @property
    def pace(self) -> float:
        """Suggested Piper ``length_scale``: above 1.0 is slower."""
        return {"low": 1.15, "tense": 1.1}.get(self.label, 1.0)


def prosody(audio: AudioChunk) -> dict[str, float] | None:
    """Pitch, spread, energy and rate of an utterance; None if it holds too little voice."""
    x = np.asarray(audio.samples, dtype=np.float32).reshape(-1) / 32768.0
    rate = audio.rate
    hop, win = rate // 100, int(rate * 0.04)
    if len(x) < win * 5:
        return None
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    rms = np.sqrt(np.mean(frames ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    voiced = db > max(db.max() - 30.0, -55.0)
    if voiced.sum() < 20:
        return None
    pitches = [p for p in (_f0(f, rate) for f in frames[voiced][::2]) if p]
    if len(pitches) < 5:
        return None
    semis = 12 * np.log2(np.array(pitches) / 100.0)
    smooth = np.convolve(rms, np.ones(5) / 5, mode="same")
    mid = smooth[1:-1]
    peaks = (mid > smooth[:-2]) & (mid >= smooth[2:]) & voiced[1:-1] & (
        mid > 0.8 * np.median(smooth[voiced]))
    span_s = (np.flatnonzero(voiced)[-1] - np.flatnonzero(voiced)[0] + 1) / 100.0
    return {"pitch": float(np.median(semis)), "spread": float(np.std(semis)),
            "energy": float(np.mean(db[voiced])), "rate": float(peaks.sum() / max(span_s, 0.5))}


def _f0(frame: np.ndarray, rate: int, lo: float = 60.0, hi: float = 400.0) -> float | None:
    f = frame - frame.mean()
    ac = np.correlate(f, f, mode="full")[len(f) - 1:]
    if ac[0] <= 0:
        return None
    lag_lo, lag_hi = int(rate / hi), int(rate / lo)
    seg = ac[lag_lo:lag_hi]
    lag = int(np.argmax(seg)) + lag_lo
    return rate / lag if ac[lag] / ac[0] > 0.45 else None


def from_voice(feats: dict[str, float] | None, baseline: Baseline) -> str:
    """'low', 'tense' or 'neutral' from the voice against her person's baseline; '' without
    a voice, or before the baseline is theirs (the utterance still teaches it)."""
    if feats is None or not baseline.known:
        return ""
    z = baseline.z(feats)
    low = (-z["pitch"] - z["spread"] - z["energy"] - z["rate"]) / 4
    tense = (z["pitch"] + z["energy"] + z["rate"]) / 3
    if low > 0.9:
        return "low"
    if tense > 1.0:
        return "tense"
    return "neutral"


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def from_words(text: str, pack: Pack | None = None) -> str:
    """'low', 'tense' or 'neutral' from the words of ``text`` (in ``pack``'s language)."""
    pack = pack or lang.pack_for(text, lang.get("en"))
    low, tense = pack.words.low, pack.words.tense
    if low is not None and low.search(text):
        return "low"  # grief before worry: "I'm scared since my dad died" needs gentleness
    if tense is not None and tense.search(text):
        return "tense"
    if pack.script == "latin" and _vader().polarity_scores(text)["compound"] <= -0.45:
        return "low"  # (VADER reads English)
    return "neutral"


def combine(voice: str, words: str) -> Mood:
    """Words win when they say something; the voice speaks when the words are neutral."""
    label = words if words != "neutral" else (voice or "neutral")
    return Mood(label, voice, words)


def diagnoses(sentence: str) -> bool:
    """True when a sentence labels the person with a condition; she never says those."""
    pattern = lang.pack_for(sentence, lang.get("en")).words.diagnosis
    return bool(pattern and pattern.search(sentence))
