"""Reminders, alarms and timers that survive a reboot, and the chime that announces them.

They live in her memory database. ``due(now)`` hands back each one whose time has come exactly
once: it is marked fired in the same transaction that reads it. Calendar times are wall-clock
(``datetime``), which is right for "at 7 tomorrow"; latency is never measured with them.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import numpy as np

from samantha.audio.chunk import AudioChunk
from samantha.companion.deferred import Deferred
from samantha.companion.memory import Memory

log = logging.getLogger(__name__)
CHIME_RATE = 22_050
LATE_LIMIT = timedelta(hours=12)
"""A reminder missed by more than this (the box was off) is still said, marked as late."""


def add(memory: Memory | Deferred, when: datetime, kind: str, text: str) -> int | None:
    return memory.write("INSERT INTO reminders(due, kind, text) VALUES (?, ?, ?)",
                        (when.isoformat(timespec="seconds"), kind, text))


def pending(memory: Memory | Deferred) -> list[tuple[int, datetime, str, str]]:
    rows = memory.read("SELECT id, due, kind, text FROM reminders WHERE fired = 0 ORDER BY due")
    return [(int(i), datetime.fromisoformat(d), k, t) for i, d, k, t in rows]


def due(memory: Memory, now: datetime) -> list[str]:
    """What to announce now; each reminder is returned once, ever (once per process when
    her memory cannot save that it was said)."""
    rows = memory.take_due(now.isoformat(timespec="seconds"))  # a full disk never stops her
    return [announcement(kind, text, now - datetime.fromisoformat(d) > LATE_LIMIT)
            for _, d, kind, text in rows]


def announcement(kind: str, text: str, late: bool = False) -> str:
    if re.search(r"[\uac00-\ud7a3]", text):  # set in Korean: said in Korean
        from samantha.companion.secretary_ko import announcement as korean

        return korean(kind, text, late)
    prefix = "This came due while I was off. " if late else ""
    if kind == "timer":
        return prefix + (f"Your {text} timer is done." if text else "Your timer is done.")
    if kind == "alarm":
        return prefix + (f"It's time: {text}." if text else "This is your alarm.")
    return prefix + f"A reminder: {yours(text)}."


def yours(text: str) -> str:
    """The person's words as she says them back: "call my sister" → "call your sister"."""
    swap = {"my": "your", "me": "you", "i": "you", "i'm": "you're", "myself": "yourself",
            "mine": "yours", "i've": "you've", "i'll": "you'll", "am": "are"}
    return re.sub(r"\b(my|me|i|i'm|myself|mine|i've|i'll|am)\b",
                  lambda m: _case(swap[m.group(0).lower()], m.group(0)), text, flags=re.I)


def _case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() and like.lower() != "i" else word


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
