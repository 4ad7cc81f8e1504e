"""Her real Korean replies, with the grammar guards off and on: speech level and non-words.

    python -m samantha.bench.korean_replies [--split dev|heldout|all] [--out replies.json]

Each prompt (``data/eval/korean_replies.toml``) is one typed turn on the real language model
through the real brain (as ``samantha chat --once``), with ``[persona] language = "ko"``. The
model is asked once; its words are recorded, and the same words are then screened a second time
with the guards on, so before and after differ only by the guards (the model samples at a
temperature, and a second ask would differ by chance). A reply counts as off-level when a
sentence ending is not at the owner's level (haeyo-che by default), and as holding a non-word when
Kiwi cannot read one of its content words. Timing is not measured here; how many of the
model's pieces stream before her first words can be spoken (the first clause, cut by the
Korean grammar's clause ends or only at a sentence end or comma) is counted from the recorded
pieces.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import tomllib
from collections.abc import AsyncGenerator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from samantha import config
from samantha.companion.conversation import from_config
from samantha.companion.guards import grammar_guard
from samantha.inference.engines import build_llm
from samantha.inference.protocols import LanguageModel, Message
from samantha.lang import script
from samantha.lang.ko import KIWI, grammar, persona
from samantha.pipeline.chunker import Chunker
from samantha.pipeline.turn import typed
from samantha.testing.fakes import ScriptedLanguageModel


@dataclass
class Row:
    split: str
    prompt: str
    before: str
    after: str
    off_level_before: bool
    off_level_after: bool
    nonword_before: bool
    nonword_after: bool
    model: list[str]
    """What the model wrote, piece by piece (``--replay`` screens it again)."""


class Recorder:
    """The real model, its streamed pieces kept so the same reply can be replayed."""

    def __init__(self, llm: LanguageModel) -> None:
        self.llm = llm
        self.prefix_cache = llm.prefix_cache
        self.replies: list[list[str]] = []
        self.replaying = False

    @property
    def size_bytes(self) -> int:
        return self.llm.size_bytes

    async def astream(self, messages: list[Message],
                      max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        if self.replaying:
            for piece in self.replies.pop(0) if self.replies else []:
                yield piece
            return
        pieces: list[str] = []
        self.replies.append(pieces)
        async for piece in self.llm.astream(messages, max_tokens):
            pieces.append(piece)
            yield piece

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return self.llm.complete(messages, max_tokens)

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        return await self.llm.acomplete_json(messages, schema, max_tokens)

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        return self.llm.complete_json(messages, schema, max_tokens)

    async def forget(self) -> None:
        await self.llm.forget()

    def warm_up(self, messages: list[Message]) -> None:
        self.llm.warm_up(messages)

    async def prime(self, messages: list[Message]) -> None:
        if not self.replaying:
            await self.llm.prime(messages)

    def prompt_tokens(self) -> int:
        return self.llm.prompt_tokens()

    def close(self) -> None:
        self.llm.close()


def prompts(split: str) -> list[tuple[str, str]]:
    text = resources.files("samantha").joinpath("data", "eval", "korean_replies.toml").read_text(
        "utf-8")
    data = tomllib.loads(text)
    names = ("dev", "heldout") if split == "all" else (split,)
    return [(name, p) for name in names for p in data[name]]


def _off(reply: str, level: str) -> bool:
    return any(grammar.off_level(s, level) for s in _sentences(reply))


def _nonword(reply: str, heard: str, name: str = "Samantha") -> bool:
    """A sentence of ``reply`` with a word Kiwi cannot read (her name, in its Korean forms, and
    the person's words are words)."""
    return any(KIWI.unreadable_words(s, (heard, name)) for s in _sentences(reply))


def _sentences(reply: str) -> list[str]:
    return [s.text for s in grammar.kiwi().split_into_sents(reply) if script.has(s.text, "hangul")]


async def run(cfg: config.Config, split: str, replay: list[dict[str, Any]] | None = None,
              llm: LanguageModel | None = None) -> list[Row]:
    """Every prompt of ``split``: asked of the model, or with ``replay`` (an earlier run's rows)
    the model's recorded words screened again by today's guards, without loading the model (a
    row without the model's words replays its reply with the guards off)."""
    level = "banmal" if persona.banmal(cfg.persona) else "haeyo"
    recorder = Recorder(llm if llm is not None else build_llm(cfg))
    recorded = {(r["split"], r["prompt"]): r.get("model") or [r["before"]] for r in replay or []}
    rows: list[Row] = []
    try:
        for name, prompt in prompts(split):
            recorder.replaying = replay is not None
            recorder.replies.clear()
            if replay is not None:
                recorder.replies.append(list(recorded[(name, prompt)]))
                recorder.replies.append(list(recorded[(name, prompt)]))
            off = from_config(cfg, persist=False)
            off.skip_guards = grammar_guard.NAMES
            off.prime_history = False
            before = await typed(prompt, recorder, off)
            off.close()
            recorder.replaying = True
            model = list(recorder.replies[0]) if recorder.replies else []
            on = from_config(cfg, persist=False)
            on.prime_history = False
            after = await typed(prompt, recorder, on)
            on.close()
            rows.append(Row(name, prompt, before, after, _off(before, level), _off(after, level),
                            _nonword(before, prompt, cfg.persona.name),
                            _nonword(after, prompt, cfg.persona.name), model))
            print(json.dumps(asdict(rows[-1]), ensure_ascii=False) if name == "dev"
                  else f"{name} {len(rows)}", flush=True)
    finally:
        recorder.close()
    return rows


def load_cost() -> dict[str, float]:
    """Kiwi's load: seconds and resident MB added (call before anything else loads it)."""
    before = _rss_mb()
    start = time.perf_counter()
    grammar.kiwi()
    return {"load_s": round(time.perf_counter() - start, 2),
            "rss_load_mb": round(_rss_mb() - before), "rss_before_mb": before}


def use_cost(rows: list[Row], loaded: dict[str, float]) -> dict[str, float]:
    """The grammar guard's time per sentence (ms) on the replies' sentences, and the resident
    MB Kiwi holds after use. On a shared machine these are noisy."""
    sentences = [s for r in rows for s in _sentences(r.before)]
    start = time.perf_counter()
    for s in sentences:
        grammar_guard.check(s, "", banmal=False)
    per_ms = (time.perf_counter() - start) / max(1, len(sentences)) * 1000
    return {"load_s": loaded["load_s"], "rss_load_mb": loaded["rss_load_mb"],
            "rss_after_use_mb": round(_rss_mb() - loaded["rss_before_mb"]),
            "sentences": len(sentences), "guard_ms_per_sentence": round(per_ms, 1)}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def summary(rows: list[Row]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in sorted({r.split for r in rows}):
        part = [r for r in rows if r.split == name]
        out[name] = {"replies": len(part),
                     "off_level_before": sum(r.off_level_before for r in part),
                     "off_level_after": sum(r.off_level_after for r in part),
                     "nonword_before": sum(r.nonword_before for r in part),
                     "nonword_after": sum(r.nonword_after for r in part),
                     "changed": sum(r.before != r.after for r in part)}
    return out


def first_piece(model: list[str], clauses: bool) -> tuple[int, str]:
    """How many of the model's pieces (about one token each) stream before her first piece
    can be spoken, and that piece: cut as her turn cuts it (``pipeline.chunker``), with the
    Korean grammar's clause ends or without (the sentence or a comma only)."""
    chunker = Chunker(clauses=KIWI.clause_end if clauses else None)
    for n, piece in enumerate(model, 1):
        out = chunker.push(piece)
        if out:
            return n, out[0]
    return len(model), " ".join(chunker.flush())


def first_clause(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Per split: the median pieces streamed before her first words, without and with the
    clause ends, and in how many replies the clause ends spoke sooner."""
    out: dict[str, dict[str, float]] = {}
    for name in sorted({r.split for r in rows}):
        part = [r for r in rows if r.split == name and r.model]
        if not part:
            continue
        pairs = [(first_piece(r.model, False)[0], first_piece(r.model, True)[0]) for r in part]
        before, after = sorted(b for b, _ in pairs), sorted(a for _, a in pairs)
        out[name] = {"replies": len(part), "pieces_before_p50": before[len(before) // 2],
                     "pieces_after_p50": after[len(after) // 2],
                     "sooner": sum(a < b for b, a in pairs)}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    p.add_argument("--out", type=Path, help="write every reply (JSON) here")
    p.add_argument("--replay", type=Path,
                   help="screen the model's words recorded in this --out file again (no model)")
    p.add_argument("--cost", action="store_true",
                   help="also measure Kiwi's load and the guard's time per sentence "
                   "(best with --replay: no model beside it)")
    p.add_argument("--formality", default=None, help='persona formality, e.g. "banmal"')
    args = p.parse_args(argv)
    persona: dict[str, Any] = {"language": "ko"}
    if args.formality:
        persona["formality"] = args.formality
    cfg = config.load(None, overrides={"persona": persona})
    loaded = load_cost() if args.cost else None
    replay = json.loads(args.replay.read_text("utf-8")) if args.replay else None
    rows = asyncio.run(run(cfg, args.split, replay,
                           ScriptedLanguageModel() if replay is not None else None))
    if args.out:
        args.out.write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1),
                            "utf-8")
    print(json.dumps(summary(rows), indent=1))
    print(json.dumps({"first_clause": first_clause(rows)}, indent=1))
    if loaded is not None:
        print(json.dumps({"kiwi": use_cost(rows, loaded)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
