"""Text that can be spoken: streamed tokens cut into clauses and sentences, and cleaned for TTS.

She speaks her first clause as soon as it is complete, then whole sentences. Whatever cannot be
said aloud (markdown, emoji, links, control characters) is removed or spelled out first.
"""

from __future__ import annotations

import re
import unicodedata

_SENTENCE_END = re.compile(r"([.!?]+[\"')\]]*\s+|[。！？]+)")
_CLAUSE_END = re.compile(r"([,;:—–])(\s+)")
_CONJUNCTION = re.compile(r"\s(?:and|but|or|so|because|which|when|while|if|although|since|"
                          r"until)\s", re.IGNORECASE)
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

    def __init__(self, first_clause_words: int = 2, max_chars: int = 220) -> None:
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
            # no comma yet: a long first clause may break before a conjunction
            for c in _CONJUNCTION.finditer(self._buf):
                if len(self._buf[:c.start()].split()) >= self.first_clause_words + 2:
                    return c.start() + 1
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


_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\s*([AaPp])\.?[Mm]\b|"
                   r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_MONEY = re.compile(r"([$€£])\s?(\d+(?:\.\d{1,2})?)")
_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)\s?(km|kg|cm|mm|ml|mph|kph|lbs?|g|m|h|min|s)\b")
_UNIT_WORDS = {"km": "kilometres", "kg": "kilograms", "cm": "centimetres", "mm": "millimetres",
               "ml": "millilitres", "mph": "miles per hour", "kph": "kilometres per hour",
               "lb": "pounds", "lbs": "pounds", "g": "grams", "m": "metres", "h": "hours",
               "min": "minutes", "s": "seconds"}
_CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds"}
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th)?(?![\w])")


def say_numbers(text: str) -> str:
    """English numbers, times, money and units as words ('7:30 PM' → 'seven thirty PM').

    Text with Hangul is left alone: the Korean voice reads digits itself.
    """
    if re.search(r"[\uac00-\ud7a3]", text) or not re.search(r"\d", text):
        return text
    from num2words import num2words

    def clock(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1) or m.group(4)), int(m.group(2) or m.group(5))
        words = num2words(hour)
        if minute:
            words += (" oh " if minute < 10 else " ") + num2words(minute)
        elif not m.group(3):
            words += " o'clock" if hour <= 12 else " hundred"
        return words + (f" {m.group(3).upper()}M" if m.group(3) else "")

    def number(m: re.Match[str]) -> str:
        whole = int(m.group(1).replace(",", ""))
        if m.group(3):
            return num2words(whole, to="ordinal")
        if m.group(2):
            return num2words(whole) + " point " + " ".join(num2words(int(d)) for d in m.group(2))
        if 1100 <= whole <= 2099 and "," not in m.group(1):
            return num2words(whole, to="year")
        return num2words(whole)

    text = _TIME.sub(clock, text)
    def money(m: re.Match[str]) -> str:
        whole, _, cents = m.group(2).partition(".")
        words = f"{num2words(int(whole))} {_CURRENCY[m.group(1)]}"
        return words + (f" {num2words(int(cents.ljust(2, '0')))}" if cents else "")

    text = _MONEY.sub(money, text)
    text = _UNIT.sub(lambda m: f"{m.group(1)} {_UNIT_WORDS[m.group(2)]}", text)
    return _NUMBER.sub(number, text)
