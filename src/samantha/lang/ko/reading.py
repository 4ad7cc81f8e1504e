"""Kiwi behind the Korean pack's ``Content``, ``Analyser`` and ``Levels`` (``lang.protocols``):
what the parroting, non-word and speech-level guards and the hearing check ask of Korean. Kiwi
is loaded on the first Korean sentence (``grammar.kiwi``): an English turn never pays for it."""

from __future__ import annotations

from samantha.config import Persona
from samantha.lang import script


class KoreanGrammar:
    """``lang.protocols.Content``, ``Analyser`` and ``Levels`` for Korean."""

    def retold(self, sentence: str, heard: str) -> tuple[list[str], list[str]] | None:
        from samantha.lang.ko import grammar

        if grammar.speaks_to_you(sentence):  # a question, an honorific, "you": listening
            return None
        return grammar.content_words(sentence), grammar.content_words(heard)

    def unreadable_words(self, sentence: str, known: tuple[str, ...] = ()) -> list[str]:
        if not script.has(sentence, "hangul"):
            return []
        from samantha.lang.ko import grammar, wake

        names = (*known, *(form for k in known for form in wake.korean_forms(k)))
        return grammar.unreadable_words(sentence, names)

    def clause_end(self, text: str, min_words: int) -> int | None:
        if not script.has(text, "hangul"):
            return None
        from samantha.lang.ko import grammar

        return grammar.clause_end(text, min_words)

    def open_ended(self, words: str) -> bool:
        from samantha.lang.ko import grammar

        return script.has(words, "hangul") and grammar.open_ended(words)

    def warm_up(self) -> None:
        from samantha.lang.ko import grammar

        grammar.kiwi()

    def to_level(self, sentence: str, p: Persona) -> tuple[str, str]:
        from samantha.lang.ko import grammar, persona

        level = "banmal" if persona.banmal(p) else "haeyo"
        return grammar.to_level(sentence, level), level
