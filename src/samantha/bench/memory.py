"""Memory that holds, measured: multi-turn probes on the real model (``data/eval/memory_*.toml``).

Each probe runs in a fresh state directory; a new session is a new brain on the same directory
(a restart). Checks are what a person would notice: the last reply (``any`` / ``none``), the
facts she keeps (``facts_any`` / ``facts_none``) and, for forgetting, every trace in what she
keeps of the talk (``history_none``: the stored turns and summaries and her history in RAM).
A hash of the probe's words splits dev (tuned on) from held-out (never read while tuning):
sha256 of the utterances joined by newlines, first byte even: dev.

    python -m samantha.bench.memory --language ko --split heldout
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from samantha import config, lang
from samantha.bench.scorecard import converse
from samantha.config import Config
from samantha.inference.protocols import LanguageModel


@dataclass
class Probe:
    kind: str
    name: str
    sessions: list[list[str]]
    any: list[str] = field(default_factory=list)
    none: list[str] = field(default_factory=list)
    facts_any: list[str] = field(default_factory=list)
    facts_none: list[str] = field(default_factory=list)
    history_none: list[str] = field(default_factory=list)

    @property
    def split(self) -> str:
        said = "\n".join(t for s in self.sessions for t in s)
        return "dev" if hashlib.sha256(said.encode()).digest()[0] % 2 == 0 else "heldout"


@dataclass
class Outcome:
    probe: Probe
    replies: list[tuple[str, str]]
    facts: list[str]
    kept: list[str]
    """Everything she keeps of the talk at the end: stored turns, summaries, history in RAM."""
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def load(language: str) -> list[Probe]:
    path = resources.files("samantha").joinpath("data", "eval", f"memory_{language}.toml")
    return [Probe(**p) for p in tomllib.loads(path.read_text(encoding="utf-8"))["probe"]]


def _hit(patterns: list[str], text: str) -> str | None:
    return next((p for p in patterns if re.search(p, text, re.IGNORECASE)), None)


def check(probe: Probe, replies: list[tuple[str, str]], facts: list[str],
          kept: list[str]) -> list[str]:
    """What a person would notice was wrong (empty: the probe passed)."""
    failures = []
    last = replies[-1][1] if replies else ""
    if probe.any and not _hit(probe.any, last):
        failures.append(f"last reply has none of {probe.any}")
    if (hit := _hit(probe.none, last)) is not None:
        failures.append(f"last reply matches {hit!r}")
    known = " ".join(facts)
    if probe.facts_any and not _hit(probe.facts_any, known):
        failures.append(f"no stored fact matches {probe.facts_any}: {facts}")
    if (hit := _hit(probe.facts_none, known)) is not None:
        failures.append(f"a stored fact matches {hit!r}: {facts}")
    if (hit := _hit(probe.history_none, "\n".join(kept))) is not None:
        failures.append(f"what she keeps of the talk still says {hit!r}")
    return failures


async def run_probe(probe: Probe, cfg: Config, llm: LanguageModel) -> Outcome:
    said = await converse(probe.sessions, cfg, llm)
    return Outcome(probe, said.replies, said.facts, said.kept,
                   check(probe, said.replies, said.facts, said.kept))


def run(cfg: Config, llm: LanguageModel, probes: list[Probe],
        progress: Any = None) -> list[Outcome]:
    async def every() -> list[Outcome]:
        out = []
        for probe in probes:
            outcome = await run_probe(probe, cfg, llm)
            if progress is not None:
                progress(outcome)
            out.append(outcome)
        return out
    return asyncio.run(every())


def config_for(language: str, cfg: Config | None = None) -> Config:
    """This board's configuration (its model: the 1.5B on x86), in ``language``."""
    cfg = cfg or config.load()
    return replace(cfg, persona=replace(cfg.persona, language=lang.get(language).code))


def _print(outcome: Outcome) -> None:
    p = outcome.probe
    mark = "pass" if outcome.passed else "FAIL"
    print(f"[{p.split}] {mark} {p.kind}: {p.name}", flush=True)
    for said, reply in outcome.replies:
        print(f"    > {said}\n    < {reply}", flush=True)
    for why in outcome.failures:
        print(f"    ! {why}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=("en", "ko"), default="en")
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--only", default="", help="probes whose name contains this")
    parser.add_argument("--json", help="write every reply here")
    args = parser.parse_args(argv)
    from samantha.inference.engines import build_llm

    cfg = config_for(args.language)
    probes = [p for p in load(args.language) if args.split in ("all", p.split)
              and args.only in p.name]
    llm = build_llm(cfg)
    print(f"model: {cfg.llm.model}", flush=True)
    outcomes = run(cfg, llm, probes, _print)
    for split in ("dev", "heldout"):
        these = [o for o in outcomes if o.probe.split == split]
        if these:
            print(f"{args.language} {split}: {sum(o.passed for o in these)}/{len(these)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([{"name": o.probe.name, "split": o.probe.split, "passed": o.passed,
                        "replies": o.replies, "facts": o.facts, "failures": o.failures}
                       for o in outcomes], out, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

