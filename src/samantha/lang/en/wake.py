"""Her name said in Latin letters: "hey Samantha", "Samanta", "Samantha," or split by whisper
("Sam Antha"), within the first few words, so "I told Samantha" is not a wake."""

from __future__ import annotations

import difflib
import re
import unicodedata

_GREETINGS = {"hey", "hi", "hello", "ok", "okay", "oh", "yo", "um", "uh", "so", "dear", "hay",
              "a", "hey,", "excuse", "me"}
STOP_WORDS = frozenset({
    "stop", "stop it", "stop talking", "stop please", "please stop", "okay stop", "ok stop",
    "be quiet", "quiet", "hush", "shush", "shut up", "enough", "that's enough", "never mind",
    "nevermind", "cancel", "stop stop", "silence"})
"""Whole requests that only ask her to be quiet."""


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[\w']+", text)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def match(transcript: str, phrase: str, similarity: float = 0.75) -> tuple[bool, str]:
    """(woke, what was said after her name)."""
    target = "".join(words(phrase))
    if not target:
        return False, transcript
    said = words(transcript)
    raw_tokens = list(re.finditer(r"[\w']+", unicodedata.normalize("NFKC", transcript)))
    for start in range(min(3, len(said))):
        if start and said[start - 1] not in _GREETINGS:
            break
        for span in (1, 2, 3):
            joined = "".join(said[start:start + span])
            if start + span > len(said):
                break
            if abs(len(joined) - len(target)) > 3:  # "I told Samantha" is not a name
                continue
            candidates = {joined, joined.removesuffix("s"), joined.removesuffix("'s")}
            if max(_similar(c, target) for c in candidates) >= similarity:
                end_token = raw_tokens[start + span - 1].end() if raw_tokens else 0
                rest = unicodedata.normalize("NFKC", transcript)[end_token:]
                return True, rest.lstrip(" ,.!?;:-").strip()
    return False, transcript
