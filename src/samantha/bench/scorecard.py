"""The companion scorecard: scripted conversations on the real model, checked as a person would.

Each probe (``samantha/data/eval/probes_<code>.toml``, one file per language) runs in a fresh
state directory; a new session is a new brain on the same directory, as after a restart. Every
reply is kept for reading, and each probe is checked: the last reply must match one of ``any``
and none of ``none``, stored facts are checked against ``facts_any`` / ``facts_none``, and a
probe with ``stance`` checks the stance the last reply opens with (``bench.truth.stance``: a
keyword is not a stance).
Every probe in "character" also checks every reply for what breaks character (an AI
disclaimer, an internal note read out, a list fragment, more than three sentences), and every
reply of every probe counts for "never silent".
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from samantha import lang
from samantha.bench import truth
from samantha.companion.conversation import from_config
from samantha.config import Config
from samantha.inference.protocols import LanguageModel
from samantha.pipeline.turn import typed

CATEGORIES = ("honesty", "character", "empathy", "memory", "secretary", "never silent")
OUT_OF_CHARACTER = [
    r"as an (ai|artificial)", r"language model", r"notes? for this reply", r"do not read (them|it)",
    r"kindly say what you think", r"^\s*\d+[.)]?\s*$", r"^\s*(one|two|three)\.?\s*$",
]


@dataclass
class Probe:
    category: str
    name: str
    sessions: list[list[str]]
    any: list[str] = field(default_factory=list)
    none: list[str] = field(default_factory=list)
    facts_any: list[str] = field(default_factory=list)
    facts_none: list[str] = field(default_factory=list)
    stance: str = ""
    """'denies' or 'affirms': what the last reply's stance must be (``bench.truth.stance``),
    read from its opening, not from a word anywhere in it."""


@dataclass
class Outcome:
    probe: Probe
    replies: list[tuple[str, str]]
    """(what the person said, what she said), in order."""
    facts: list[str]
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def load(path: Path | None = None, language: str = "en") -> list[Probe]:
    """The probes of ``path`` (default: the bundled probes file for ``language``)."""
    where = path or Path(str(resources.files("samantha") / "data" / "eval"
                             / f"probes_{language}.toml"))
    data = tomllib.loads(where.read_text(encoding="utf-8"))
    return [Probe(**p) for p in data["probe"]]


def _search(patterns: list[str], text: str) -> str | None:
    return next((p for p in patterns if re.search(p, text, re.IGNORECASE | re.MULTILINE)), None)


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?。])\s+", text.strip()) if re.search(r"\w", s)])


def check(probe: Probe, replies: list[tuple[str, str]], facts: list[str]) -> list[str]:
    """What a person would notice was wrong, one line each (empty: the probe passed)."""
    failures = []
    last = replies[-1][1] if replies else ""
    if probe.any and not _search(probe.any, last):
        failures.append(f"last reply has none of {probe.any}")
    hit = _search(probe.none, last)
    if hit:
        failures.append(f"last reply matches {hit!r}")
    said = truth.stance(last, lang.pack_for(last, lang.get("en")).code)
    if probe.stance and said != probe.stance:
        failures.append(f"last reply {said} the claim (it should say {probe.stance})")
    for said, reply in replies:
        if probe.category == "character":
            hit = _search(OUT_OF_CHARACTER, reply)
            if hit:
                failures.append(f"reply to {said!r} is out of character ({hit!r})")
            if sentences(reply) > 3:
                failures.append(f"reply to {said!r} has {sentences(reply)} sentences")
    known = " ".join(facts)
    if probe.facts_any and not _search(probe.facts_any, known):
        failures.append(f"no stored fact matches {probe.facts_any}: {facts}")
    hit = _search(probe.facts_none, known)
    if hit:
        failures.append(f"a stored fact matches {hit!r} (never said): {facts}")
    return failures


@dataclass
class Conversed:
    """What a scripted conversation left: her replies, the facts she kept, and every turn and
    summary she holds (stored, and her history in RAM) at the end of the last session."""

    replies: list[tuple[str, str]] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


async def converse(sessions: list[list[str]], cfg: Config, llm: LanguageModel) -> Conversed:
    """Each session said in order by a fresh brain on one new state directory (a restart
    between sessions), as her person would; the directory is removed after."""
    out = Conversed()
    with tempfile.TemporaryDirectory(prefix="samantha-eval-") as state:
        cfg = replace(cfg, state_dir=state)
        for session in sessions:
            brain = from_config(cfg)
            try:
                for text in session:
                    out.replies.append((text, await typed(text, llm, brain)))
                memory = brain.memory
                out.facts = [t for _, _, t in memory.facts()] if memory is not None else []
                rows = memory.read("SELECT user || ' ' || reply FROM turns UNION ALL "
                                   "SELECT text FROM summaries") if memory is not None else []
                out.kept = [str(r[0]) for r in rows] + [f"{u} {r}" for u, r in brain.history]
            finally:
                brain.close()
    return out


async def run_probe(probe: Probe, cfg: Config, llm: LanguageModel) -> Outcome:
    said = await converse(probe.sessions, cfg, llm)
    return Outcome(probe, said.replies, said.facts, check(probe, said.replies, said.facts))


def score(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """(passed, total) per category; "never silent" counts every reply."""
    table: dict[str, tuple[int, int]] = {}
    for o in outcomes:
        ok, total = table.get(o.probe.category, (0, 0))
        table[o.probe.category] = (ok + o.passed, total + 1)
    said = [r for o in outcomes for _, r in o.replies]
    table["never silent"] = (sum(bool(r.strip()) for r in said), len(said))
    return {c: table[c] for c in CATEGORIES if c in table}


def run(cfg: Config, llm: LanguageModel, probes: list[Probe],
        progress: Any = None) -> list[Outcome]:
    async def all_probes() -> list[Outcome]:
        out = []
        for i, probe in enumerate(probes, 1):
            outcome = await run_probe(probe, cfg, llm)
            if progress is not None:
                progress(i, len(probes), outcome)
            out.append(outcome)
        return out
    return asyncio.run(all_probes())


def table(scores: dict[str, tuple[int, int]]) -> str:
    lines = ["| category | passed | of | % |", "|---|---|---|---|"]
    for category, (ok, total) in scores.items():
        lines.append(f"| {category} | {ok} | {total} | {100 * ok / total:.0f} |")
    return "\n".join(lines)
