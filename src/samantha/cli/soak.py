"""``samantha soak``: the real turn loop on the real engines for N minutes of mixed sound
(``bench/soak.py``): turns answered, false replies, errors, crashes and memory."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha import config
from samantha.bench import corpus, soak
from samantha.bench.machine import machine
from samantha.cli.progress import say_progress
from samantha.companion.conversation import from_config
from samantha.errors import ConfigError
from samantha.inference.engines import load_engines

if TYPE_CHECKING:
    from samantha.cli import Subparsers


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "soak", help="the turn loop for N minutes of speech, silence, noise and her own echo",
        description="Real engines in the simulated room, faster than real time while nobody "
                    "talks. Her memory goes to a fresh temporary state directory unless "
                    "--state-dir is given.")
    p.add_argument("--minutes", type=float, default=60.0,
                   help="minutes of simulated sound (default 60)")
    p.add_argument("--seed", type=int, default=11, help="the schedule's seed (default 11)")
    p.add_argument("--state-dir", help="where her memory goes (default: a temporary one)")
    p.add_argument("--json", metavar="PATH", help="write the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no line per segment")
    p.set_defaults(func=run)
    return p



def summary(report: dict[str, Any]) -> str:
    r = report
    return "\n".join([
        f"soak: {r['minutes_simulated']} min simulated in {r['wall_minutes']} min wall",
        f"  questions {r['questions']}, answered {r['answered']}; turns {r['turns']}",
        f"  false replies {r['false_replies']} {r['false_replies_by_kind'] or ''}",
        f"  barge-ins {r['barge_ins']}, errors {r['errors']}, crashed: {r['crashed'] or 'no'}",
        f"  RSS start {r['rss_start_mb']:.0f} MB, end {r['rss_end_mb']:.0f} MB, "
        f"peak {r['rss_peak_mb']:.0f} MB",
    ])


def run(args: argparse.Namespace) -> int:
    if args.minutes <= 0:
        raise ConfigError("soak-minutes", f"--minutes {args.minutes} is not positive",
                          "give the minutes of sound to simulate, e.g. --minutes 60")
    overrides = dict(args.overrides)
    with tempfile.TemporaryDirectory(prefix="samantha-soak-") as tmp:
        overrides["state_dir"] = args.state_dir or tmp
        cfg = config.load(args.config, overrides=overrides)
        progress = say_progress
        engines = load_engines(cfg, progress)
        try:
            if cfg.engine.warm_up:
                progress("warming up")
                brain = from_config(cfg, persist=False)
                engines.warm_up(brain.base_messages())
                brain.warm_up(engines.llm)
                brain.close()
            progress(f"soaking for {args.minutes:g} simulated minutes (board "
                     f"{cfg.board or 'none'})")
            report = asyncio.run(soak.run(
                engines, cfg, args.minutes, args.seed, corpus.fixtures_dir(),
                (lambda _m: None) if args.quiet else
                (lambda m: print(m, file=sys.stderr, flush=True))))
        finally:
            engines.close()
    report = {"machine": machine(), "board": cfg.board, "minutes_asked": args.minutes,
              "seed": args.seed, **report}
    print(summary(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if not report["crashed"] else 1
