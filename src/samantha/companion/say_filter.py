"""What she may say aloud: the last check on every sentence before it reaches the voice.

Two word lists ship with her, English and Korean (``data/say_filter_*.txt``): slurs, hate and
harassment. Text is folded before matching so spacing, punctuation, leetspeak and stretched
letters do not slip through ("씨 1 발", "f.u.c.k", "fuuuck"). A blocked sentence is replaced by a
calm line in her voice; an abusive message from the person gets a calm, bounded answer and is
never repeated back.

The general-purpose packages were tried and not used: better-profanity's list is made for
children's chat and blocks "god", "kill", "gay" and "fat", which she must be able to say;
korcen does not catch "씨발", the very case this filter exists for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s",
                       "7": "t", "+": "t"})
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")

CALM_EN = ("I'd rather not say that. I'm still here if you want to talk.",)
CALM_KO = ("그 말은 하지 않을게요. 이야기하고 싶으면 언제든 들을게요.",)
ABUSE_EN = ("That sounded harsh. I'm still here if something is wrong.",
            "I can hear you're upset. I won't talk like that, but I'm listening.",
            "That hurt a little. Do you want to tell me what's going on?")
ABUSE_KO = ("많이 화가 나셨나 봐요. 무슨 일 있었는지 이야기해 줄래요?",
            "그런 말은 저도 하지 않을게요. 그래도 여기서 듣고 있어요.",
            "속상한 일이 있었나 봐요. 천천히 말해 줘요.")


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
    return CALM_KO[0] if is_korean(text) else CALM_EN[0]


def abuse_reply(text: str, turn: int = 0) -> str:
    """A calm, short answer to an abusive message; it never repeats the person's words."""
    lines = ABUSE_KO if is_korean(text) else ABUSE_EN
    return lines[turn % len(lines)]
