"""``samantha bench --conversation N``: one typed conversation of N turns on the real language
model, with the history read into the cache between turns (``prime_history``) and without.

Per turn it records the prompt tokens llama.cpp evaluated before her first token (what the
prefix cache missed: deterministic, the same on every machine for the same model) and the time
from the prompt to her first token. The spoken bench cannot show this: each of its turns starts
a fresh conversation, while here the history grows and, past ``history_turns``, slides.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import replace
from typing import Any

from samantha.bench.corpus import QUESTIONS, QUESTIONS_KO
from samantha.bench.stats import summary
from samantha.companion.conversation import from_config
from samantha.config import Config
from samantha.inference.protocols import LanguageModel, Message
from samantha.pipeline.turn import typed

FOLLOW_UPS = ("Tell me more about that.", "Why do you say so?", "Thanks, that helps.")
FOLLOW_UPS_KO = ("그거 좀 더 얘기해 줘.", "왜 그렇게 생각해?", "고마워, 도움이 됐어.")


class _Timed:
    """The language model, with the time to the first token and the prompt tokens of each
    reply (side prompts and priming pass through unmeasured)."""

    def __init__(self, inner: LanguageModel) -> None:
        self.inner = inner
        self.prefix_cache = inner.prefix_cache
        self.first_token_s: list[float] = []
        self.prompt: list[int] = []

    @property
    def size_bytes(self) -> int:
        return self.inner.size_bytes

    async def astream(self, messages: list[Message],
                      max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        before, start, first = self.inner.prompt_tokens(), time.perf_counter(), True
        async for piece in self.inner.astream(messages, max_tokens):
            if first:
                self.first_token_s.append(time.perf_counter() - start)
                self.prompt.append(self.inner.prompt_tokens() - before)
                first = False
            yield piece

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return self.inner.complete(messages, max_tokens)

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        return await self.inner.acomplete_json(messages, schema, max_tokens)

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        return self.inner.complete_json(messages, schema, max_tokens)

    async def forget(self) -> None:
        await self.inner.forget()

    def warm_up(self, messages: list[Message]) -> None:
        self.inner.warm_up(messages)

    async def prime(self, messages: list[Message]) -> None:
        await self.inner.prime(messages)

    def prompt_tokens(self) -> int:
        return self.inner.prompt_tokens()

    def close(self) -> None:
        return None


def script(turns: int, korean: bool = False) -> list[str]:
    """N lines: each question, then a follow-up on it."""
    questions, follow = (QUESTIONS_KO, FOLLOW_UPS_KO) if korean else (QUESTIONS, FOLLOW_UPS)
    lines = [line for i, q in enumerate(questions) for line in (q, follow[i % len(follow)])]
    return [lines[i % len(lines)] for i in range(turns)]


async def _talk(llm: LanguageModel, cfg: Config, lines: list[str],
                say: Callable[[str], None], label: str) -> _Timed:
    timed = _Timed(llm)
    brain = from_config(cfg, persist=False)
    await llm.forget()
    llm.warm_up(brain.base_messages())
    for i, line in enumerate(lines):
        reply = await typed(line, timed, brain)
        say(f"[conversation, {label}] turn {i + 1}/{len(lines)}: "
            f"{timed.prompt[-1] if timed.prompt else '-'} prompt tokens, {reply[:60]!r}")
    return timed


def measure(llm: LanguageModel, cfg: Config, turns: int,
            say: Callable[[str], None]) -> dict[str, Any]:
    """Both ways on the same model and script; figures from the second turn on (the first
    has no history either way)."""
    lines = script(turns, cfg.persona.code == "ko")
    out: dict[str, Any] = {"turns": turns, "history_turns": cfg.llm.history_turns}
    for prime in (True, False):
        run_cfg = replace(cfg, engine=replace(cfg.engine, prime_history=prime))
        label = "primed" if prime else "not primed"
        timed = asyncio.run(_talk(llm, run_cfg, lines, say, label))
        out["with" if prime else "without"] = {
            "prompt_tokens": summary(timed.prompt[1:]),
            "first_token_s": summary(timed.first_token_s[1:]),
            "prompt_tokens_per_turn": timed.prompt,
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
