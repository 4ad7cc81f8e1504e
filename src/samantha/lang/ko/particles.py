"""Korean particles chosen by the word before them: 은/는, 이/가, 을/를, 이에요/예요.

A word ending on a closed syllable (one with a final consonant, 받침) takes the first form:
"목록은", "계란을", "알람이"; an open one the second: "리스트는", "우유를", "타이머가".
"""

from __future__ import annotations

from samantha.lang.script import SYLLABLES


def has_final(word: str) -> bool:
    """Does ``word`` end on a Hangul syllable with a final consonant? (Not Hangul: no.)"""
    last = word.strip()[-1:]
    if not last:
        return False
    code = ord(last)
    return SYLLABLES[0] <= code <= SYLLABLES[1] and (code - SYLLABLES[0]) % 28 != 0


def topic(word: str) -> str:
    """은/는, the topic particle."""
    return "은" if has_final(word) else "는"


def subject(word: str) -> str:
    """이/가, the subject particle."""
    return "이" if has_final(word) else "가"


def object_(word: str) -> str:
    """을/를, the object particle."""
    return "을" if has_final(word) else "를"


def copula(word: str) -> str:
    """``word`` + 이에요/예요 ("민수예요", "지민이에요")."""
    return f"{word}{'이에요' if has_final(word) else '예요'}"
