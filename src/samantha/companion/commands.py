"""Spoken memory commands, for callers outside the brain (``serve.rooms`` refuses them in rooms
not allowed to read her memory). The rule itself is ``companion/rules/memory_commands.py``."""

from __future__ import annotations

from samantha import lang
from samantha.companion.memory import Memory
from samantha.companion.rules.memory_commands import command
from samantha.lang.protocols import Answer


def memory_command(text: str, memory: Memory | None) -> Answer | None:
    """The answer to a memory command in the language it was said in, or None."""
    return command(text, memory, lang.pack_for(text, lang.get("en")))
