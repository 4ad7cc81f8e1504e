"""Korean: everything she needs to hear, think and speak in Korean lives in this folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from samantha.config import Persona
from samantha.inference.protocols import LanguageModel
from samantha.lang import Pack, register
from samantha.lang.ko import memory, mind, numbers, persona, secretary, wake, who
from samantha.lang.ko.reading import KoreanGrammar
from samantha.lang.ko.sums import Sums as KoreanSums
from samantha.lang.ko.swearing import Swearing as KoreanSwearing
from samantha.lang.ko.words import PHRASES, WORDS
from samantha.lang.protocols import (
    Analyser,
    Answer,
    Content,
    Guard,
    Levels,
    Phrases,
    Rule,
    Said,
    Store,
    Sums,
    Swearing,
    Words,
)

KIWI = KoreanGrammar()

STOP_WORDS = frozenset({"그만", "그만해", "그만해요", "그만해 줘", "멈춰", "멈춰 줘", "조용히 해",
                        "조용히 해 줘", "조용", "됐어", "됐어요", "쉿", "취소"})


@dataclass(frozen=True, slots=True)
class Comfort:
    """Grief, failure, loneliness and sadness get a warm line by rule, varied so two turns are
    never answered word for word alike (the small model answered grief with advice)."""

    name: str = "comfort"

    def applies(self, pack: Pack) -> bool:
        return True  # a pack's own rule: other packs have it or say why not

    async def answer(self, said: Said) -> Answer | None:
        line = mind.comfort(said.text, said.turns)
        return Answer(line) if line else None


@dataclass(frozen=True)
class Korean:
    code: str = "ko"
    script: str = "hangul"
    locale: str = "ko_KR"
    asr_unsure: float = -0.7
    """Tuned on the dev split of ``samantha bench --hearing`` (whisper-base)."""
    content: Content | None = KIWI
    analyser: Analyser | None = KIWI
    levels: Levels | None = KIWI
    sums: Sums | None = KoreanSums()
    swearing: Swearing | None = KoreanSwearing()
    voice: str = "ko"
    stop_words: frozenset[str] = STOP_WORDS
    words: Words = WORDS
    phrases: Phrases = PHRASES
    rules: tuple[Rule, ...] = (Comfort(),)
    guards: tuple[Guard, ...] = ()
    not_applicable: Mapping[str, str] = field(default_factory=dict)

    def wake(self, transcript: str, phrase: str, similarity: float) -> tuple[bool, str]:
        forms = wake.korean_forms(phrase)  # 사만다, 싸만다야, 사만타 씨 …
        return wake.match_korean(transcript, forms, similarity) if forms \
            else (False, transcript)

    def system_prompt(self, p: Persona) -> str:
        return persona.system_prompt(p)

    def examples(self, p: Persona) -> list[tuple[str, str]]:
        return persona.examples(p)

    def turn_note(self) -> str:
        return persona.AUTO_NOTE

    def fallback(self, said: str, mood: str, p: Persona) -> str:
        return persona.fallback(said, mood, bool(mind.facts_from(said)), persona.banmal(p))

    def say_numbers(self, text: str) -> str:
        return text  # the Korean voice reads them the Korean way (voice_text): "5분" stays

    def voice_text(self, text: str) -> str:
        return numbers.say_korean(text)

    def plainly(self, text: str) -> tuple[str, str] | None:
        if who.TOO_LONG.search(text):  # more than a voice says at once: a short version
            return "short", f"{text}\n{who.SHORT_NOTE}"
        plain = mind.plainly(text)
        if plain is None:
            return None
        return ("plan" if "좋은 생각" in plain else "claim"), plain

    def mirrors(self, sentence: str, said: str) -> bool:
        return mind.mirrors(sentence, said)

    def recall(self, text: str, facts: list[str], notes: list[str]) -> str:
        return mind.answer(text, facts) or memory.ask(text, facts, notes)

    def about(self, fact: str) -> tuple[str, str, str]:
        return memory.about(fact)

    def facts_from(self, text: str) -> list[str] | None:
        return memory.facts_from(text)

    def yours(self, fact: str) -> str:
        return memory.yours(fact)

    async def secretary(self, text: str, store: Store, now: datetime,
                        llm: LanguageModel | None) -> str | None:
        return secretary.run(text, store, now) if secretary.is_request(text) else None

    def announcement(self, kind: str, text: str, late: bool) -> str:
        return secretary.announcement(kind, text, late)


PACK = register(Korean())
