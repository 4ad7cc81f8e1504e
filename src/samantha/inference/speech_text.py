"""Text that can be spoken: whatever cannot be said aloud (markdown, emoji, links, control
characters) is removed. (Numbers, times, money and units become words in each language's own
way: ``Pack.say_numbers``.)"""

from __future__ import annotations

import re
import unicodedata

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
