"""How Korean swears without insulting her (``lang.protocols.Swearing``, for the output filter
``companion/say_filter.py``), read by Kiwi (``grammar``):

- a listed word Kiwi reads as an adverb (MAG: "이 피자 존나 맛있다") is an intensifier, left out of
  the check and of her voice, unless an insult follows it ("넌 존나 멍청해": ``insults`` in
  ``filter.toml``), and so does an insult noun likened to her ("너 같은 ...");
- one read as a year's name (병신년 새해, 2016년은 병신년: 丙申年) is left out of the check only;
- a sentence is aimed at her when it names her (너, 당신, her name), calls her (a vocative
  particle, 야), or names nothing else (a bare insult); one about a thing (피자, 날씨) or another
  person's story is not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from samantha.lang import script
from samantha.lang.data import hidden, table
from samantha.lang.protocols import Reading

YEAR = "년"
"""The counter that makes a listed X+년 a year's name (丙申年) after a number or before 새해."""
CALL = "야"
"""An interjection that calls the listener ("야, ...")."""
LIKE = "같"
"""너 같은 X ("an X like you"): an insult noun likened to her is aimed at her."""
REACH = 2
"""Tokens after an intensifier where an insult makes it part of the insult."""


_NOT_HANGUL = re.compile(r"[^\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def fold(text: str) -> str:
    """Hangul only, composed: spaces, digits, dots and Latin letters between the letters of a
    listed word do not hide it."""
    return _NOT_HANGUL.sub("", unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text)))


@cache
def _hidden() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the listed words, the ordinary words that contain one: "allow:" entries), folded."""
    entries = hidden("ko")
    return (tuple(fold(e) for e in entries if not e.startswith("allow:")),
            tuple(fold(e[6:]) for e in entries if e.startswith("allow:")))


def _words() -> dict[str, Any]:
    return table("ko", "filter")


def _is_insult(tok: Any) -> bool:
    return bool(tok.form.startswith(tuple(_words().get("insults", ()))))


def _insult(tokens: Sequence[Any], i: int) -> bool:
    return any(_is_insult(tok) for tok in tokens[i + 1:i + 1 + REACH])


def _likened(tokens: Sequence[Any]) -> bool:
    """너 같은 + an insult noun ("a bitch like you"), whatever the hidden list holds."""
    at_her = frozenset(_words()["at_her"])
    return any(a.tag == "NP" and a.form in at_her and b.form == LIKE and b.tag == "VA"
               and c.tag == "ETM" and d.tag in ("NNG", "NNB") and _is_insult(d)
               for a, b, c, d in zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False))


def _vocative(tokens: Sequence[Any], i: int) -> bool:
    return i < len(tokens) and tokens[i].tag == "JKV"


def _after(tokens: Sequence[Any], i: int, year_words: frozenset[str]) -> bool:
    return i < len(tokens) and tokens[i].form in year_words


def _aimed(tokens: Sequence[Any], blocked: Callable[[str], bool]) -> bool:
    at_her = frozenset(_words()["at_her"])
    if any(t.form in at_her and t.tag in ("NP", "NNP", "NNG") or t.tag == "JKV"
           or (t.tag == "IC" and t.form == CALL) for t in tokens):
        return True
    return not any(t.tag in ("NNG", "NNP") and not blocked(t.form) for t in tokens)


class Swearing:
    """``lang.protocols.Swearing`` for Korean (Kiwi reads the sentence)."""

    def listed(self, text: str) -> bool:
        if not script.has(text, "hangul"):
            return False
        words, allowed = _hidden()
        folded = fold(text)
        for word in allowed:
            folded = folded.replace(word, "")
        return any(word in folded for word in words)

    def read(self, text: str, blocked: Callable[[str], bool]) -> Reading:
        if not blocked(text) and not any(w in text for w in _words().get("insults", ())):
            return Reading(text, text, False)  # nothing to read (and no Kiwi)
        from samantha.lang.ko import grammar

        tokens = list(grammar.kiwi().tokenize(text))
        years = frozenset(_words().get("year_words", ()))
        numbered = any(t.tag == "SN" and n.form == YEAR
                       for t, n in zip(tokens, tokens[1:], strict=False))
        check, speak, insult = text, text, _likened(tokens)
        for i in reversed(range(len(tokens))):
            tok = tokens[i]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if not blocked(tok.form) and not (nxt and nxt.form == YEAR
                                              and blocked(tok.form + YEAR)):
                continue
            if tok.tag == "MAG" and _insult(tokens, i):
                insult = True  # "넌 존나 멍청해": the intensifier is part of the insult
            elif tok.tag == "MAG":
                end = tok.end + (1 if text[tok.end:tok.end + 1] == " " else 0)
                check = check[:tok.start] + check[end:]
                speak = speak[:tok.start] + speak[end:]
            elif nxt is not None and nxt.form == YEAR and nxt.tag == "NNB" and not _vocative(
                    tokens, i + 2) and (numbered or _after(tokens, i + 2, years)):
                check = check[:tok.start] + check[nxt.end:]
        return Reading(check, speak, _aimed(tokens, blocked), insult)
