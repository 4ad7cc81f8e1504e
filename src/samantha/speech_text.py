"""Text that can be spoken: streamed tokens cut into clauses and sentences, and cleaned for TTS.

She speaks her first clause as soon as it is complete, then whole sentences. Whatever cannot be
said aloud (markdown, emoji, links, control characters) is removed or spelled out first.
"""

from __future__ import annotations

import re
import unicodedata

_SENTENCE_END = re.compile(r"([.!?]+[\"')\]]*\s+|[。！？]+)")
_CLAUSE_END = re.compile(r"([,;:—–])(\s+)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_MARKDOWN = re.compile(r"(\*\*|__|\*|`+|^#+\s*|^\s*[-*+]\s+|^\s*\d+[.)]\s+)", re.MULTILINE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_UNITS = {"%": " percent", "°C": " degrees Celsius", "°F": " degrees Fahrenheit",
          "km/h": " kilometres per hour", "&": " and "}


def speakable(text: str) -> str:
    """Plain words for the voice: no markdown, emoji, links or control characters."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("a link", text)
    text = _MARKDOWN.sub("", text)
    for unit, words in _UNITS.items():
        text = text.replace(unit, words)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat.startswith("C"):  # control, format, unassigned, private use
            kept.append(" ")
        elif cat == "So" or (cat == "Sk" and ord(ch) > 0x2000):  # emoji and pictographs
            continue
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class Chunker:
    """Cuts a token stream into speakable pieces: the first clause early, then sentences."""

    def __init__(self, first_clause_words: int = 4, max_chars: int = 220) -> None:
        self.first_clause_words = first_clause_words
        self.max_chars = max_chars
        self._buf = ""
        self._emitted = 0

    def push(self, piece: str) -> list[str]:
        self._buf += piece
        out: list[str] = []
        while True:
            cut = self._next_cut()
            if cut is None:
                break
            head, self._buf = self._buf[:cut], self._buf[cut:]
            if has_words(head):
                out.append(head.strip())
                self._emitted += 1
        return out

    def _next_cut(self) -> int | None:
        for m in _SENTENCE_END.finditer(self._buf):
            if not self._is_abbreviation(m.start()):
                return m.end()
        if self._emitted == 0:
            for c in _CLAUSE_END.finditer(self._buf):
                if len(self._buf[:c.start()].split()) >= self.first_clause_words:
                    return c.end()
        if len(self._buf) > self.max_chars:  # a run-on: cut at the last space
            space = self._buf.rfind(" ", 0, self.max_chars)
            return space + 1 if space > 0 else self.max_chars
        return None

    def _is_abbreviation(self, dot: int) -> bool:
        word = self._buf[:dot].rsplit(None, 1)[-1] if self._buf[:dot].strip() else ""
        return word.lower() in {"mr", "mrs", "ms", "dr", "st", "e.g", "i.e", "vs"} or (
            len(word) == 1 and word.isupper())

    def flush(self) -> list[str]:
        rest, self._buf = self._buf.strip(), ""
        return [rest] if has_words(rest) else []
