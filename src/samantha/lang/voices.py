"""Each sentence to the voice of its language: a mixed reply never speaks Hangul through the
English voice, nor English through the Korean one.

``BilingualVoice`` is itself a ``Voice``: the turn hands it clauses and sentences as it would
hand them to Piper. Text is cut into sentences, runs of sentences in one language (``lang.
pack_for``) go to that language's voice (each on its own worker thread), and the audio is joined
at one rate. ``for_persona`` builds it: Piper for the packs without a voice of their own, and an
espeak-ng voice for each that names one (``Pack.voice``), reading numbers its pack's way.
"""

from __future__ import annotations

import re

import numpy as np
import soxr

from samantha import lang
from samantha.audio.chunk import AudioChunk
from samantha.clock import now_ns
from samantha.config import Config
from samantha.inference.protocols import Voice

_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*\s*|[.!?。！？]+\s*")


def by_language(text: str, home: str = "en") -> list[tuple[str, str]]:
    """Runs of whole sentences in one language, as (language code, text): a sentence written
    in a pack's own script (any Hangul: Korean) is that pack's; the rest is ``home``'s."""
    runs: list[tuple[str, str]] = []
    base = lang.get(home)
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        if not sentence.strip():
            continue
        code = lang.pack_for(sentence, base).code
        if runs and runs[-1][0] == code:
            runs[-1] = (code, runs[-1][1] + sentence)
        elif runs and not any(ch.isalnum() for ch in sentence):
            runs[-1] = (runs[-1][0], runs[-1][1] + sentence)
        else:
            runs.append((code, sentence))
    return [(code, part.strip()) for code, part in runs]


class BilingualVoice:
    """Each language's sentences to its voice (``voices``: language code → voice); a language
    without one is spoken by the ``home`` language's voice, whose rate the audio is joined at."""

    def __init__(self, voices: dict[str, Voice], home: str = "en") -> None:
        self.voices = voices
        self.home = home
        self.rate = voices[home].rate

    def _voice(self, code: str) -> Voice:
        return self.voices.get(code, self.voices[self.home])

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
        return self._join([self._voice(code).synthesize(part)
                           for code, part in by_language(text, self.home)])

    async def synthesize_async(self, text: str, pace: float = 1.0) -> AudioChunk:
        chunks = []
        for code, part in by_language(text, self.home):
            chunks.append(await self._voice(code).synthesize_async(part, pace))
        return self._join(chunks)

    def warm_up(self) -> None:
        for voice in self.voices.values():
            voice.warm_up()

    def close(self) -> None:
        for voice in reversed(list(self.voices.values())):
            voice.close()


def espeak_name(cfg: Config, pack: lang.Pack) -> str:
    """The espeak-ng voice a pack's sentences are spoken with (Korean: ``[tts] korean_voice``)."""
    return cfg.tts.korean_voice if pack.code == "ko" else pack.voice


def for_persona(cfg: Config, piper: Voice) -> Voice:
    """Piper alone for an English persona; with a Korean (or bilingual) one, each language that
    names an espeak-ng voice (``Pack.voice``) gets it, reading numbers its own way."""
    wanted = [p for p in lang.spoken(cfg.persona) if p.voice]
    if not wanted:
        return piper
    from samantha.inference.espeak_voice import EspeakVoice

    voices: dict[str, Voice] = {"en": piper}
    try:
        for pack in wanted:
            voices[pack.code] = EspeakVoice(espeak_name(cfg, pack), speed=cfg.tts.korean_speed,
                                            normalize=pack.voice_text, greeting=pack.phrases.yes)
    except BaseException:
        for voice in voices.values():
            voice.close()
        raise
    return BilingualVoice(voices)

