"""Her name in Korean: 사만다, and the spellings whisper writes for it (싸만다, 사만타, 사만따),
called ("사만다야", "사만다아"), with a title ("사만다 씨", "사만다님"), after a greeting ("헤이
사만다", "저기 사만다"). Tolerant like the English matching, but compared letter by letter
(jamo), so one changed consonant (ㅆ for ㅅ, ㅌ for ㄷ) is a near miss, not a different word.
"I told Samantha" has its Korean twin too: "내가 사만다한테 말했어" does not wake her.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from samantha.lang import script

KOREAN_NAMES = {"samantha": ("사만다",)}
"""Korean forms of her (English) names; a name written in Hangul is its own form."""
_GREETINGS = {"헤이", "하이", "저기", "저기요", "야", "안녕", "오케이", "음", "어", "아", "자",
              "hey", "hi", "ok", "okay"}
_CALLS = ("야", "아", "씨", "님", "요")
"""Endings of a name being called, stripped before comparing."""
_TITLES = {"씨", "님"}


def korean_forms(phrase: str) -> tuple[str, ...]:
    """The Korean names to listen for: the phrase itself if written in Hangul, else its known
    Korean forms (none for a name without one)."""
    if script.has(phrase, "hangul"):
        return ("".join(phrase.split()),)
    return KOREAN_NAMES.get("".join(phrase.lower().split()), ())


def _jamo(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _close(word: str, name: str, similarity: float) -> bool:
    candidates = {word}
    for ending in _CALLS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            candidates.add(word.removesuffix(ending))
    return any(abs(len(c) - len(name)) <= 1 and
               difflib.SequenceMatcher(None, _jamo(c), _jamo(name)).ratio() >= similarity
               for c in candidates)


def match_korean(transcript: str, names: tuple[str, ...],
                 similarity: float = 0.75) -> tuple[bool, str]:
    """(woke, the request after her name) for a Korean transcript."""
    text = unicodedata.normalize("NFKC", transcript)
    tokens = list(re.finditer(r"[\w']+", text))
    for start in range(min(3, len(tokens))):
        if start and tokens[start - 1].group(0).lower() not in _GREETINGS:
            break
        for span in (1, 2):
            if start + span > len(tokens):
                break
            word = "".join(t.group(0) for t in tokens[start:start + span])
            if not any(_close(word, name, similarity) for name in names):
                continue
            end = start + span
            if end < len(tokens) and tokens[end].group(0) in _TITLES:
                end += 1
            rest = text[tokens[end - 1].end():]
            return True, rest.lstrip(" ,.!?;:-~").strip()
    return False, transcript
