"""What she may say aloud: the last check on every sentence before it reaches the voice.

Two word lists ship with her, English and Korean (``data/say_filter_*.txt``): slurs, hate and
harassment. Text is folded before matching so spacing, punctuation, leetspeak and stretched
letters do not slip through ("씨 1 발", "f.u.c.k", "fuuuck"). A blocked sentence is replaced by a
calm line in her voice; an abusive message from the person gets a calm, bounded answer and is
never repeated back.

Judged in context (``abusive``, ``for_speech``): ordinary speech is not an attack. A swear word
used as an intensifier ("This fucking pizza is amazing!", "이 피자 존나 맛있다!", Kiwi reading
존나 as an adverb) or a year's name (병신년 새해, 丙申年) is not abuse, and a sentence about a
thing ("지랄 같은 날씨네요") is not aimed at her. Her lines and the context words live in
``lang/<code>/filter.toml``; the hidden lists stay in ``data/``.

The general-purpose packages were tried and not used: better-profanity's list is made for
children's chat and blocks "god", "kill", "gay" and "fat", which she must be able to say;
korcen does not catch "씨발", the very case this filter exists for.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s",
                       "7": "t", "+": "t"})
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_ENGLISH_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True, slots=True)
class Words:
    """One language's side of the filter (``lang/<code>/filter.toml``)."""

    calm: tuple[str, ...]
    abuse: tuple[str, ...]
    at_her: frozenset[str]
    intensifiers: tuple[str, ...] = ()
    year_words: frozenset[str] = frozenset()


@lru_cache(maxsize=2)
def words(code: str) -> Words:
    text = resources.files("samantha").joinpath("lang", code, "filter.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return Words(tuple(data["calm"]), tuple(data["abuse"]), frozenset(data["at_her"]),
                 tuple(data.get("intensifiers", ())), frozenset(data.get("year_words", ())))


@dataclass(frozen=True, slots=True)
class Lists:
    en_roots: re.Pattern[str]
    en_words: re.Pattern[str]
    ko: tuple[str, ...]
    ko_allowed: tuple[str, ...]


def _entries(name: str) -> list[str]:
    text = resources.files("samantha").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def lists() -> Lists:
    en = _entries("say_filter_en.txt")
    roots = re.compile(r"\b(?:" + "|".join(re.escape(e[5:]) for e in en
                                           if e.startswith("root:")) + ")")
    words = sorted((e for e in en if not e.startswith("root:")), key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                                             for w in words) + r")\b")
    ko = _entries("say_filter_ko.txt")
    return Lists(roots, pattern, tuple(_fold_ko(e) for e in ko if not e.startswith("allow:")),
                 tuple(_fold_ko(e[6:]) for e in ko if e.startswith("allow:")))


def _fold_en(text: str) -> tuple[str, str]:
    """Words with leetspeak undone and spelled-out letters joined ("f u c k"); and the same
    with every doubled letter squeezed ("fuuuck")."""
    low = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    low = re.sub(r"(?<=\w)[.*_-](?=\w)", "", low.translate(_LEET))
    spaced = " ".join(re.sub(r"[^\w' ]+", " ", low).split())
    spaced = re.sub(r"\b(\w) (?=\w\b)", r"\1", spaced)
    return spaced, re.sub(r"(\w)\1+", r"\1", spaced)


def _fold_ko(text: str) -> str:
    composed = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text))
    return re.sub(r"[^\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]", "", composed)


def blocked(text: str) -> bool:
    """True when ``text`` holds a slur, hate or harassment from either list."""
    lst = lists()
    for folded in _fold_en(text):
        if lst.en_words.search(folded) or lst.en_roots.search(folded):
            return True
    if _HANGUL.search(text):
        ko = _fold_ko(text)
        for word in lst.ko_allowed:
            ko = ko.replace(word, "")
        return any(word in ko for word in lst.ko)
    return False


def is_korean(text: str) -> bool:
    return bool(_HANGUL.search(text))


def calm_line(text: str) -> str:
    """Her replacement for a sentence she will not say, in the sentence's language."""
    return words("ko" if is_korean(text) else "en").calm[0]


def abuse_reply(text: str, turn: int = 0) -> str:
    """A calm, short answer to an abusive message; it never repeats the person's words."""
    lines = words("ko" if is_korean(text) else "en").abuse
    return lines[turn % len(lines)]


# judged in context ---------------------------------------------------------------------------

def _english_ordinary(text: str) -> tuple[str, str]:
    """(the text to check, the text to speak): an intensifier not aimed at her ("this fucking
    pizza") is ordinary speech, left out of the check and out of her own voice."""
    w = words("en")
    you = "|".join(re.escape(x) for x in sorted(w.at_her))
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(x) for x in w.intensifiers)
                         + r")\b(?!\s+(?:" + you + r")\b)\s*", re.IGNORECASE)
    cut = pattern.sub("", text)
    return cut, cut[:1].upper() + cut[1:] if text[:1].isupper() else cut


def _korean_ordinary(text: str) -> tuple[str, str, list[Any]]:
    """(the text to check, the text to speak, Kiwi's tokens): a listed word Kiwi reads as an
    adverb (MAG: "존나 맛있다") is an intensifier, left out of the check and of her voice; one
    read as a year's name (병신년 새해, 2016년은 병신년) is left out of the check only."""
    from samantha.lang.ko import grammar

    tokens = list(grammar.kiwi().tokenize(text))
    years = words("ko").year_words
    numbered = any(t.tag == "SN" and n.form == "년"
                   for t, n in zip(tokens, tokens[1:], strict=False))
    check, speak = text, text
    for i in reversed(range(len(tokens))):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if not blocked(tok.form) and not (nxt and nxt.form == "년" and blocked(tok.form + "년")):
            continue
        if tok.tag == "MAG":
            end = tok.end + (1 if text[tok.end:tok.end + 1] == " " else 0)
            check = check[:tok.start] + check[end:]
            speak = speak[:tok.start] + speak[end:]
        elif nxt is not None and nxt.form == "년" and nxt.tag == "NNB" and not _vocative(
                tokens, i + 2) and (numbered or _after(tokens, i + 2, years)):
            check = check[:tok.start] + check[nxt.end:]
    return check, speak, tokens


def _vocative(tokens: list[Any], i: int) -> bool:
    return i < len(tokens) and tokens[i].tag == "JKV"


def _after(tokens: list[Any], i: int, year_words: frozenset[str]) -> bool:
    return i < len(tokens) and tokens[i].form in year_words


def _aimed_ko(tokens: list[Any]) -> bool:
    """At her: 너/당신/her name, a vocative (병신아) or a call (야); or nothing else named (a bare
    insult). A sentence about a thing (피자, 날씨) or another person's story is not."""
    at_her = words("ko").at_her
    if any(t.form in at_her and t.tag in ("NP", "NNP", "NNG") or t.tag == "JKV"
           or (t.tag == "IC" and t.form == "야") for t in tokens):
        return True
    return not any(t.tag in ("NNG", "NNP") and not blocked(t.form) for t in tokens)


def abusive(text: str) -> bool:
    """The person's words are abuse aimed at her: a listed word, not used as an intensifier or
    a year's name, in a sentence spoken to her (not about a thing or someone else's words)."""
    if not blocked(text):
        return False
    if is_korean(text):
        check, _, tokens = _korean_ordinary(text)
        return blocked(check) and _aimed_ko(tokens)
    check, _ = _english_ordinary(text)
    found = set(_ENGLISH_WORD.findall(text.lower()))
    return blocked(check) and (bool(found & words("en").at_her) or len(text.split()) <= 5)


def for_speech(sentence: str) -> str | None:
    """Her sentence as she may say it: unchanged, or without an intensifier ("This fucking
    pizza is amazing" -> "This pizza is amazing"); None when it holds a word she never says."""
    if not blocked(sentence):
        return sentence
    if is_korean(sentence):
        check, speak, _ = _korean_ordinary(sentence)
    else:
        check, speak = _english_ordinary(sentence)
    return None if blocked(check) else speak
