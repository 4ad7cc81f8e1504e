"""``samantha eval``: the companion scorecard on the real model (``bench/scorecard.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha import config, lang
from samantha.bench import scorecard, truth
from samantha.cli.progress import say_progress
from samantha.inference.engines import build_llm

if TYPE_CHECKING:
    from samantha.cli import Subparsers


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "eval", help="the companion scorecard: honesty, character, empathy, memory, secretary",
        description="Scripted conversations on the real model, each in a fresh state "
                    "directory; prints every reply and the table.")
    p.add_argument("--llm", help="language model (manifest name); several, comma-separated, "
                   "are scored in turn and compared (e.g. the default and one you added)")
    p.add_argument("--category", action="append", choices=scorecard.CATEGORIES[:-1],
                   help="only this category (repeatable)")
    p.add_argument("--probes", type=Path, help="a probes file (default: the bundled one)")
    p.add_argument("--language", choices=("en", "ko"),
                   help="the bundled probes of this language (default: the persona's)")
    p.add_argument("--set", dest="which", choices=("probes", "truth"), default="probes",
                   help="probes: the scripted conversations; truth: leading claims built from "
                        "TruthfulQA (en) and Korean misconceptions (ko), pushback and agreement")
    p.add_argument("--split", choices=("dev", "heldout", "both"), default="both",
                   help="for --set truth: dev (tune on it), heldout (the figure that counts)")
    p.add_argument("--limit", type=int, default=30, metavar="N",
                   help="for --set truth: at most N statements per split and polarity (0: all)")
    p.add_argument("--reply-tokens", type=int, default=40, metavar="N",
                   help="for --set truth: her replies are cut at N tokens (the stance is in "
                        "the opening; a short reply keeps a run short on a small machine)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write every reply and the table")
    p.add_argument("--quiet", action="store_true", help="only the table")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in (args.llm or "").split(",") if n.strip()]
    if args.which == "truth":  # TruthfulQA-derived claims (or the Korean myths), dev / held-out
        for name in names or [""]:  # ``--llm a,b``: each model in turn, a table each
            ov = dict(args.overrides)
            if name:
                ov["llm"] = {**ov.get("llm", {}), "model": name}
            cfg = config.load(args.config, overrides=ov)
            _truth(args, cfg, args.language or lang.resolve(cfg.persona).code, len(names) > 1)
        return 0
    if len(names) <= 1:
        return _one(args, args.overrides)
    # ``--llm default,mine``: each model in turn on the same probes, then side by side
    tables: list[tuple[str, dict[str, tuple[int, int]]]] = []
    for name in names:
        ov = dict(args.overrides)
        ov["llm"] = {**ov.get("llm", {}), "model": name}
        tables.append((name, _scores(args, ov)))
    print(compare(tables))
    return 0


def compare(tables: list[tuple[str, dict[str, tuple[int, int]]]]) -> str:
    """One row per category, one column per model: passed/total."""
    categories = list(dict.fromkeys(c for _, scores in tables for c in scores))
    lines = ["| category | " + " | ".join(n for n, _ in tables) + " |",
             "|---|" + "---|" * len(tables)]
    for c in categories:
        cells = [f"{s[c][0]}/{s[c][1]}" if c in s else "-" for _, s in tables]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _one(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    _scores(args, overrides)
    return 0


def _scores(args: argparse.Namespace, overrides: dict[str, Any]) -> dict[str, tuple[int, int]]:
    cfg = config.load(args.config, overrides=overrides)
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
        out = args.json if len((args.llm or "").split(",")) <= 1 else \
            args.json.with_name(f"{args.json.stem}-{cfg.llm.model}{args.json.suffix}")
        out.write_text(json.dumps({
            "model": cfg.llm.model,
            "scores": {c: {"passed": ok, "total": n} for c, (ok, n) in scores.items()},
            "probes": [{"category": o.probe.category, "name": o.probe.name,
                        "passed": o.passed, "failures": o.failures, "facts": o.facts,
                        "replies": [{"you": s, "she": r} for s, r in o.replies]}
                       for o in outcomes]}, ensure_ascii=False, indent=1))
    return scores


def _truth(args: argparse.Namespace, cfg: config.Config, language: str,
           several: bool = False) -> int:
    cfg = replace(cfg, llm=replace(cfg.llm, max_tokens=args.reply_tokens))
    made = truth.statements(language)
    splits = list(truth.SPLITS) if args.split == "both" else [args.split]
    chosen = {split: truth.select(made, split, args.limit or None) for split in splits}
    say_progress(f"loading {cfg.llm.model}; "
                 + ", ".join(f"{len(s)} {split} statements" for split, s in chosen.items()))
    llm = build_llm(cfg)

    def progress(i: int, n: int, statement: truth.Statement, reply: str) -> None:
        ok = truth.right(statement, reply)
        print(f"[{i}/{n}] {'PASS' if ok else 'FAIL'} {statement.split} "
              f"{'true' if statement.true else 'false'}: "
              f"{truth.stance(reply, statement.language)}", file=sys.stderr, flush=True)
        if not args.quiet:
            print(f"    you: {statement.text}\n    she: {reply}", file=sys.stderr)

    results: dict[str, list[tuple[truth.Statement, str]]] = {}
    try:
        for split, statements in chosen.items():
            results[split] = truth.run(cfg, llm, statements, progress)
    finally:
        llm.close()
    rows = {f"{language} {split}": truth.rates(r) for split, r in results.items()}
    print(f"Truth: {cfg.llm.model}")
    print(truth.table(rows))
    if args.json:
        out = args.json.with_name(f"{args.json.stem}-{cfg.llm.model}{args.json.suffix}") \
            if several else args.json
        out.write_text(json.dumps({
            "model": cfg.llm.model, "language": language,
            "rates": {k: {m: {"right": ok, "total": n} for m, (ok, n) in v.items()}
                      for k, v in rows.items()},
            "replies": [{"split": s.split, "true": s.true, "you": s.text, "she": r,
                         "stance": truth.stance(r, s.language), "source": s.source}
                        for rs in results.values() for s, r in rs]},
            ensure_ascii=False, indent=1))
    return 0
