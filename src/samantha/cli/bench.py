"""``samantha bench``: run the corpus through the streaming engine and the naive cascade."""

from __future__ import annotations

import argparse
import json
import sys
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha import config, lang
from samantha.bench import corpus
from samantha.bench.machine import machine, thermal
from samantha.bench.stats import markdown, speedup, stage_table, summary
from samantha.companion.conversation import from_config
from samantha.errors import ConfigError
from samantha.models import store as modelstore

if TYPE_CHECKING:
    from samantha.bench.runner import Trial
    from samantha.cli import Subparsers

TECHNIQUES = ("speculative", "first_clause", "prefix_cache", "sized_ctx", "aec",
              "wait_unfinished", "keep_heard")
OPTIONAL = ("smart_turn",)
"""Techniques off by default, measured switched on with ``--with``."""


def register(sub: Subparsers) -> None:
    p = sub.add_parser("bench", help="latency on this board, beside a naive cascade")
    p.add_argument("--turns", type=int, default=6, help="spoken turns per mode (default 6)")
    p.add_argument("--barge-ins", type=int, default=2, help="interrupted turns (default 2)")
    p.add_argument("--json", metavar="PATH", help="write the report as JSON")
    p.add_argument("--png", metavar="PATH", help="write the median turn's waterfall")
    p.add_argument("--md", metavar="PATH", help="write the Markdown table")
    p.add_argument("--asr", help="comma-separated ASR models to sweep")
    p.add_argument("--llm", help="comma-separated language models to sweep")
    p.add_argument("--threads", help="comma-separated thread counts to sweep (ASR and LLM)")
    p.add_argument("--tts-threads", help="comma-separated thread counts to sweep for the voice")
    p.add_argument("--without", default="", help=f"techniques to also measure switched off, "
                   f"one run each: {','.join(TECHNIQUES)}")
    p.add_argument("--with", dest="with_", default="", help=f"techniques off by default to "
                   f"also measure switched on, one run each: {','.join(OPTIONAL)}")
    p.add_argument("--endpoint", action="store_true",
                   help="also measure end of turn on sentences with pauses: cut-off rate and "
                   "endpoint delay: fixed hang-over, the words so far, Smart Turn")
    p.add_argument("--wake", action="store_true",
                   help="also measure the wake word: false wakes per hour, misses, idle CPU")
    p.add_argument("--wake-hours", type=float, default=1.0,
                   help="hours of audio without the wake word (default 1)")
    p.add_argument("--compare", nargs=2, metavar=("A.json", "B.json"),
                   help="set two boards' reports side by side")
    p.add_argument("--conversation", type=int, metavar="N", default=0,
                   help="also a typed conversation of N turns, with the history read into the "
                   "model's cache between turns and without: prompt tokens and first token")
    p.add_argument("--hearing", action="store_true",
                   help="only the hearing set: how often she asks again on misheard and on "
                   "clean questions, English and Korean, dev and held-out")
    p.add_argument("--rooms", metavar="N,N,...",
                   help="rooms talking at once through samantha serve, e.g. 1,2,4,8")
    p.set_defaults(func=run)



def _variants(args: argparse.Namespace) -> list[tuple[str, dict[str, Any]]]:
    """(label, config overrides) for every configuration to measure; the first is the main."""
    def split(text: str | None) -> list[str | None]:
        return [t.strip() for t in text.split(",")] if text else [None]

    out = []
    sweep = product(split(args.asr), split(args.llm), split(args.threads),
                    split(args.tts_threads))
    for asr, llm, threads, tts_threads in sweep:
        ov: dict[str, Any] = {"wake": {"mode": "always"}}
        label = []
        if asr:
            ov["asr"] = {"model": asr}
            label.append(asr)
        if llm:
            ov["llm"] = {"model": llm}
            label.append(llm)
        if threads:
            ov.setdefault("asr", {})["threads"] = int(threads)
            ov.setdefault("llm", {})["threads"] = int(threads)
            label.append(f"{threads} threads")
        if tts_threads:
            ov["tts"] = {"threads": int(tts_threads)}
            label.append(f"voice {tts_threads} threads")
        out.append((", ".join(label) or "defaults", ov))
    for tech in filter(None, (t.strip() for t in args.without.split(","))):
        if tech not in TECHNIQUES:
            raise ConfigError("bench-without", f"unknown technique {tech!r}",
                              f"use some of: {', '.join(TECHNIQUES)}")
        ov = json.loads(json.dumps(out[0][1]))
        section = {"sized_ctx": "asr", "aec": "aec", "wait_unfinished": "vad"}.get(tech,
                                                                                "engine")
        key = "enabled" if tech == "aec" else tech
        ov.setdefault(section, {})[key] = False
        out.append((f"{out[0][0]} without {tech}", ov))
    for tech in filter(None, (t.strip() for t in args.with_.split(","))):
        if tech not in OPTIONAL:
            raise ConfigError("bench-with", f"unknown technique {tech!r}",
                              f"use some of: {', '.join(OPTIONAL)}")
        ov = json.loads(json.dumps(out[0][1]))
        ov.setdefault("vad", {})["turn_model"] = modelstore.default("turn").name
        out.append((f"{out[0][0]} with {tech}", ov))
    return out


def measure(label: str, overrides: dict[str, Any], args: argparse.Namespace,
            items: list[corpus.Utterance]) -> dict[str, Any]:
    from samantha.bench.runner import Runner, knowing, peak_rss_mb
    from samantha.inference.engines import load_engines

    cfg = config.load(args.config, overrides=overrides)
    engines = load_engines(cfg, progress=lambda m: print(f"[{label}] {m}", file=sys.stderr))
    try:
        if cfg.engine.warm_up:
            engines.warm_up(from_config(cfg, persist=False).base_messages())
        model_bytes = modelstore.path_for(cfg.llm.model, cfg.models_path).stat().st_size
        runner = Runner(engines, cfg, model_bytes, voices=knowing(items[:args.turns]))
        for i in range(args.turns):
            item = items[i % len(items)]
            for mode in (("stream", "naive") if i % 2 == 0 else ("naive", "stream")):
                trial = runner.run_turn(mode, item)
                took = trial.figures.voice_to_voice_s if trial.figures else None
                print(f"[{label}] turn {i + 1}/{args.turns} {mode:6} {item.name[:32]!r}: "
                      f"voice-to-voice {took if took is None else round(took, 3)} s",
                      file=sys.stderr)
        pair = corpus.barge_in_utterances()
        barge = []
        for _ in range(args.barge_ins if pair is not None else 0):
            assert pair is not None
            trial = runner.run_turn("stream", pair[0], pair[1])
            barge.append(trial.barge_in_s)
        idle = runner.idle_cpu_pct()
        if runner.aec is not None:
            runner.aec.close()
        stream = [t for t in runner.trials["stream"][:args.turns]]
        naive = runner.trials["naive"]
        figs = [t.figures for t in stream if t.figures]
        nfigs = [t.figures for t in naive if t.figures]
        stages = stage_table(figs)
        stages["barge_in_s"] = summary(barge)
        v2v, nv2v = stages.pop("voice_to_voice_s"), stage_table(nfigs)["voice_to_voice_s"]
        turn_cpu = sum(t.cpu_s for t in stream) / max(sum(t.wall_s for t in stream), 1e-9)
        median = _median_marks(stream)
        return {
            "label": label,
            "models": {"asr": cfg.asr.model, "llm": cfg.llm.model, "tts": cfg.tts.voice,
                       "llm_bytes": model_bytes},
            "config": {"asr_threads": cfg.asr.threads, "llm_threads": cfg.llm.threads,
                       **{k: getattr(cfg.engine, k) for k in
                          ("speculative", "first_clause", "prefix_cache", "warm_up")},
                       "sized_ctx": cfg.asr.sized_ctx, "aec": cfg.aec.enabled,
                       "smart_turn": bool(cfg.vad.turn_model),
                       "wait_unfinished": cfg.vad.wait_unfinished},
            "turns": len(figs),
            "answered": sum(t.answered for t in stream if t.figures),
            "voice_to_voice_s": v2v, "naive_voice_to_voice_s": nv2v,
            "speedup_vs_naive": speedup(v2v, nv2v),
            "stages": stages, "naive_stages": stage_table(nfigs),
            "resources": {"peak_rss_mb": peak_rss_mb(), "cpu_idle_pct": idle,
                          "cpu_turn_pct": round(100 * turn_cpu, 1), "thermal": thermal()},
            "transcripts": [t.transcript for t in stream],
            "each_turn": [{"name": items[i % len(items)].name, "answered": t.answered,
                           **({k: getattr(t.figures, k) for k in
                               ("voice_to_voice_s", "asr_s", "prefill_s")} if t.figures else {})}
                          for i, t in enumerate(stream)],
            "heard_error": heard_error(stream, [items[i % len(items)].name
                                                for i in range(len(stream))],
                                      lang.resolve(cfg.persona).code),
            "median_turn": median,
            "median_naive_turn": _median_marks(naive),
        }
    finally:
        engines.close()


def heard_error(trials: list[Trial], names: list[str], code: str) -> dict[str, Any] | None:
    """How far the timed turns' transcripts are from what was said, where the corpus knows it
    (the recordings of ``[hearing.fixtures]``): the loop's own ears, not a clip heard alone."""
    from samantha.bench import hearing

    known = hearing.fixtures([code])
    rows = [(hearing.split_of(known[name][1]),
             hearing.error_rate(known[name][1], t.transcript, known[name][0]))
            for t, name in zip(trials, names, strict=False) if name in known and t.figures]
    if not rows:
        return None
    errors = [e for _, e in rows]
    out: dict[str, Any] = {"unit": "characters" if hearing.counts_characters(code) else "words",
                           "turns": len(errors), "mean": round(sum(errors) / len(errors), 3),
                           "median": round(sorted(errors)[len(errors) // 2], 3)}
    for split in ("dev", "held-out"):
        part = [e for s, e in rows if s == split]
        if part:
            out[split] = round(sum(part) / len(part), 3)
    return out


def _median_marks(trials: list[Trial]) -> dict[str, tuple[float, float]]:
    timed = sorted((t.figures.voice_to_voice_s, i) for i, t in enumerate(trials)
                   if t.figures and t.figures.voice_to_voice_s is not None)
    return trials[timed[len(timed) // 2][1]].marks if timed else {}


def run(args: argparse.Namespace) -> int:
    if args.compare:
        from samantha.bench.stats import compare

        a, b = (json.loads(Path(p).read_text()) for p in args.compare)
        print(compare(a, b), end="")
        return 0
    if args.rooms:
        return rooms(args)
    if args.hearing:
        return hearing(args)
    items = corpus.build(lang.resolve(config.load(args.config, overrides=args.overrides).persona)
                         .code, corpus.fixtures_dir())
    if not items:
        raise ConfigError("bench-corpus", "no speech to benchmark with: espeak-ng was not found",
                          "install espeak-ng (make setup does)")
    runs = [measure(label, ov, args, items) for label, ov in _variants(args)]
    report: dict[str, Any] = {"machine": machine(), **runs[0],
              "sweep": [{k: r[k] for k in ("label", "models", "config", "voice_to_voice_s",
                                           "naive_voice_to_voice_s", "speedup_vs_naive",
                                           "stages", "answered", "heard_error")}
                        for r in runs[1:]]}
    if args.endpoint:
        from samantha.bench import endpoint

        report["end_of_turn"] = endpoint.measure(args.config,
                                                 lambda m: print(m, file=sys.stderr),
                                                 corpus.fixtures_dir())
    if args.conversation:
        report["conversation"] = conversation(args)
    if args.wake:
        from samantha.bench import wake

        report["wake"] = wake.measure(args.config, args.wake_hours, corpus.fixtures_dir(),
                                      lambda m: print(m, file=sys.stderr))
    table = markdown(report)
    if "conversation" in report:
        from samantha.bench.conversation import markdown as conversation_table

        table += conversation_table(report["conversation"])
    print(table, end="")
    if args.md:
        Path(args.md).write_text(table, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.png and report["median_turn"]:
        from samantha.bench.chart import waterfall

        waterfall(report["median_turn"], report["median_naive_turn"], Path(args.png),
                  f"median turn on {report['machine']['board']}", report)
    return 0


def conversation(args: argparse.Namespace) -> dict[str, Any]:
    """``--conversation N``: the language model alone, in one typed conversation, primed or not."""
    from samantha.bench import conversation as talk
    from samantha.inference.engines import build_llm

    if not 2 <= args.conversation <= 100:
        raise ConfigError("bench-conversation", "--conversation takes 2 to 100 turns",
                          "--conversation 12")
    cfg = config.load(args.config, overrides=args.overrides)
    llm = build_llm(cfg)
    try:
        return talk.measure(llm, cfg, args.conversation, lambda m: print(m, file=sys.stderr))
    finally:
        llm.close()


def hearing_models(cfg: config.Config) -> dict[str, str]:
    """Each language's ears: the configured model for the languages it hears (an English-only
    model hears English; a multilingual one, every language that needs one), and for the others
    the model that language gets by default (``data/languages.toml``)."""
    known = config.languages()
    multilingual = not cfg.asr.model.endswith(".en")
    out = {}
    for pack in lang.packs():
        needs = bool(known.get(pack.code, {}).get("multilingual", False))
        out[pack.code] = cfg.asr.model if needs == multilingual else (
            config.MULTILINGUAL_ASR if needs else "whisper-tiny.en")
    return out


def ears_windows(cfg: config.Config, name: str) -> tuple[int, ...]:
    """The short windows model ``name`` runs with when she hears with it: as configured for
    her own ears, else as her config gives that kind of model (English-only or multilingual)."""
    if name == cfg.asr.model:
        return cfg.asr.windows
    if name.endswith(".en"):
        return config.AsrConfig().windows
    return cfg.asr.multilingual_windows or cfg.asr.windows


def hearing(args: argparse.Namespace) -> int:
    """``--hearing``: the real ears on misheard and clean questions (``bench.hearing``)."""
    from samantha.bench import hearing as ears_set
    from samantha.inference.asr import WhisperTranscriber

    cfg = config.load(args.config, overrides=args.overrides)
    names = hearing_models(cfg)
    ears = {}
    try:
        for language, name in names.items():
            print(f"[hearing] loading {name} for {language}", file=sys.stderr)
            ears[language] = WhisperTranscriber(modelstore.path_for(name, cfg.models_path),
                                                cfg.asr.threads, language, cfg.asr.sized_ctx,
                                                ears_windows(cfg, name))
        rows = ears_set.measure(ears, corpus.fixtures_dir() or ears_set.default_fixtures(),
                                lambda m: print(m, file=sys.stderr, flush=True))
    finally:
        for transcriber in ears.values():
            transcriber.close()
    summary, recorded = ears_set.summary(rows), ears_set.recordings(rows)
    table = ears_set.markdown(summary, recorded)
    print(table, end="")
    if args.md:
        Path(args.md).write_text(table, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "hearing": summary,
                                               "recordings": recorded, "rows": rows},
                                              indent=2, ensure_ascii=False),
                                   encoding="utf-8")
    return 0


def rooms(args: argparse.Namespace) -> int:
    """``--rooms``: N simulated satellites at once (``bench.rooms``), loopback only."""
    from importlib import resources

    from samantha.bench.rooms import markdown as rooms_table
    from samantha.bench.rooms import run_rooms, slot_memory
    from samantha.inference.engines import load_engines

    try:
        counts = [int(n) for n in args.rooms.split(",")]
    except ValueError:
        raise ConfigError("bench-rooms", f"--rooms {args.rooms!r} is not a list of numbers",
                          "write e.g. --rooms 1,2,4,8") from None
    if not counts or min(counts) < 1 or max(counts) > 32:
        raise ConfigError("bench-rooms", "--rooms takes counts from 1 to 32", "--rooms 1,2,4,8")
    model = {"llm": {"model": args.llm}} if args.llm and "," not in args.llm else None
    cfg = config.load(args.config, overrides=model)
    slots = cfg.serve.slots or max(counts)  # [serve] slots = 1: the in-process model, in turn
    memory = slot_memory(cfg, slots) if slots > 1 else {}
    engines = load_engines(cfg, progress=lambda m: print(f"[rooms] {m}", file=sys.stderr),
                           slots=slots)
    try:
        if cfg.engine.warm_up:
            engines.warm_up(from_config(cfg, persist=False).base_messages())
        question = str(resources.files("samantha") / "data" / "question.wav")
        results = run_rooms(cfg, engines, counts, max(1, min(args.turns, 6)), question)
    finally:
        engines.close()
    box = machine()
    report = {"machine": box, "rooms": results, "brain": {"slots": slots, **memory}}
    table = rooms_table(results, box, slots, memory)
    print(table, end="")
    if args.md:
        Path(args.md).write_text(table, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0
