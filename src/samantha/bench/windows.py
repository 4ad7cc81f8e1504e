"""Which of whisper's short windows loop: each window on the openings of real recordings.

    python -m samantha.bench.windows [--config ko.toml] [--windows 320,640,1500] [--cuts 2,3,4,5]

Her ears (``[asr]``, as her persona's language gives them) decode the first 2, 3, 4 and 5 s of
each of the language's timed recordings (``lang/<code>/bench.toml``, ``tests/fixtures``: the
Korean ones) in every window named, one call each, exactly as a turn would make it (its
parameters, its token bound). For each window: the calls, how many looped (whisper wrote a
phrase again and again into the window's padding), their mean time, and how many heard the
same words as the biggest window. A loop costs a turn a second decode in the full window
(``inference/asr.py``), so a short window pays only if it rarely loops.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from samantha import config
from samantha.audio.chunk import AudioChunk
from samantha.bench import corpus
from samantha.inference import asr
from samantha.models import store as modelstore


@dataclass
class Window:
    """What one window did over every cut."""

    size: int
    calls: int = 0
    looped: int = 0
    seconds: float = 0.0
    agreed: int = 0
    """Calls that heard the same words as the biggest window (``asr._same_words``)."""

    def row(self) -> str:
        mean = self.seconds / max(self.calls, 1)
        return (f"| {self.size} | {self.calls} | {self.looped} | {mean:.2f} s | "
                f"{self.agreed} |")


def measure(ears: asr.WhisperTranscriber, clips: Sequence[AudioChunk], sizes: Sequence[int],
            cuts: Sequence[float]) -> list[Window]:
    """Every clip's first ``cuts`` seconds, decoded once in each window of ``sizes``."""
    windows = [Window(size) for size in sizes]
    for clip in clips:
        samples = clip.samples.astype(np.float32).reshape(-1) / 32768.0
        for cut in cuts:
            if len(samples) < cut * clip.rate:
                continue
            audio = samples[: int(cut * clip.rate)]
            heard = []
            for window in windows:
                start = time.perf_counter()
                text, sure = ears.decode_in(audio, window.size)
                window.seconds += time.perf_counter() - start
                window.calls += 1
                window.looped += sure.looped
                heard.append(text)
            for window, text in zip(windows, heard, strict=True):
                window.agreed += asr._same_words(text, heard[-1])
    return windows


def table(windows: Sequence[Window]) -> str:
    return "\n".join(["| window (positions) | calls | looped | mean time | same words as "
                      f"{windows[-1].size} |", "|---|---|---|---|---|",
                      *(w.row() for w in windows)]) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m samantha.bench.windows", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="her config (its [persona] language picks the ears)")
    p.add_argument("--windows", default="320,640,1500",
                   help="window sizes, smallest first; the last is what the others are "
                        "compared with (default 320,640,1500)")
    p.add_argument("--cuts", default="2,3,4,5", help="seconds from each recording's start")
    args = p.parse_args(argv)
    cfg = config.load(args.config)
    sizes = [int(n) for n in args.windows.split(",")]
    cuts = [float(s) for s in args.cuts.split(",")]
    clips = [u.audio for u in corpus.build(cfg.persona.code, corpus.fixtures_dir())]
    ears = asr.WhisperTranscriber(modelstore.path_for(cfg.asr.model, cfg.models_path),
                                  cfg.asr.threads, cfg.asr.language,
                                  windows=tuple(s for s in sizes if s != asr.FULL_CTX))
    try:
        print(f"{cfg.asr.model} ({cfg.asr.language}), {len(clips)} recordings cut to "
              f"{args.cuts} s:\n")
        print(table(measure(ears, clips, sizes, cuts)), end="")
    finally:
        ears.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
