"""``samantha eval``: the companion scorecard on the real model (``bench/scorecard.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from samantha import config, lang
from samantha.bench import scorecard
from samantha.cli.progress import say_progress
from samantha.inference.engines import build_llm

if TYPE_CHECKING:
    from samantha.cli import Subparsers


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "eval", help="the companion scorecard: honesty, character, empathy, memory, secretary",
        description="Scripted conversations on the real model, each in a fresh state "
                    "directory; prints every reply and the table.")
    p.add_argument("--llm", help="language model (manifest name)")
    p.add_argument("--category", action="append", choices=scorecard.CATEGORIES[:-1],
                   help="only this category (repeatable)")
    p.add_argument("--probes", type=Path, help="a probes file (default: the bundled one)")
    p.add_argument("--language", choices=("en", "ko"),
                   help="the bundled probes of this language (default: the persona's)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write every reply and the table")
    p.add_argument("--quiet", action="store_true", help="only the table")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.config, overrides=args.overrides)
    language = args.language or lang.resolve(cfg.persona).code
    probes = scorecard.load(args.probes, language)
    if args.category:
        probes = [p for p in probes if p.category in args.category]
    say_progress(f"loading {cfg.llm.model}; {len(probes)} probes")
    llm = build_llm(cfg)

    def progress(i: int, n: int, outcome: scorecard.Outcome) -> None:
        p = outcome.probe
        print(f"[{i}/{n}] {'PASS' if outcome.passed else 'FAIL'} {p.category}: {p.name}",
              file=sys.stderr, flush=True)
        if not args.quiet:
            for said, reply in outcome.replies:
                print(f"    you: {said}\n    she: {reply}", file=sys.stderr)
            for failure in outcome.failures:
                print(f"    ! {failure}", file=sys.stderr)

    try:
        outcomes = scorecard.run(cfg, llm, probes, progress)
    finally:
        llm.close()
    scores = scorecard.score(outcomes)
    print(f"Scorecard: {cfg.llm.model}, {len(probes)} probes")
    print(scorecard.table(scores))
    if args.json:
        args.json.write_text(json.dumps({
            "model": cfg.llm.model,
            "scores": {c: {"passed": ok, "total": n} for c, (ok, n) in scores.items()},
            "probes": [{"category": o.probe.category, "name": o.probe.name,
                        "passed": o.passed, "failures": o.failures, "facts": o.facts,
                        "replies": [{"you": s, "she": r} for s, r in o.replies]}
                       for o in outcomes]}, ensure_ascii=False, indent=1))
    return 0
