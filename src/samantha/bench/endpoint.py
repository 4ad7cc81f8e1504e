"""``samantha bench --endpoint``: the semantic end of turn against the fixed hang-over.

A corpus of sentences with a pause in the middle (espeak-ng, several voices, one call per
sentence with an SSML ``<break>`` so the words before it keep their mid-sentence intonation),
plus whole questions without one, plus the real recordings among the speech fixtures. Each
goes through the real segmenter, in 30 ms chunks, with and without Smart Turn; the model runs
for real and its answer is applied as late as it took to compute. Figures: the **cut-off
rate** (the turn ended at the pause, before the person was done) and the **endpoint delay**
(true end of speech to the decision) of the turns not cut.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.audio.listening import make_segmenter
from samantha.audio.vad import EventKind
from samantha.bench.corpus import questions, speech_bounds
from samantha.bench.stats import summary
from samantha.config import Config, load
from samantha.inference.protocols import Transcriber
from samantha.inference.turn_model import SmartTurn
from samantha.lang import get, pack_for
from samantha.pipeline import ending

PAUSED = (
    ("I was thinking that maybe we could", "go to the beach tomorrow."),
    ("Can you tell me about the", "history of the moon?"),
    ("What I really want to know is", "whether it will rain."),
    ("So my sister and", "her husband are coming over."),
    ("Remind me to call", "the dentist at noon."),
    ("How long should I", "boil an egg?"),
    ("I need to buy", "some milk and bread."),
    ("Tell me something about", "the ocean."),
)
PAUSED_HELDOUT = (
    ("Could you set a timer for", "ten minutes?"),
    ("My mother and I were", "talking about you."),
    ("What's the best way to", "cook rice?"),
    ("I went to the doctor", "and she said I'm fine."),
    ("Tell me a story about a", "dragon who likes tea."),
    ("I'm not sure if I should", "call him tonight."),
    ("Is it going to", "snow this weekend?"),
    ("The thing that worries me most is", "my exam on Monday."),
)
"""Written after ``PAUSED`` had been used to tune the end of turn and before the check on the
words so far was written (2026-12-07): the figure for it that counts. Not all can be helped by
words: "I went to the doctor" reads as finished."""
VOICES = ("en-us+m3", "en-gb", "en-us+f2", "en-us")
PAUSES_S = (0.3, 0.5, 0.7, 0.9)


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    audio: np.ndarray
    speech_end_s: float
    pause_s: float  # 0: no pause inside
    real: bool = False  # a recording of a person, not espeak-ng
    heldout: bool = False  # from PAUSED_HELDOUT


def _espeak_ssml(text: str, voice: str) -> AudioChunk | None:
    if not shutil.which("espeak-ng"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-m", "-v", voice, "-s", "150", "-w", str(out), text],
                       check=True, capture_output=True)
        return read_wav(out)


REAL = ("living_room_light_en.wav", "turn_on_the_living_room_lamp.wav",
        "living_room_light_ko.wav", "whats_your_name_french.wav", "jfk.wav")
"""The recordings in tests/fixtures (any ``*.wav`` in the fixtures folder is used)."""


def build(fixtures: Path | None = None) -> list[Item]:
    items = []
    for path in sorted(fixtures.glob("*.wav")) if fixtures is not None else ():
        real = read_wav(path)  # every recording there: the fixtures, or $SAMANTHA_FIXTURES
        items.append(Item(path.name, real.samples, speech_bounds(real)[1], 0.0, real=True))
    for heldout, sentences in ((False, PAUSED), (True, PAUSED_HELDOUT)):
        for i, (voice, (head, tail)) in enumerate(
                (v, s) for v in VOICES for s in sentences):
            pause = PAUSES_S[i % len(PAUSES_S)]
            audio = _espeak_ssml(f'{head} <break time="{int(pause * 1000)}ms"/> {tail}', voice)
            if audio is not None:
                items.append(Item(f"{head} … {tail} ({voice})", audio.samples,
                                  speech_bounds(audio)[1], pause, heldout=heldout))
    for i, question in enumerate(questions("en")):
        audio = _espeak_ssml(question, VOICES[i % len(VOICES)])
        if audio is not None:
            items.append(Item(question, audio.samples, speech_bounds(audio)[1], 0.0))
    return items


class Words:
    """The check on the words so far (``pipeline.ending``), as the loop runs it: whisper's
    transcript of the audio up to the pause (begun at the pause, as the speculative start
    does), read at the check for an unfinished end; its answer counts from when it is ready."""

    def __init__(self, asr: Transcriber) -> None:
        self.asr = asr
        self.pack = get("en")

    def complete(self, samples: np.ndarray) -> bool:
        text = self.asr.transcribe(AudioChunk(samples, RATE, 1, 1)).text
        return not ending.unfinished(text, pack_for(text, self.pack))


def run_one(item: Item, cfg: Config, model: SmartTurn | Words | None,
            timed: bool = True) -> tuple[bool, float, list[float]]:
    """(cut off, endpoint delay in s, model times in s) for one item. ``timed``: the model's
    answer counts from when it is ready, as at home (a slow one cannot hold the end); not
    timed, from when it was asked (what it decides, whatever the machine's load)."""
    seg = make_segmenter(cfg.vad, semantic=isinstance(model, SmartTurn),
                         words=isinstance(model, Words))
    noise = np.random.default_rng(0).normal(0, 20, int(3.0 * RATE))
    audio = item.audio.astype(np.float64)
    lead = np.zeros(int(0.3 * RATE))
    stream = np.clip(np.concatenate([lead, audio, np.zeros(len(noise))]) +
                     np.resize(noise, len(lead) + len(audio) + len(noise)), -32768, 32767)
    pcm = stream.astype(np.int16)
    true_end = 0.3 + item.speech_end_s
    pending: tuple[float, bool, int] | None = None
    heard: tuple[float, bool] | None = None  # the words: (ready at, finished), from the pause
    took: list[float] = []
    step = RATE * 30 // 1000

    def ask(now: float) -> tuple[float, bool]:
        """(when the answer is ready, finished?) for the audio so far, timed for real."""
        assert model is not None
        sofar = seg.current_audio()
        assert sofar is not None
        t0 = time.perf_counter()
        done = model.complete(sofar.samples)
        took.append(time.perf_counter() - t0)
        return now + (took[-1] if timed else 0.0), done

    for start in range(0, len(pcm), step):
        events = seg.feed(AudioChunk(pcm[start:start + step], RATE, 1, 1))
        now = seg.position_s
        if pending is not None and now >= pending[0]:
            events += seg.verdict(pending[1], pending[2])
        for ev in events:
            if ev.kind is EventKind.SPEECH_PAUSE and isinstance(model, Words):
                heard = ask(now)  # at home the speculative start transcribes from the pause
            elif ev.kind is EventKind.SPEECH_CHECK and model is not None:
                ready, done = heard if isinstance(model, Words) and heard else ask(now)
                pending = (max(now, ready), done, seg.endpointer.pause_id)
            elif ev.kind is EventKind.SPEECH_END:
                decided = now if ev.reason == "turn_complete" else ev.decided_at_s
                return ev.at_s < true_end - 0.15, decided - true_end, took
    return False, float("nan"), took


def measure(cfg_file: str | None, say: Any = print,
            fixtures: Path | None = None) -> dict[str, Any]:
    from samantha.inference.engines import build_asr, build_turn
    from samantha.models.store import default

    cfg = load(cfg_file)
    if not cfg.vad.turn_model:  # off by default: measure the manifest's model
        cfg = load(cfg_file, overrides={"vad": {"turn_model": default("turn").name}})
    say("end of turn: synthesising sentences with pauses")
    items = build(fixtures)
    model = build_turn(cfg)
    if model is not None:
        model.warm_up()
    asr = build_asr(cfg)
    asr.warm_up()
    out: dict[str, Any] = {"items": len(items),
                           "paused": sum(i.pause_s > 0 and not i.heldout for i in items),
                           "paused_heldout": sum(i.heldout for i in items),
                           "real": sum(i.real for i in items),
                           "hangover_s": cfg.vad.hangover_s,
                           "turn_check_s": cfg.vad.turn_check_s,
                           "max_hangover_s": cfg.vad.max_hangover_s,
                           "model": cfg.vad.turn_model if model is not None else None}
    try:
        for label, m in (("fixed", None), ("words", Words(asr)), ("smart_turn", model)):
            if label == "smart_turn" and m is None:
                continue
            say(f"end of turn: {label}")
            assert m is None or isinstance(m, SmartTurn | Words)
            results = [run_one(item, cfg, m) for item in items]
            cut = [r[0] for r in results]
            pairs = list(zip(cut, (i.pause_s for i in items), strict=True))
            paused_cut = [c for (c, p), i in zip(pairs, items, strict=True)
                          if p > 0 and not i.heldout]
            held_cut = [c for (c, p), i in zip(pairs, items, strict=True) if i.heldout]
            out[label] = {
                "cut_off_rate": round(sum(paused_cut) / max(len(paused_cut), 1), 3),
                "cut_off_rate_heldout": round(sum(held_cut) / max(len(held_cut), 1), 3),
                "cut_by_pause_s": {f"{p:g}": f"{sum(c for c, q in pairs if q == p)}/"
                                   f"{sum(q == p for _, q in pairs)}" for p in PAUSES_S},
                "endpoint_delay_s": summary([r[1] for r in results if not r[0]]),
                "endpoint_delay_real_s": summary([r[1] for r, i in zip(results, items, strict=True)
                                                  if i.real and not r[0]]),
                "model_s": summary([t for r in results for t in r[2]]),
            }
    finally:
        if model is not None:
            model.close()
        asr.close()
    return out
