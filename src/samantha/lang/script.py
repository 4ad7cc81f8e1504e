"""Which writing system a text is in: one table of Unicode ranges, the only such test.

Every "is this Korean?" question in the code base is asked here (``lang.pack_for`` picks the
language pack of an utterance with it). A script is a name and its code-point ranges; a language
pack names the script it is written in.
"""

from __future__ import annotations

from collections.abc import Iterable

SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "hangul": ((0xAC00, 0xD7A3),   # precomposed syllables
               (0x1100, 0x11FF),   # jamo
               (0x3130, 0x318F)),  # compatibility jamo
    "kana": ((0x3040, 0x30FF),),
    "han": ((0x4E00, 0x9FFF),),
    "cyrillic": ((0x0400, 0x04FF),),
    "latin": ((0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F),
              (0x1E00, 0x1EFF)),  # Latin Extended Additional (Vietnamese, "phở")
}
"""Script name → the ranges of its letters (inclusive)."""

SYLLABLES = (0xAC00, 0xD7A3)
"""Hangul's precomposed syllables: a final consonant is ``(code - 0xAC00) % 28 != 0``."""


SYMBOLS = ((0x0370, 0x03FF),)
"""Greek letters: in English or Korean text they are symbols (π, α, Ω), which a voice reads."""


def in_script(ch: str, script: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in SCRIPTS[script])


def has(text: str, script: str) -> bool:
    """Does ``text`` hold any letter of ``script``?"""
    ranges = SCRIPTS[script]
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in ranges)


def share(text: str, script: str) -> float:
    """The fraction of ``text``'s letters that are in ``script`` (0 when it has none)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(in_script(ch, script) for ch in letters) / len(letters)


def char_class(script: str) -> str:
    """The script as a regular-expression character class body: ``[`` + this + ``]``."""
    return "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in SCRIPTS[script])


def unreadable(text: str, scripts: Iterable[str]) -> str:
    """The letters of ``text`` in none of ``scripts``, nor Latin, nor Greek symbols: what a
    voice for those scripts cannot read (Cyrillic, Chinese characters, kana, Thai ...)."""
    ranges = [r for name in {*scripts, "latin"} for r in SCRIPTS[name]] + list(SYMBOLS)
    return "".join(ch for ch in text
                   if ch.isalpha() and not any(lo <= ord(ch) <= hi for lo, hi in ranges))
