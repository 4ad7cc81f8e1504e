"""Reminders, alarms and timers that survive a reboot, and the chime that announces them.

They live in her memory database. ``due(now)`` hands back each one whose time has come exactly
once: it is marked fired in the same transaction that reads it. Calendar times are wall-clock
(``datetime``), which is right for "at 7 tomorrow"; latency is never measured with them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import numpy as np

from samantha import lang
from samantha.audio.chunk import AudioChunk
from samantha.companion.memory import Memory
from samantha.lang import agenda
from samantha.lang.protocols import Store

log = logging.getLogger(__name__)
CHIME_RATE = 22_050
LATE_LIMIT = timedelta(hours=12)
"""A reminder missed by more than this (the box was off) is still said, marked as late."""


def add(memory: Store, when: datetime, kind: str, text: str, language: str = "") -> int | None:
    return agenda.add(memory, when, kind, text, language)


def pending(memory: Store) -> list[tuple[int, datetime, str, str]]:
    return agenda.pending(memory)


def due(memory: Memory, now: datetime) -> list[str]:
    """What to announce now, each in the language it was set in; each reminder is returned
    once, ever (once per process when her memory cannot save that it was said)."""
    rows = memory.take_due(now.isoformat(timespec="seconds"))  # a full disk never stops her
    return [announcement(kind, text, now - datetime.fromisoformat(d) > LATE_LIMIT, code)
            for _, d, kind, text, code in rows]


def announcement(kind: str, text: str, late: bool = False, language: str = "") -> str:
    """A due reminder in ``language`` (one set before languages were stored: its text's)."""
    pack = lang.get(language) if language else lang.pack_for(text, lang.get("en"))
    return pack.announcement(kind, text, late)


def chime(rate: int = CHIME_RATE) -> AudioChunk:
    """A short, soft two-note chime (E6 then A5 with a bell-like decay), about 0.9 s."""
    out = np.zeros(int(rate * 0.9), dtype=np.float32)
    for start_s, freq in ((0.0, 1318.5), (0.18, 880.0)):
        t = np.arange(int(rate * 0.7)) / rate
        tone = (np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 2 * freq * t))
        envelope = np.exp(-t * 6.0) * np.minimum(1.0, t / 0.005)
        start = int(start_s * rate)
        out[start:start + len(t)] += (0.25 * tone * envelope)[: len(out) - start]
    pcm = np.clip(out * 32767, -32768, 32767).astype(np.int16)
    return AudioChunk(pcm, rate)
