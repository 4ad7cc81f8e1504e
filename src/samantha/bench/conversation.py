"""``samantha bench --conversation N``: one typed conversation of N turns on the real language
model, with the history read into the cache between turns (``prime_history``) and without.

Per turn it records the prompt tokens llama.cpp evaluated before her first token (what the
prefix cache missed: deterministic, the same on every machine for the same model) and the time
from the prompt to her first token. The spoken bench cannot show this: each of its turns starts
a fresh conversation, while here the history grows and, past ``history_turns``, slides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from samantha import lang
from samantha.bench.corpus import questions, said
from samantha.bench.stats import summary
from samantha.companion.conversation import from_config
from samantha.config import Config
from samantha.inference.protocols import LanguageModel
from samantha.pipeline.events import FirstToken, PromptSent
from samantha.pipeline.turn import TYPED, TurnResult, respond


def script(turns: int, code: str = "en") -> list[str]:
    """N lines in language ``code``: each question, then a follow-up on it
    (``lang/<code>/bench.toml``)."""
    follow = said(code)["follow_ups"]
    lines = [line for i, q in enumerate(questions(code)) for line in (q, follow[i % len(follow)])]
    return [lines[i % len(lines)] for i in range(turns)]


async def _talk(llm: LanguageModel, cfg: Config, lines: list[str],
                say: Callable[[str], None], label: str) -> tuple[list[int], list[float]]:
    """The typed turn (``pipeline.turn.typed``: respond, then after_turn), timed by the turn's
    own events; the prompt tokens are llama.cpp's count across the reply (side prompts of the
    turn would count too: the script asks for none)."""
    brain = from_config(cfg, persist=False)
    await llm.forget()
    llm.warm_up(brain.base_messages())
    prompt: list[int] = []
    first_token_s: list[float] = []
    for i, line in enumerate(lines):
        result, before = TurnResult(transcript=line), llm.prompt_tokens()
        ex = await respond(line, llm, None, brain, None, result, TYPED)
        sent, first = result.log.first(PromptSent), result.log.first(FirstToken)
        if sent is not None and first is not None:  # not a rule's reply
            prompt.append(llm.prompt_tokens() - before)
            first_token_s.append((first.t_ns - sent.t_ns) / 1e9)
        reply = " ".join(result.spoken)
        await brain.after_turn(ex, reply, llm)
        say(f"[conversation, {label}] turn {i + 1}/{len(lines)}: "
            f"{prompt[-1] if prompt else '-'} prompt tokens, {reply[:60]!r}")
    return prompt, first_token_s


def measure(llm: LanguageModel, cfg: Config, turns: int,
            say: Callable[[str], None]) -> dict[str, Any]:
    """Both ways on the same model and script; figures from the second turn on (the first
    has no history either way)."""
    lines = script(turns, lang.resolve(cfg.persona).code)
    out: dict[str, Any] = {"turns": turns, "history_turns": cfg.llm.history_turns}
    for prime in (True, False):
        run_cfg = replace(cfg, engine=replace(cfg.engine, prime_history=prime))
        label = "primed" if prime else "not primed"
        prompt, first_token_s = asyncio.run(_talk(llm, run_cfg, lines, say, label))
        out["with" if prime else "without"] = {
            "prompt_tokens": summary(prompt[1:]),
            "first_token_s": summary(first_token_s[1:]),
            "prompt_tokens_per_turn": prompt,
        }
    return out


def markdown(report: dict[str, Any]) -> str:
    rows = ["| history read in between turns | prompt tokens before her first word (p50 / max) "
            "| first token (s, p50 / p95) |", "|---|---|---|"]
    for key, name in (("with", "yes (`prime_history`)"), ("without", "no")):
        r = report[key]
        rows.append(f"| {name} | {r['prompt_tokens']['p50']} / {r['prompt_tokens']['max']} | "
                    f"{r['first_token_s']['p50']} / {r['first_token_s']['p95']} |")
    return (f"\nA typed conversation of {report['turns']} turns (history window "
            f"{report['history_turns']} turns), figures from turn 2:\n\n" + "\n".join(rows) + "\n")
