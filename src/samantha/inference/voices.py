"""Each sentence to the voice of its language: a mixed reply never speaks Hangul through the
English voice, nor English through the Korean one.

``BilingualVoice`` is itself a ``Voice``: the turn hands it clauses and sentences as it would
hand them to Piper. Text is cut into sentences, runs of sentences in one language go to that
language's voice (each on its own worker thread), and the audio is joined at one rate.
"""

from __future__ import annotations

import re

import numpy as np
import soxr

from samantha.audio.chunk import AudioChunk
from samantha.clock import now_ns
from samantha.inference.korean_text import language_of
from samantha.inference.protocols import Voice

_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*\s*|[.!?。！？]+\s*")


def by_language(text: str) -> list[tuple[str, str]]:
    """Runs of whole sentences in one language: 'Hello. 안녕하세요.' → [('en', 'Hello.'),
    ('ko', '안녕하세요.')]. A sentence with any Hangul is Korean."""
    runs: list[tuple[str, str]] = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        if not sentence.strip():
            continue
        lang = language_of(sentence)
        if runs and runs[-1][0] == lang:
            runs[-1] = (lang, runs[-1][1] + sentence)
        elif runs and not any(ch.isalnum() for ch in sentence):
            runs[-1] = (runs[-1][0], runs[-1][1] + sentence)
        else:
            runs.append((lang, sentence))
    return [(lang, part.strip()) for lang, part in runs]


class BilingualVoice:
    """English sentences to ``english`` (Piper), Korean sentences to ``korean`` (espeak-ng)."""

    def __init__(self, english: Voice, korean: Voice) -> None:
        self.english = english
        self.korean = korean
        self.rate = english.rate

    def _voice(self, lang: str) -> Voice:
        return self.korean if lang == "ko" else self.english

    def _at_rate(self, chunk: AudioChunk) -> np.ndarray:
        if chunk.rate == self.rate or len(chunk.samples) == 0:
            return np.asarray(chunk.samples, dtype=np.int16)
        floats = chunk.samples.astype(np.float32) / 32768.0
        audio: np.ndarray = soxr.resample(floats, chunk.rate, self.rate, quality="HQ")
        return np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)

    def _join(self, chunks: list[AudioChunk]) -> AudioChunk:
        parts = [self._at_rate(c) for c in chunks]
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return AudioChunk(samples, self.rate, 1, now_ns())

    def synthesize(self, text: str) -> AudioChunk:
        return self._join([self._voice(lang).synthesize(part)
                           for lang, part in by_language(text)])

    async def synthesize_async(self, text: str, pace: float = 1.0) -> AudioChunk:
        chunks = []
        for lang, part in by_language(text):
            chunks.append(await self._voice(lang).synthesize_async(part, pace))
        return self._join(chunks)

    def warm_up(self) -> None:
        self.english.warm_up()
        self.korean.warm_up()

    def close(self) -> None:
        self.korean.close()
        self.english.close()

