"""Rooms: one conversation each, the household's engines and memory shared.

A room is a satellite (by its configured name) or a client (by its address, or ``local`` on the
Unix socket). Each has its own ``Conversation``: its own short-term history and turn state. The
long-term memory is the household's (``[serve] memory_scope = "household"``) or the room's own
(``"room"``), and only rooms in ``[serve] memory_rooms`` touch it at all: any other room talks
with a memory that lives in RAM and is gone when she stops, and a memory-revealing command
("what do you remember about me", "forget everything") gets a polite refusal.

With two or more rooms the language model is llama.cpp's ``llama-server`` (``[serve] slots``):
each room then has its own slot and prompt cache and needs no line for it; speech recognition
and the voice still take turns.

Every turn runs through ``pipeline.turn`` (transcribe, respond, deliver), so the output filter
and the history behave as in every other turn.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from pathlib import Path

from samantha.audio.chunk import AudioChunk
from samantha.audio.protocols import Speaker
from samantha.companion import commands
from samantha.companion.conversation import Conversation, Heard
from samantha.companion.exchange import Exchange
from samantha.config import Config
from samantha.inference.engines import Engines
from samantha.pipeline import turn
from samantha.serve.fair import Queues, for_room
from samantha.serve.wake import WakeService

log = logging.getLogger(__name__)
REFUSAL = ("I keep what I remember for the rooms my household chose. "
           "Ask me from one of those.")
MAX_ROOMS = 64
MAX_CONVERSATIONS = 32


@dataclass
class Room:
    name: str
    brain: Conversation
    engines: Engines
    memory_allowed: bool
    _after: asyncio.Task[None] | None = field(default=None, repr=False)

    async def spoken(self, utterance: AudioChunk, speaker: Speaker | None,
                     style: turn.Style = turn.STREAMING) -> turn.TurnResult:
        """A whole spoken turn: ears, brain, voice, streamed to ``speaker``."""
        await self.settle()
        result = turn.TurnResult()
        heard = await turn.transcribe(utterance, self.engines, self.brain, result, style)
        if result.transcript.strip():
            await self.answer(result.transcript, speaker, result, style, heard)
        return result

    async def answer(self, text: str, speaker: Speaker | None, result: turn.TurnResult,
                     style: turn.Style = turn.STREAMING, heard: Heard | None = None) -> None:
        """Her reply to ``text`` (voiced when there is a speaker), then the memory work off the
        latency path."""
        await self.settle()
        voice = self.engines.tts if speaker is not None else None
        if not self.memory_allowed and commands.memory_command(text, None) is not None:
            log.info("room %s asked a memory command and is not allowed to", self.name)
            await turn.deliver(_once(REFUSAL), Exchange(text=text, keep=False), voice,
                               self.brain, speaker, result,
                               turn.Style(style.streaming, False, 3), commit=False)
            return
        ex = await turn.respond(text, self.engines.llm, voice, self.brain, speaker, result,
                                style, heard=heard)
        spoken = " ".join(result.spoken)
        self._after = asyncio.create_task(self.brain.after_turn(ex, spoken, self.engines.llm))

    async def speak(self, text: str, speaker: Speaker, max_chars: int) -> turn.TurnResult:
        """Text someone else wrote (the ``tts`` service), in her voice, through her filter;
        nothing enters the history."""
        result = turn.TurnResult()
        ex = Exchange(keep=False, budget=max_chars, own_line=True)
        await turn.deliver(_once(text), ex, self.engines.tts, self.brain, speaker, result,
                           turn.Style(first_clause=False, max_sentences=10_000), commit=False)
        return result

    async def speak_stream(self, pieces: AsyncGenerator[str, None], speaker: Speaker,
                           max_chars: int) -> turn.TurnResult:
        """Text arriving in pieces (``synthesize-chunk``), voiced sentence by sentence."""
        result = turn.TurnResult()
        ex = Exchange(keep=False, budget=max_chars, own_line=True)
        await turn.deliver(pieces, ex, self.engines.tts, self.brain, speaker, result,
                           turn.Style(first_clause=False, max_sentences=10_000), commit=False)
        return result

    async def settle(self) -> None:
        """Wait for the previous turn's memory work (fact extraction, summaries)."""
        after, self._after = self._after, None
        if after is not None:
            try:
                await after
            except Exception as exc:  # after_turn logs its own errors; never lose the room
                log.warning("room %s: memory work after a turn failed: %s", self.name, exc)

    async def close(self) -> None:
        if self._after is not None:
            self._after.cancel()
            await asyncio.gather(self._after, return_exceptions=True)
        self.brain.close()


async def _once(text: str) -> AsyncGenerator[str, None]:
    yield text + " "


class Household:
    """The shared engines and their fair lines, and every room that has spoken."""

    def __init__(self, cfg: Config, engines: Engines) -> None:
        self.cfg = cfg
        self.engines = engines
        self.queues = Queues(cfg.serve.queue_limit, cfg.serve.room_limit)
        self.wake = WakeService(cfg.wake)
        """Every connection's and satellite's wake word detectors, on one worker thread."""
        self.rooms: dict[str, Room] = {}
        self.conversations: OrderedDict[tuple[str, str], Room] = OrderedDict()
        """Home Assistant's conversations, by (room, conversation id), oldest first."""

    def room(self, name: str) -> Room:
        if name in self.rooms:
            return self.rooms[name]
        if len(self.rooms) >= MAX_ROOMS:
            from samantha.errors import ServeError

            raise ServeError("rooms", f"she already keeps {MAX_ROOMS} rooms",
                             "connect from a known satellite or client")
        room = self._make(name, name)
        self.rooms[name] = room
        log.info("room %s joined (memory %s)", name, "allowed" if room.memory_allowed
                 else "in RAM only")
        return room

    async def conversation(self, room: str, conversation_id: str) -> Room:
        """Conversation ``conversation_id`` asked from ``room`` (Home Assistant's conversation
        agent names one per exchange with a person): its own short-term history, the room's
        memory rights and fair line. The least recently used beyond ``MAX_CONVERSATIONS`` is
        closed."""
        key = (room, conversation_id)
        if key in self.conversations:
            self.conversations.move_to_end(key)
            return self.conversations[key]
        while len(self.conversations) >= MAX_CONVERSATIONS:
            _, old = self.conversations.popitem(last=False)
            await old.close()
        made = self._make(room, f"{room} {conversation_id[:40]}")
        self.conversations[key] = made
        return made

    def _make(self, room: str, name: str) -> Room:
        allowed = room in self.cfg.serve.memory_rooms
        state: Path | None = None
        if allowed:
            state = self.cfg.state_path
            if self.cfg.serve.memory_scope == "room":
                state = state / "rooms" / _safe(room)
        brain = Conversation(self.cfg.persona, self.cfg.llm.history_turns, state_dir=state,
                             memory_cfg=self.cfg.memory, tools_cfg=self.cfg.tools)
        if self.cfg.serve.memory_scope == "household" or name != room:
            brain.history = []  # its own short-term history; the memory is shared
        engines = for_room(self.engines, self.queues, room)
        if self.engines.rooms is not None:  # llama-server: the room's own slot, no line
            engines.llm = self.engines.rooms(room)
        return Room(name, brain, engines, allowed)

    async def close(self) -> None:
        for room in [*self.rooms.values(), *self.conversations.values()]:
            await room.close()
        self.rooms.clear()
        self.conversations.clear()
        self.wake.close()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:64] or "room"
