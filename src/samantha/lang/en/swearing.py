"""How English swears without insulting her (``lang.protocols.Swearing``, for the output filter
``companion/say_filter.py``): an intensifier ("This fucking pizza is amazing!") is ordinary
speech unless it is aimed at her ("fucking you") or comes before an insult ("you're a fucking
idiot"), and an insult likened to her ("an idiot like you") is one whatever the hidden list
holds; a sentence is aimed at her when it names her ("you", "Samantha") or is short enough to
be nothing else. The words are ``filter.toml``'s."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cached_property

from samantha.lang.data import hidden, table
from samantha.lang.protocols import Reading

_WORD = re.compile(r"[a-z']+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s",
                       "7": "t", "+": "t"})
SHORT = 5
"""Words in a sentence too short to be about anything but her ("shut up, idiot")."""


def _either(words: list[str]) -> str:
    """An alternation of ``words``, longest first; one that never matches when there are none."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


def fold(text: str) -> tuple[str, str]:
    """Words with leetspeak undone and spelled-out letters joined ("f u c k"); and the same
    with every doubled letter squeezed ("fuuuck")."""
    low = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    low = re.sub(r"(?<=\w)[.*_-](?=\w)", "", low.translate(_LEET))
    spaced = " ".join(re.sub(r"[^\w' ]+", " ", low).split())
    spaced = re.sub(r"\b(\w) (?=\w\b)", r"\1", spaced)
    return spaced, re.sub(r"(\w)\1+", r"\1", spaced)


class Swearing:
    """``lang.protocols.Swearing`` for English."""

    @cached_property
    def _hidden(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """(roots: "root:" entries, matched as word beginnings; whole words and phrases)."""
        entries = hidden("en")
        roots = re.compile(r"\b(?:" + "|".join(re.escape(e[5:]) for e in entries
                                               if e.startswith("root:")) + ")")
        words = sorted((e for e in entries if not e.startswith("root:")), key=len, reverse=True)
        return roots, re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                                                    for w in words) + r")\b")

    def listed(self, text: str) -> bool:
        roots, words = self._hidden
        return any(words.search(f) or roots.search(f) for f in fold(text))

    @cached_property
    def _words(self) -> dict[str, list[str]]:
        return table("en", "filter")

    @cached_property
    def _ordinary(self) -> re.Pattern[str]:
        """An intensifier not before 'you' nor, within two words ("a fucking idiot", "so
        fucking stupid"), an insult."""
        w = self._words
        return re.compile(r"\b(?:" + _either(w["intensifiers"]) + r")\b(?!\s+(?:"
                          + _either(w["at_her"]) + r")\b)(?!(?:\s+\w+)?\s+(?:"
                          + _either(w.get("insults", [])) + r")\b)\s*", re.IGNORECASE)

    @cached_property
    def _insult(self) -> re.Pattern[str]:
        w = self._words
        insults = _either(w.get("insults", []))
        return re.compile(r"\b(?:" + _either(w["intensifiers"]) + r")(?:\s+\w+)?\s+(?:"
                          + insults + r")\b|\b(?:" + insults + r")\s+like\s+(?:"
                          + _either(w["at_her"]) + r")\b", re.IGNORECASE)

    def read(self, text: str, blocked: Callable[[str], bool]) -> Reading:
        cut = self._ordinary.sub("", text)
        speak = cut[:1].upper() + cut[1:] if text[:1].isupper() else cut
        found = set(_WORD.findall(text.lower()))
        at_her = bool(found & set(self._words["at_her"])) or len(text.split()) <= SHORT
        return Reading(cut, speak, at_her, bool(self._insult.search(text)))
