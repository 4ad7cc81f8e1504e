"""``samantha bench --wake``: how good the acoustic wake word is, and what listening costs.

- **False wakes per hour**: an hour (``--wake-hours``) of audio that never says the word, fed to
  the detector as one stream: conversation synthesised by espeak-ng in several voices (with
  near misses such as "okay, now"), the speech fixtures, her own voice (Piper, from one place in
  the simulated room, through the echo canceller as in the loop; also counted raw), and
  music-like tones, each at a random level with pauses between.
- **Misses**: the word followed by a request, said by several voices at three distances
  (levels and reverberation) and over her own playback (through the echo canceller, as the
  loop does).
- **Idle CPU per mode**: the real turn loop listening to a quiet room in real time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.bench import corpus
from samantha.config import AecConfig, Config, load
from samantha.inference.protocols import Voice
from samantha.inference.wake_model import WakeWord
from samantha.testing.room import room_impulse

TALK = (
    "I think we should go to the market tomorrow morning.",
    "Can you pass me the salt, please?",
    "The kids have a school trip on Friday.",
    "Did you remember to water the plants?",
    "My neighbour bought a new boat last summer.",
    "Nobody knows where the remote went.",
    "A nap would be lovely after lunch.",
    "Let's watch the news at nine tonight.",
    "Hey, can you open the window a little?",
    "We need bread, milk, and some apples.",
    "The train was cancelled because of the snow.",
    "Alex said the meeting moved to Thursday.",
    "Oh no, the cat knocked over the vase again.",
    "Turn left at the bakery and go straight on.",
    "The library closes early on Sundays.",
    "I'll make some tea if you want a cup.",
    "Did the plumber say when he would come?",
    "Our flight leaves at seven in the evening.",
    "The weather is supposed to be warm next week.",
)
NEAR_MISSES = (
    "Okay, now let's book a table for two.",
    "Okay, I know, I know, we are late again.",
    "Okay, nothing more to say about that.",
    "Okay Anna, I'll call you back in an hour.",
    "Hey Jarvis is what my cousin calls his robot.",
)
"""Talk that sounds like a stock wake word, counted as its own source."""
HER = ("I'd love to hear more about your day.",
       "That sounds like a wonderful plan, and I think you should go for it.",
       "Here is a thought: start small, then build from there.",
       "Okay, I will remind you about that tomorrow morning.")
REQUESTS = ("what time is it?", "turn on the lamp.", "what should I cook tonight?",
            "tell me a joke.")
NEGATIVE_VOICES = ("en-us", "en-us+m3", "en-us+f2", "en-gb", "en-gb+m2", "en-us+f4", "en+m7")
WAKE_VOICES = ("en-us", "en-us+m3", "en-us+f2", "en-gb", "en-gb+m2", "en+m7")
DISTANCES = {"near": (0.0, 0.1), "mid": (-12.0, 0.3), "far": (-22.0, 0.6)}
"""Distance → (level in dB under the near voice, reverberation time in s)."""


def _level(samples: np.ndarray, db: float) -> np.ndarray:
    return samples.astype(np.float32) * 10 ** (db / 20)


def _reverb(samples: np.ndarray, rt60_s: float, seed: int) -> np.ndarray:
    return np.convolve(samples.astype(np.float32), room_impulse(rt60_s, seed))[:len(samples)]


def _pcm(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def music(seconds: float, seed: int) -> np.ndarray:
    """Music-like tones: notes of a scale with harmonics and an envelope, two voices."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * RATE), np.float32)
    scale = 220 * 2 ** (np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16]) / 12)
    pos = 0
    while pos < len(out):
        n = int(rng.choice([0.125, 0.25, 0.5]) * RATE)
        t = np.arange(n) / RATE
        env = np.minimum(1, t * 60) * np.exp(-3 * t)
        note = np.zeros(n, np.float32)
        for f in rng.choice(scale, 2):
            for h, g in ((1, 1.0), (2, 0.5), (3, 0.25), (4, 0.12)):
                note += g * np.sin(2 * np.pi * f * h * t).astype(np.float32)
        out[pos:pos + n] += (note * env)[:len(out) - pos] * 3000
        pos += n
    return out


class Sources:
    """The audio pools: espeak-ng talk, fixtures, her voice, tones (all 16 kHz int16)."""

    def __init__(self, voice: Voice | None, fixtures: Path | None) -> None:
        self.talk = [a.samples for v in NEGATIVE_VOICES for t in TALK
                     if (a := corpus.espeak(t, v)) is not None]
        self.near = [a.samples for v in NEGATIVE_VOICES for t in NEAR_MISSES
                     if (a := corpus.espeak(t, v)) is not None]
        self.fixtures = [read_wav(fixtures / n).samples for n in corpus.FIXTURES
                         if fixtures is not None and (fixtures / n).is_file()]
        self.her = [_to16k(voice.synthesize(t)) for t in HER] if voice is not None else []
        self.music = [_pcm(music(12.0, seed)) for seed in range(6)]


def _to16k(chunk: AudioChunk) -> np.ndarray:
    from samantha.audio.chunk import to_pipeline

    return to_pipeline(chunk.samples, chunk.rate).samples


HER_ROOM, HER_LEVEL_DB = 99, -6.0
"""The path from her speaker to the microphone (reverberation seed, level), as in ``misses``."""
FRAMES = 480
"""Segments are whole 30 ms blocks, as the echo canceller takes them."""


def negative_stream(src: Sources, seconds: float, seed: int = 7
                    ) -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
    """(source, samples, what her speaker played) segments, pauses of quiet room noise
    between, ``seconds`` in all. Only her own voice has a reference (the rest: None)."""
    rng = np.random.default_rng(seed)
    pools = {k: v for k, v in (("talk", src.talk), ("near misses", src.near),
                               ("fixtures", src.fixtures), ("her voice", src.her),
                               ("music", src.music)) if v}
    weights = {"talk": 0.45, "near misses": 0.1, "fixtures": 0.1, "her voice": 0.2,
               "music": 0.15}
    names = list(pools)
    p = np.array([weights[n] for n in names])
    fed = 0
    while fed < seconds * RATE:
        name = str(rng.choice(names, p=p / p.sum()))
        pool = pools[name]
        played = pool[int(rng.integers(len(pool)))]
        played = played[:len(played) // FRAMES * FRAMES]
        clip, db = played, float(rng.uniform(-22, 0))
        if name == "her voice":  # what reaches the microphone from her own speaker, which
            rng.integers(1000)   # stands where it stood: one room and level all hour
            clip, db = _pcm(_reverb(clip, 0.3, HER_ROOM)), HER_LEVEL_DB
        seg = _pcm(_level(clip, db) + rng.normal(0, 30, len(clip)))
        gap = _pcm(rng.normal(0, 30, int(rng.uniform(0.2, 1.5) * RATE) // FRAMES * FRAMES))
        fed += len(seg) + len(gap)
        yield name, seg, played if name == "her voice" else None
        yield "pause", gap, None


SWEEP = (0.5, 0.7, 0.85, 0.95)
"""Thresholds at which false wakes and misses are also counted (from the same scores)."""


def false_wakes(word: WakeWord, src: Sources, hours: float,
                aec_cfg: AecConfig | None = None) -> dict[str, Any]:
    """Fires of the detector over ``hours`` of audio without the word. Her own voice reaches
    it as in the loop: through the echo canceller (``aec_cfg``, when enabled), which knows what
    she played; a second detector hears her voice raw, for comparison."""
    from samantha.audio.aec import EchoCanceller

    by_source: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    swept = {t: [0, float("-inf")] for t in SWEEP}  # threshold: [fires, last fire at]
    aec = EchoCanceller(aec_cfg) if aec_cfg is not None and aec_cfg.enabled else None
    raw = WakeWord(word.source, word.threshold, word.refractory_s) if aec else None
    raw_fires, aside = 0, 0.0  # aside: CPU of the comparison and the canceller, not the word's
    word.trace = []
    cpu0 = time.process_time()
    for name, seg, played in negative_stream(src, hours * 3600):
        seconds[name] = seconds.get(name, 0.0) + len(seg) / RATE
        heard, start = seg, time.process_time()
        if raw is not None:  # the whole stream, so that its clock and refractory time agree
            fires = sum(raw.feed(b) is not None
                        for b in np.array_split(seg, max(1, len(seg) // 4800)))
            raw_fires += fires if name == "her voice" else 0
        if played is not None and aec is not None:
            heard = np.concatenate([aec.process(seg[i:i + FRAMES], played[i:i + FRAMES])[0]
                                    for i in range(0, len(seg), FRAMES)])
        aside += time.process_time() - start
        for block in np.array_split(heard, max(1, len(heard) // 4800)):  # ~0.3 s blocks
            if word.feed(block) is not None:
                by_source[name] += 1
        for at_s, prob in word.trace:
            for t, state in swept.items():
                if prob > t and at_s - state[1] >= word.refractory_s:
                    state[0], state[1] = state[0] + 1, at_s
        word.trace.clear()
    word.trace = None
    cpu = time.process_time() - cpu0 - aside
    if aec is not None and raw is not None:
        aec.close()
        raw.close()
    total_h = sum(seconds.values()) / 3600
    n = sum(by_source.values())
    her_h = seconds.get("her voice", 0.0) / 3600
    extra = {"her_voice_raw_per_hour": round(raw_fires / her_h, 2)} if raw and her_h else {}
    return {**extra, "hours": round(total_h, 3), "false_wakes": n,
            "false_wakes_per_hour": round(n / total_h, 2),
            "by_source": dict(by_source),
            "per_hour_by_source": {k: round(by_source[k] / (v / 3600), 2)
                                   for k, v in seconds.items() if k != "pause"},
            "false_wakes_per_hour_at": {f"{t:g}": round(n / total_h, 2)
                                        for t, (n, _) in swept.items()},
            "hours_by_source": {k: round(v / 3600, 3) for k, v in seconds.items()},
            "detector_rtf": round(cpu / max(sum(seconds.values()), 1e-9), 4)}


def _trial(word: WakeWord, person: np.ndarray, mic: np.ndarray | None = None,
           ref: np.ndarray | None = None, aec_cfg: Any = None) -> bool:
    """Did the word fire on this recording (1 s of quiet before, 1 s after)? ``word.best``
    holds its highest score afterwards."""
    word.reset()
    pad = np.zeros(RATE, np.float32)
    audio = np.concatenate([pad, person.astype(np.float32), pad])
    if mic is not None and ref is not None:
        from samantha.audio.aec import EchoCanceller

        n = len(audio) // 480 * 480
        echo = np.pad(mic, (0, max(0, n - len(mic))))[:n]
        mixed, ref16 = _pcm(audio[:n] + echo), np.pad(ref, (0, max(0, n - len(ref))))[:n]
        aec = EchoCanceller(aec_cfg)
        try:
            fired = False
            for s in range(0, n, 480):
                clean, _ = aec.process(mixed[s:s + 480], ref16[s:s + 480], listening=False)
                fired = word.feed(clean) is not None or fired
            return fired
        finally:
            aec.close()
    return any(word.feed(b) is not None for b in np.array_split(_pcm(audio), 20))


def misses(word: WakeWord, src: Sources, cfg: Config) -> dict[str, Any]:
    phrase = word.phrase
    said = {(v, r): corpus.espeak(f"{phrase}, {r}", v) for v in WAKE_VOICES for r in REQUESTS}
    rows: dict[str, list[bool]] = {}
    best: list[float] = []
    for i, audio in enumerate(said.values()):
        if audio is None:
            continue
        for where, (db, rt60) in DISTANCES.items():
            person = _level(_reverb(audio.samples, rt60, i), db)
            rows.setdefault(where, []).append(_trial(word, person))
            best.append(word.best)
        if src.her:  # over her own playback: 3 s of her alone first (the canceller converges)
            her = np.concatenate(src.her * 3)
            echo = _level(_reverb(her, 0.3, HER_ROOM), HER_LEVEL_DB)
            delayed = np.concatenate([np.zeros(480, np.float32), echo])[:len(her)]
            person = _level(_reverb(audio.samples, 0.3, i), -6.0)
            lead = np.zeros(3 * RATE, np.float32)
            rows.setdefault("over her voice", []).append(_trial(
                word, np.concatenate([lead, person]), delayed, _pcm(her), cfg.aec))
            best.append(word.best)
    missed = {k: sum(not hit for hit in v) for k, v in rows.items()}
    tried = {k: len(v) for k, v in rows.items()}
    total = sum(tried.values())
    return {"miss_rate": round(sum(missed.values()) / max(total, 1), 3),
            "misses": {k: f"{missed[k]}/{tried[k]}" for k in rows},
            "miss_rate_at": {f"{t:g}": round(sum(b <= t for b in best) / max(len(best), 1), 3)
                             for t in SWEEP},
            "voices": list(WAKE_VOICES), "trials": total}


def idle_cpu(cfg_file: str | None, seconds: float = 4.0) -> dict[str, float]:
    """% of one core while the real loop listens to a quiet room, per wake mode."""
    from samantha.audio.playback import Playback
    from samantha.companion.conversation import Conversation
    from samantha.config import MemoryConfig
    from samantha.inference.engines import Engines
    from samantha.pipeline.loop import TurnLoop
    from samantha.testing.fakes import ScriptedLanguageModel, ScriptedTranscriber, ToneVoice
    from samantha.testing.room import Room

    out = {}
    noise = AudioChunk(_pcm(np.random.default_rng(1).normal(0, 30, int(seconds * RATE))))
    for mode in ("phrase", "model"):
        cfg = load(cfg_file, overrides={"wake": {"mode": mode}})
        engines = Engines(ScriptedTranscriber([]), ScriptedLanguageModel(), ToneVoice())
        playback = Playback(22050)
        loop = TurnLoop(engines, Conversation(cfg.persona, memory_cfg=MemoryConfig(
            enabled=False)), cfg, playback)
        room = Room(playback, noise, person_at_s=0.0, duration_s=seconds)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        asyncio.run(loop.serve(room))
        out[mode] = round(100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0), 1)
    return out


def measure(cfg_file: str | None, hours: float, fixtures: Path | None,
            say: Callable[[str], None]) -> dict[str, Any]:
    from samantha.inference.engines import build_voice

    cfg = load(cfg_file, overrides={"wake": {"mode": "model"}})
    voice = build_voice(cfg)
    say("wake: synthesising the corpus")
    src = Sources(voice, fixtures)
    voice.close()
    word = WakeWord(cfg.wake.model, cfg.wake.threshold, cfg.wake.refractory_s)
    try:
        say(f"wake: {hours} h of audio without the word")
        report: dict[str, Any] = {"model": word.name, "phrase": word.phrase,
                                  "threshold": word.threshold}
        report.update(false_wakes(word, src, hours, cfg.aec))
        say("wake: the word at three distances and over her voice")
        report.update(misses(word, src, cfg))
    finally:
        word.close()
    say("wake: idle CPU per mode")
    report["idle_cpu_pct"] = idle_cpu(cfg_file)
    return report
