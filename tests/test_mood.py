"""Feelings: synthetic voices against a running baseline, words in English and Korean, and the
hint that reaches the model (never a diagnosis)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from conftest import fixture
from samantha.audio.chunk import AudioChunk, read_wav
from samantha.companion import mood, wellbeing
from samantha.companion.conversation import Conversation
from samantha.companion.exchange import Exchange
from samantha.config import Persona


def voice(seconds: float, f0_lo: float, f0_hi: float, dbfs: float, syllables_hz: float,
          seed: int = 0, rate: int = 16_000) -> AudioChunk:
    """A buzzy vowel-like voice: a pitch glide, harmonics, syllable-rate loudness."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = f0_lo + (f0_hi - f0_lo) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    sig = sum(np.sin(k * phase) / k for k in range(1, 8))
    sig = sig * np.sin(np.pi * syllables_hz * t) ** 2 + 0.003 * rng.standard_normal(len(t))
    sig = sig / np.sqrt(np.mean(sig ** 2)) * 10 ** (dbfs / 20)
    return AudioChunk(np.clip(sig * 32768, -32768, 32767).astype(np.int16), rate)


def neutral(seed: int) -> AudioChunk:
    return voice(2.5, 110, 190, -22, 2.25, seed)


def sad(seed: int) -> AudioChunk:
    return voice(2.5, 92, 97, -34, 1.0, seed)  # low, flat, quiet, slow


def turn(brain: Conversation, audio: AudioChunk | None, text: str) -> tuple[str, Exchange]:
    """The notes and new turn of the prompt, and the exchange (its mood and pace)."""
    heard = brain.hear(audio) if audio is not None else None
    base = len(brain.base_messages())
    ex = asyncio.run(brain.prepare(text, None, heard))  # type: ignore[arg-type]
    brain.commit(ex, "Mm.")  # her reply was spoken: what the turn learnt is kept
    return " ".join(m["content"] for m in ex.messages[base:]), ex


def test_sad_prosody_changes_the_hint_and_the_pace(tmp_path: Path) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    for i in range(4):  # her person's ordinary voice
        notes, ex = turn(brain, neutral(i), "I got home a while ago.")
        assert "feeling low" not in notes
        assert ex.mood.label == "neutral" and ex.pace == 1.0
    last, ex = turn(brain, sad(9), "I got home a while ago.")
    assert ex.mood.voice == "low" and ex.mood.label == "low"
    assert "feeling low" in last and "gentle" in last and "diagnose" in last
    assert ex.pace > 1.0
    assert brain.messages("x")[0] == brain.system()  # the persona prompt never changes
    _, ex = turn(brain, neutral(11), "I got home a while ago.")
    assert ex.mood.label == "neutral" and ex.pace == 1.0


def test_the_baseline_is_the_persons_own_and_persists(tmp_path: Path) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    for i in range(6):  # someone who always speaks low, flat and quietly
        turn(brain, sad(i), "Hello there.")
    brain.close()
    again = Conversation(Persona(), state_dir=tmp_path)
    assert again.baseline.count == 6
    _, ex = turn(again, sad(20), "Hello there.")
    assert ex.mood.voice == "neutral"  # for this person, that voice is ordinary


def test_feeling_from_words_in_english_and_korean() -> None:
    assert mood.from_words("I feel so sad and alone today") == "low"
    assert mood.from_words("I'm so stressed, the deadline is tomorrow") == "tense"
    assert mood.from_words("What's the weather like?") == "neutral"
    assert mood.from_words("오늘 너무 우울하고 힘들어") == "low"
    assert mood.from_words("시험 때문에 너무 불안해") == "tense"
    assert mood.from_words("내일 날씨 어때?") == "neutral"


def test_words_reach_the_prompt_without_audio() -> None:
    brain = Conversation(Persona())
    last, ex = turn(brain, None, "I'm so stressed about work, I can't cope.")
    assert "Be calm and steady" in last and ex.pace > 1.0
    assert "calm and steady" not in turn(brain, None, "What's a good name for a cat?")[0]


def test_silence_and_noise_give_no_voice_reading() -> None:
    assert mood.prosody(AudioChunk(np.zeros(16000, dtype=np.int16))) is None
    noise = np.random.default_rng(0).normal(0, 3000, 16000).astype(np.int16)
    known = mood.Baseline(count=mood.KNOWN_AFTER)
    assert mood.from_voice(mood.prosody(AudioChunk(noise)), known) in ("", "neutral")


@pytest.mark.parametrize("name", ["korean/orca_tts_ko.wav", "korean/zeroth_ko_10.wav",
                                  "living_room_light_en.wav"])
def test_a_voice_she_has_never_heard_is_not_read_as_a_feeling(tmp_path: Path, name: str) -> None:
    """Real recordings of calm read speech (a high voice, a fast Korean reader) that the
    population prior alone reads as stressed: a first meeting is not judged by the voice."""
    audio = read_wav(fixture(name))
    feats = mood.prosody(audio)
    assert mood.from_voice(feats, mood.Baseline(count=mood.KNOWN_AFTER)) == "tense"
    brain = Conversation(Persona(), state_dir=tmp_path)
    notes, ex = turn(brain, audio, "Hello there.")
    assert ex.mood.voice == "" and ex.mood.label == "neutral" and ex.pace == 1.0
    assert "stressed" not in notes
    assert brain.baseline.count == 1  # but the utterance teaches her the voice


def test_she_never_announces_a_diagnosis() -> None:
    for s in ("You sound depressed.", "You might have an anxiety disorder.",
              "우울증이 있으신 것 같아요."):
        assert mood.diagnoses(s)
    for s in ("That sounds really hard.", "I'm here with you.", "Depression-era recipes are fun."):
        assert not mood.diagnoses(s)


def test_leaning_on_her_alone_gets_one_gentle_nudge(tmp_path: Path) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path, clock=lambda: datetime(2026, 11, 22, 20))
    first, _ = turn(brain, None, "You're my only friend, honestly.")
    assert "reach out" not in first
    second, _ = turn(brain, None, "I don't have anyone else to talk to.")
    assert "reach out to a friend" in second and "without preaching" in second
    third, _ = turn(brain, None, "You're the only one who listens.")
    assert "reach out" not in third  # not again for days
    assert not wellbeing.relies_on_her("I had lunch with my sister.")
