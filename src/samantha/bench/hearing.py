"""``samantha bench --hearing``: does she ask again when she misheard, and answer when she heard?

The set, both languages, through the real whisper.cpp models she hears with (``tiny.en`` for
English, the multilingual ``base`` for Korean, as ``config`` picks them):

- **clean**: questions spoken by espeak-ng (several English and Korean voices, a voice other
  than hers) and the recorded fixtures;
- **degraded**: the same audio under heavy noise (0 and -6 dB SNR), clipped, too quiet, cut
  off mid-word, and another language (Korean speech to the English ears, English and French
  speech to the Korean ears).

Each clip is also judged by what was *truly* heard: the transcript against what was said (word
error rate in English, character error rate in Korean): *right* at most 0.2, *wrong* from 0.4.
A noisy clip heard right should be answered; a clean clip heard wrong should be asked again.

espeak-ng's Korean is misheard by whisper-base on 30 of 31 clean clips (asking again there is
right), so the clean Korean side rests on the one Korean recording until real Korean speech is
in the fixtures.

Every sentence falls in the dev or the held-out split by a hash of its text (its degraded
copies with it). The thresholds in ``pipeline.hearing`` were tuned on dev only; held-out is the
figure that counts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.bench.cer import cer, edit_distance
from samantha.bench.corpus import espeak, speech_bounds
from samantha.inference.protocols import Transcriber
from samantha.pipeline.hearing import heard_clearly

QUESTIONS_EN = (
    "Samantha, what is the weather like today?",
    "What should I cook for dinner tonight?",
    "Can you remind me to call my sister tomorrow?",
    "How far away is the moon?",
    "Samantha, tell me a short story about a cat.",
    "What time does the sun set in winter?",
    "Why do leaves change colour in autumn?",
    "Can you help me plan a birthday party?",
    "What is a good book to read on holiday?",
    "How do I make a cup of green tea?",
    "Samantha, how are you feeling today?",
    "What is the capital of Australia?",
    "How many minutes are in a day?",
    "Can you set a timer for ten minutes?",
    "What is your favourite song?",
    "How do I stay calm before an exam?",
    "Samantha, what did we talk about yesterday?",
    "Is it going to rain this weekend?",
    "What is the best way to learn a new language?",
    "Could you turn off the kitchen light?",
    "Why do cats sleep so much?",
    "What should I wear to a job interview?",
    "Samantha, can you recommend a good movie?",
    "How do plants make their food?",
    "What is the tallest mountain in the world?",
    "Can you tell me a joke about dogs?",
    "How long should I boil an egg?",
    "What are some fun things to do on a rainy day?",
    "Samantha, do you remember my name?",
    "How can I sleep better at night?",
)
QUESTIONS_KO = (
    "사만다, 오늘 날씨 어때?",
    "오늘 저녁에 뭘 먹으면 좋을까?",
    "내일 아침에 언니한테 전화하라고 알려 줘.",
    "달은 얼마나 멀리 있어?",
    "사만다, 고양이에 대한 짧은 이야기 해 줘.",
    "겨울에는 해가 몇 시에 져?",
    "가을에 나뭇잎은 왜 색이 변해?",
    "생일 파티 계획 좀 도와줄래?",
    "휴가 때 읽을 만한 책 추천해 줘.",
    "녹차는 어떻게 타?",
    "사만다, 오늘 기분 어때?",
    "호주의 수도는 어디야?",
    "하루는 몇 분이야?",
    "십 분 타이머 맞춰 줘.",
    "제일 좋아하는 노래가 뭐야?",
    "시험 전에 어떻게 마음을 진정시켜?",
    "사만다, 어제 우리가 무슨 얘기 했지?",
    "이번 주말에 비 와?",
    "새로운 언어를 배우는 가장 좋은 방법이 뭐야?",
    "부엌 불 좀 꺼 줘.",
    "고양이는 왜 그렇게 잠을 많이 자?",
    "면접 볼 때 뭘 입어야 해?",
    "사만다, 좋은 영화 추천해 줄래?",
    "식물은 어떻게 양분을 만들어?",
    "세계에서 제일 높은 산은 뭐야?",
    "강아지에 관한 농담 하나 해 줘.",
    "달걀은 몇 분 삶아야 해?",
    "비 오는 날 할 만한 재미있는 일이 뭐야?",
    "사만다, 내 이름 기억해?",
    "밤에 잠을 더 잘 자려면 어떻게 해야 해?",
)
VOICES = {"en": ("en-us", "en-us+m3", "en-us+f2", "en-gb+m2"), "ko": ("ko", "ko+f2", "ko+m3")}
FIXTURES = {  # file: (language, what is said)
    "living_room_light_en.wav": ("en", "Turn on the living room light."),
    "turn_on_the_living_room_lamp.wav": ("en", "Turn on the living room lamp."),
    "jfk.wav": ("en", "And so my fellow Americans, ask not what your country can do for you, "
                      "ask what you can do for your country."),
    "living_room_light_ko.wav": ("ko", "거실 불 켜 줘"),
    "whats_your_name_french.wav": ("fr", "Comment t'appelles-tu ?"),
}
RIGHT, WRONG = 0.2, 0.4
"""Error rates at most ``RIGHT``: heard right; from ``WRONG``: heard wrong; between: partly."""


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    said: str
    """What was said."""
    spoken: str
    """Its language ('en', 'ko', 'fr')."""
    ears: str
    """The language of the ears that hear it ('en': tiny.en, 'ko': base)."""
    condition: str
    """'clean' or how it was degraded."""
    split: str
    audio: AudioChunk


def split_of(text: str) -> str:
    """'dev' or 'held-out', by a hash of the sentence (stable across runs and machines)."""
    return "dev" if hashlib.sha256(text.encode()).digest()[0] % 2 == 0 else "held-out"


def _pcm(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def degrade(audio: AudioChunk, how: str, seed: int) -> AudioChunk:
    """The clip under one kind of trouble (numpy, seeded: the same clip every run)."""
    x = audio.samples.astype(np.float64)
    rng = np.random.default_rng(seed)
    if how.startswith("noise"):  # white noise at the named SNR (noise0, noise-6)
        snr_db = float(how.removeprefix("noise"))
        start, end = speech_bounds(audio)
        speech = x[int(start * RATE):int(end * RATE)]
        power = float(np.mean(speech ** 2)) if len(speech) else float(np.mean(x ** 2))
        y = x + rng.normal(0, np.sqrt(power / 10 ** (snr_db / 10)), len(x))
    elif how == "clipped":  # driven 30 dB into the rails
        y = np.clip(x * 31.6, -32767, 32767)
    elif how == "quiet":  # 46 dB down: a voice from another room
        y = x * 0.005
    elif how == "cut":  # the recording stops halfway through the speech, mid-word
        start, end = speech_bounds(audio)
        y = x[:int((start + 0.45 * (end - start)) * RATE)]
    else:
        raise ValueError(f"unknown degradation {how!r}")
    return AudioChunk(_pcm(y), RATE)


DEGRADATIONS = ("noise0", "noise-6", "clipped", "quiet", "cut")


def clips(fixtures: Path) -> Iterator[Clip]:
    """Every clip of the set: each sentence clean, degraded, and to the other language's ears."""
    sources: list[tuple[str, str, AudioChunk]] = []  # (language, said, audio)
    for language, questions in (("en", QUESTIONS_EN), ("ko", QUESTIONS_KO)):
        voices = VOICES[language]
        for i, question in enumerate(questions):
            audio = espeak(question, voices[i % len(voices)])
            if audio is not None:
                sources.append((language, question, audio))
    for name, (language, said) in FIXTURES.items():
        if (fixtures / name).is_file():
            sources.append((language, said, read_wav(fixtures / name)))
    for n, (language, said, audio) in enumerate(sources):
        split = split_of(said)
        for ears in ("en", "ko"):
            condition = "clean" if ears == language else "foreign"
            yield Clip(f"{n:02d}-{ears}-{condition}", said, language, ears, condition, split,
                       audio)
            if ears != language:
                continue
            for k, how in enumerate(DEGRADATIONS):
                yield Clip(f"{n:02d}-{ears}-{how}", said, language, ears, how, split,
                           degrade(audio, how, seed=n * 31 + k))


def error_rate(said: str, heard: str, language: str) -> float:
    """Word error rate (English, French), character error rate (Korean)."""
    if language == "ko":
        return cer(said, heard)
    ref, hyp = _words(said), _words(heard)
    if not ref:
        return 0.0 if not hyp else 1.0
    joined = sorted(set(ref + hyp))
    code = {w: chr(0x4E00 + i) for i, w in enumerate(joined)}  # one character per word
    return edit_distance("".join(code[w] for w in ref), "".join(code[w] for w in hyp)) / len(ref)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower().replace("colour", "color").replace("favourite",
                                                                                 "favorite"))


def truth(clip: Clip, heard: str) -> tuple[float, str]:
    """How far the transcript is from what was said, and the verdict: right, partly, wrong.
    Speech to ears of another language is heard right only if it came out as said."""
    err = error_rate(clip.said, heard, clip.spoken)
    return err, "right" if err <= RIGHT else "wrong" if err >= WRONG else "partly"


def measure(ears: Mapping[str, Transcriber], fixtures: Path,
            progress: Callable[[str], None] = lambda _m: None) -> list[dict[str, Any]]:
    """Hear every clip with the real ears; one row per clip, with the decision."""
    rows = []
    for clip in clips(fixtures):
        transcript = ears[clip.ears].transcribe(clip.audio)
        verdict = heard_clearly(transcript, clip.ears)
        err, judged = truth(clip, transcript.text)
        sure = transcript.confidence
        rows.append({"name": clip.name, "said": clip.said, "heard": transcript.text,
                     "ears": clip.ears, "condition": clip.condition, "split": clip.split,
                     "error": round(err, 3), "truth": judged,
                     "probs": [round(p, 4) for p in sure.probs] if sure else None,
                     "looped": sure.looped if sure else None,
                     "asked_again": not verdict.clear, "reason": verdict.reason})
        progress(f"[hearing] {clip.name} {clip.split} {judged} "
                 f"{'ASK' if not verdict.clear else 'ok '} {verdict.reason:<14} "
                 f"{transcript.text[:60]!r}")
    return rows


def _rate(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "-"
    asked = sum(r["asked_again"] for r in rows)
    return f"{100 * asked / len(rows):.0f} % ({asked}/{len(rows)})"


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Ask-again rates per split. The goal's two sets: *misheard* (the transcript is wrong,
    whatever the audio) and *clean* (clean audio, heard right); then by audio alone."""
    out = {}
    for split in ("dev", "held-out"):
        mine = [r for r in rows if r["split"] == split]
        table = {}
        for ears in ("en", "ko", "all"):
            these = [r for r in mine if ears in ("all", r["ears"])]
            table[f"{ears} misheard"] = _rate([r for r in these if r["truth"] == "wrong"])
            table[f"{ears} clean, heard right"] = _rate(
                [r for r in these if r["truth"] == "right" and r["condition"] == "clean"])
            table[f"{ears} any audio, heard right"] = _rate(
                [r for r in these if r["truth"] == "right"])
            table[f"{ears} clean audio"] = _rate([r for r in these if r["condition"] == "clean"])
            table[f"{ears} degraded audio"] = _rate(
                [r for r in these if r["condition"] != "clean"])
        out[split] = table
    return out


def markdown(summary_: dict[str, dict[str, str]]) -> str:
    keys = list(next(iter(summary_.values())))
    lines = ["", "### Hearing: how often she asks again (goal: >= 80 % of misheard, "
             "<= 5 % of clean)", "", "| set | dev | held-out |", "|---|---|---|"]
    lines += [f"| {k} | {summary_['dev'][k]} | {summary_['held-out'][k]} |" for k in keys]
    return "\n".join(lines) + "\n"


def default_fixtures() -> Path:
    """The speech fixtures of a checkout (tests/fixtures), else the package's question only."""
    here = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
    return here if here.is_dir() else Path(str(resources.files("samantha") / "data"))
