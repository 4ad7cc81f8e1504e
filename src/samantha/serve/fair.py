"""Shared engines, fair turns: one bounded queue per engine, served round-robin by room.

whisper.cpp, llama.cpp and Piper each run one request at a time on their own worker thread.
Every room asks through a ``FairQueue``: a room waits in its own short line (``room_limit``),
and the engine takes the next request from the next room in turn, so a room that asks often
(or whose replies are long) cannot starve another. At the limits a request is refused at once
with a "busy" ``ServeError``; nothing is buffered without bound.

``for_room`` wraps the three engines so that they satisfy the same protocols as the real ones
(``inference.protocols``): the turn pipeline runs unchanged and never knows it is queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from samantha.audio.chunk import AudioChunk
from samantha.errors import ServeError
from samantha.inference.engines import Engines
from samantha.inference.protocols import LanguageModel, Message, Transcriber, Transcript, Voice

log = logging.getLogger(__name__)


class FairQueue:
    """One engine's line: at most one holder, then the next room round-robin."""

    def __init__(self, name: str, limit: int = 8, room_limit: int = 2) -> None:
        self.name = name
        self.limit = limit
        self.room_limit = room_limit
        self._lines: dict[str, deque[asyncio.Future[None]]] = {}
        self._order: deque[str] = deque()  # rooms with someone waiting, next first
        self._busy = False
        self.served: dict[str, int] = {}
        self.refused = 0

    @property
    def waiting(self) -> int:
        return sum(len(line) for line in self._lines.values())

    @asynccontextmanager
    async def turn(self, room: str) -> AsyncIterator[None]:
        """Hold the engine for one request of ``room``."""
        await self._acquire(room)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, room: str) -> None:
        if not self._busy and not self._order:
            self._busy = True
            self._count(room)
            return
        line = self._lines.setdefault(room, deque())
        if self.waiting >= self.limit or len(line) >= self.room_limit:
            self.refused += 1
            raise ServeError("busy", f"the {self.name} is busy ({self.waiting} requests waiting)",
                             "try again in a moment, or raise [serve] queue_limit")
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        line.append(ticket)
        if room not in self._order:
            self._order.append(room)
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                self._release()  # it was handed the engine as it was cancelled: pass it on
            else:
                self._drop(room, ticket)
            raise
        self._count(room)

    def _count(self, room: str) -> None:
        self.served[room] = self.served.get(room, 0) + 1

    def _drop(self, room: str, ticket: asyncio.Future[None]) -> None:
        line = self._lines.get(room)
        if line is not None and ticket in line:
            line.remove(ticket)
            if not line:
                del self._lines[room]
                if room in self._order:
                    self._order.remove(room)

    def _release(self) -> None:
        while self._order:
            room = self._order.popleft()
            line = self._lines[room]
            ticket = line.popleft()
            if line:
                self._order.append(room)  # the room goes to the back of the round
            else:
                del self._lines[room]
            if not ticket.done():
                ticket.set_result(None)
                return
        self._busy = False


class Queues:
    """The three engines' lines, shared by every room."""

    def __init__(self, limit: int, room_limit: int) -> None:
        self.asr = FairQueue("speech recognition", limit, room_limit)
        self.llm = FairQueue("language model", limit, room_limit)
        self.tts = FairQueue("voice", limit, room_limit)


class QueuedTranscriber:
    def __init__(self, inner: Transcriber, queue: FairQueue, room: str) -> None:
        self.inner, self.queue, self.room = inner, queue, room

    def transcribe(self, chunk: AudioChunk, full_window: bool = False) -> Transcript:
        return self.inner.transcribe(chunk, full_window)

    async def transcribe_async(self, chunk: AudioChunk,
                               full_window: bool = False) -> Transcript:
        async with self.queue.turn(self.room):
            return await self.inner.transcribe_async(chunk, full_window)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def close(self) -> None:
        return None  # the household's engine outlives a room


class QueuedLanguageModel:
    def __init__(self, inner: LanguageModel, queue: FairQueue, room: str) -> None:
        self.inner, self.queue, self.room = inner, queue, room

    @property
    def prefix_cache(self) -> bool:
        return self.inner.prefix_cache

    @prefix_cache.setter
    def prefix_cache(self, value: bool) -> None:
        self.inner.prefix_cache = value

    @property
    def size_bytes(self) -> int:
        return self.inner.size_bytes

    async def astream(self, messages: list[Message],
                      max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        """The whole reply holds the model: llama.cpp has one KV cache, and switching rooms
        mid-reply would prefill both prompts again."""
        async with self.queue.turn(self.room):
            pieces = self.inner.astream(messages, max_tokens)
            try:
                async for piece in pieces:
                    yield piece
            finally:
                await pieces.aclose()

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return self.inner.complete(messages, max_tokens)

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        async with self.queue.turn(self.room):
            return await self.inner.acomplete_json(messages, schema, max_tokens)

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        return self.inner.complete_json(messages, schema, max_tokens)

    async def forget(self) -> None:
        async with self.queue.turn(self.room):
            await self.inner.forget()

    def warm_up(self, messages: list[Message]) -> None:
        self.inner.warm_up(messages)

    async def prime(self, messages: list[Message]) -> None:
        """Not done for rooms: they share one KV cache, so one room's history read in now would
        be evicted by the next room's turn, and would make that turn wait."""

    def prompt_tokens(self) -> int:
        return self.inner.prompt_tokens()

    def close(self) -> None:
        return None


class QueuedVoice:
    def __init__(self, inner: Voice, queue: FairQueue, room: str) -> None:
        self.inner, self.queue, self.room = inner, queue, room
        self.rate = inner.rate

    def synthesize(self, text: str) -> AudioChunk:
        return self.inner.synthesize(text)

    async def synthesize_async(self, text: str, pace: float = 1.0) -> AudioChunk:
        async with self.queue.turn(self.room):
            return await self.inner.synthesize_async(text, pace)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def close(self) -> None:
        return None


def for_room(engines: Engines, queues: Queues, room: str) -> Engines:
    """The household's engines as one room sees them: the same models, through the lines."""
    return Engines(QueuedTranscriber(engines.asr, queues.asr, room),
                   QueuedLanguageModel(engines.llm, queues.llm, room),
                   QueuedVoice(engines.tts, queues.tts, room))
