"""A bigger brain on the home network, with her own model to fall back on.

``[llm] endpoint`` names an OpenAI-compatible server on the LAN. Each turn asks it first; if it
cannot be reached, refuses, or sends no first word within ``endpoint_timeout_s``, the turn is
answered by the on-device model instead, and she says so once ("my home server is not
answering…"). While it is down she does not wait on it each turn: it is tried again after
``RETRY_S``. When it answers again she says nothing; if it fails again later, she says so again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from samantha.clock import now_ns
from samantha.errors import LlmError
from samantha.inference.openai_llm import OpenAIModel, run_sync
from samantha.inference.protocols import LanguageModel, Message

log = logging.getLogger(__name__)
RETRY_S = 60.0
NOTICE = "My home server isn't answering, so I'm using my own smaller brain for now."
"""Said when no ``notice`` is given; the brain's engines pass each language pack's
``phrases.server_down`` (``inference.engines.build_llm``)."""


@dataclass
class Policy:
    """When to ask the server, and when to tell the person it failed: a pure function of the
    time (seconds) and what happened."""

    retry_s: float = RETRY_S
    down_since: float | None = None
    told: bool = False

    def use_server(self, now_s: float) -> bool:
        return self.down_since is None or now_s - self.down_since >= self.retry_s

    def failed(self, now_s: float) -> bool:
        """The server failed (a reply or a side prompt); True for an outage's first failure."""
        first = self.down_since is None
        self.down_since = now_s
        return first

    def tell(self) -> bool:
        """Her own model is about to answer a reply: True once per outage (say so then)."""
        tell, self.told = not self.told, True
        return tell

    def answered(self) -> bool:
        """The server answered; True when it had been down (for the log)."""
        was_down, self.down_since, self.told = self.down_since is not None, None, False
        return was_down


def last_said(messages: list[Message]) -> str:
    """The person's last words (the notice is said in their language)."""
    return next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")


def _seconds() -> float:
    return now_ns() / 1e9


class FallbackModel:
    """The LAN server first, the on-device model when it fails (``LanguageModel``)."""

    def __init__(self, server: OpenAIModel, local: LanguageModel, first_token_s: float,
                 clock: Callable[[], float] = _seconds, policy: Policy | None = None,
                 notice: Callable[[str], str] = lambda said: NOTICE) -> None:
        self.server, self.local = server, local
        self.notice = notice
        """The line for the person's last words, in their language."""
        self.first_token_s = first_token_s
        self.clock = clock
        self.policy = policy or Policy()
        self.fell_back = 0
        """Turns and side prompts the on-device model answered instead."""

    @property
    def prefix_cache(self) -> bool:
        return self.local.prefix_cache

    @prefix_cache.setter
    def prefix_cache(self, value: bool) -> None:
        self.local.prefix_cache = value
        self.server.prefix_cache = value

    @property
    def size_bytes(self) -> int:
        return self.local.size_bytes

    def _failed(self, why: object) -> None:
        self.fell_back += 1
        if self.policy.failed(self.clock()):
            log.warning("the home server %s failed (%s); her own model answers until it is "
                        "back", self.server.endpoint, why)

    def _answered(self) -> None:
        if self.policy.answered():
            log.info("the home server %s answers again", self.server.endpoint)

    async def astream(self, messages: list[Message],
                      max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        if self.policy.use_server(self.clock()):
            pieces = self.server.astream(messages, max_tokens)
            try:
                try:
                    first = await asyncio.wait_for(anext(pieces), self.first_token_s)
                except StopAsyncIteration:
                    self._answered()
                    return
                except (LlmError, TimeoutError) as exc:
                    self._failed(exc if isinstance(exc, LlmError)
                                 else f"no first word in {self.first_token_s:g} s")
                else:
                    self._answered()
                    yield first
                    try:
                        async for piece in pieces:
                            yield piece
                    except LlmError as exc:  # mid-reply: what was said stands
                        self._failed(exc)
                    return
            finally:
                await pieces.aclose()
        else:
            self.fell_back += 1
        if self.policy.tell():
            yield self.notice(last_said(messages)) + " "
        local = self.local.astream(messages, max_tokens)
        try:
            async for piece in local:
                yield piece
        finally:
            await local.aclose()

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        if self.policy.use_server(self.clock()):
            try:
                reply = run_sync(lambda: asyncio.wait_for(
                    self.server.acomplete(messages, max_tokens), self._budget(max_tokens)))
                self._answered()
                return reply
            except (LlmError, TimeoutError) as exc:
                self._failed(exc)
        return self.local.complete(messages, max_tokens)

    def _budget(self, max_tokens: int | None) -> float:
        """The longest a whole side reply may take there: the first word, then 2 words/s."""
        return self.first_token_s + (max_tokens or 128) * 0.5

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        if self.policy.use_server(self.clock()):
            try:
                reply = await asyncio.wait_for(
                    self.server.acomplete_json(messages, schema, max_tokens),
                    self._budget(max_tokens))
                self._answered()
                return reply
            except (LlmError, TimeoutError) as exc:
                self._failed(exc)
        return await self.local.acomplete_json(messages, schema, max_tokens)

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        if self.policy.use_server(self.clock()):
            try:
                reply = run_sync(lambda: asyncio.wait_for(
                    self.server.acomplete_json(messages, schema, max_tokens),
                    self._budget(max_tokens)))
                self._answered()
                return reply
            except (LlmError, TimeoutError) as exc:
                self._failed(exc)
        return self.local.complete_json(messages, schema, max_tokens)

    async def forget(self) -> None:
        await self.local.forget()

    def warm_up(self, messages: list[Message]) -> None:
        """Her own model is warmed as always; the server's cache too, where it answers."""
        self.local.warm_up(messages)
        try:
            self.server.warm_up(messages)
        except LlmError as exc:
            log.warning("the home server %s does not answer yet (%s); her own model answers "
                        "until it does", self.server.endpoint, exc)

    async def prime(self, messages: list[Message]) -> None:
        """Only her own model needs priming, and only while the server is down."""
        if not self.policy.use_server(self.clock()):
            await self.local.prime(messages)

    def prompt_tokens(self) -> int:
        return self.local.prompt_tokens() + self.server.prompt_tokens()

    def close(self) -> None:
        self.server.close()
        self.local.close()
