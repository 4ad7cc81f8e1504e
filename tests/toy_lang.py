"""A third language in one file, to prove a language is one folder: Pirate ("xx"), written in
Latin letters, with its own persona, words, phrases, one rule and one guard of its own, and
honest declarations of the shared rules it has no words for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from samantha.config import Persona
from samantha.inference.protocols import LanguageModel
from samantha.lang import Pack
from samantha.lang.protocols import (
    KEEP,
    Analyser,
    Answer,
    Content,
    Guard,
    Levels,
    Phrases,
    Reply,
    Rule,
    Said,
    Store,
    Sums,
    Swearing,
    Verdict,
    Words,
    drop,
)

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Ahoy:
    """A greeting is answered in kind, by rule."""

    name: str = "ahoy"

    def applies(self, pack: Pack) -> bool:
        return True

    async def answer(self, said: Said) -> Answer | None:
        if re.fullmatch(r"\s*ahoy[!.]?\s*", said.text, _I):
            return Answer(f"Ahoy, matey! {said.persona.name} be listenin'.")
        return None


@dataclass(frozen=True, slots=True)
class NoLandlubber:
    """She never calls her person a landlubber."""

    name: str = "landlubber"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        return drop("an insult") if re.search(r"\blandlubber\b", sentence, _I) else KEEP


WORDS = Words(
    refusal=re.compile(r"\bi be not helpin'? wi(?:th|') that\b", _I),
    help_desk=re.compile(r"\bhow can i be of service\b", _I),
    ai_talk=re.compile(r"\bas a talkin' machine\b", _I),
    opening_link=re.compile(r"^(but|yet),?\s+(?=\w)", _I),
    bare_stance=re.compile(r"^\s*(nay|aye)[.!]?\s*$", _I),
    no_letters=("n",),
    diagnosis=re.compile(r"\bye be scurvy-mad\b", _I),
    low=re.compile(r"\b(sad|sunk|lost at sea)\b", _I),
    tense=re.compile(r"\b(storm|afeared)\b", _I),
    about_self=re.compile(r"\b(i|me|my)\b", _I),
    at_her=re.compile(r"\bye\b", _I),
    remember=re.compile(r"what do ye remember o' me", _I),
    forget_all=re.compile(r"\bforget it all\b", _I),
    forget_that=re.compile(r"\bforget that\b", _I),
    what_she_is=re.compile(r"\bbe ye a real (person|pirate)\b", _I),
)

PHRASES = Phrases(
    yes="Aye?",
    not_a_person="Nay, I be no person. I be {name}, a voice in this wee box.",
    cannot_switch="I cannot work the {thing}, matey.",
    save_failed="I couldn't stow that",
    forget_failed="I couldn't throw that overboard",
    forgot_all="Aye, I forgot it all.",
    forgot_that="Aye, I forgot {what}.",
    nothing_to_forget="There be nothin' to forget.",
    not_remembered="I had no such thing in me hold.",
    which_one="Which one: {options}",
    or_=" or ",
    remember_none="Nothin' yet, matey.",
    remember_intro="Here be what I remember: ",
    stance={"no-plan": "Nay, that be a poor plan.", "no-claim": "Nay, that be not true.",
            "yes-plan": "Aye, a fine plan.", "yes-claim": "Aye, 'tis true."},
)


@dataclass(frozen=True)
class Pirate:
    code: str = "xx"
    script: str = "latin"
    locale: str = "en_XX"
    asr_unsure: float = -0.6
    content: Content | None = None
    analyser: Analyser | None = None
    levels: Levels | None = None
    sums: Sums | None = None
    swearing: Swearing | None = None
    voice: str = ""
    stop_words: frozenset[str] = frozenset({"avast", "belay that"})
    words: Words = WORDS
    phrases: Phrases = PHRASES
    rules: tuple[Rule, ...] = (Ahoy(),)
    guards: tuple[Guard, ...] = (NoLandlubber(),)
    not_applicable: Mapping[str, str] = field(default_factory=lambda: {
        "non-words": "no analyser for English words yet (Kiwi reads Korean)",
        "speech level": "English has no speech levels to keep",
        "parroting": "a toy: no content words for Pirate (companion/guards/parrot.py)",
        "devices": "pirates switch nothing: no device words yet",
        "health made light of": "no health words in this toy yet",
        "comfort": "the model comforts well enough in Pirate",
        "crisis": "a toy: no crisis words (a real language ships lang/<code>/crisis.toml)",
        "persona kept": "a toy: no words for injected instructions or her prompt yet",
        "her life": "a toy: no questions about her life yet",
        "cannot do": "a toy: no words for messages, calls or orders yet",
        "prompt leak": "a toy: no prompt_run set",
        "new persona": "a toy: no words for an offered name yet",
        "human life": "a toy: no words for a human life yet",
        "claimed action": "a toy: no words for claimed actions yet",
        "short version": "a toy: no words for requests too long for a voice yet",
        "unsuitable suggestion": "a toy: no words for allergies, diets or exercise",
        "sums": "a toy: no words for numbers or sums yet",
    })

    def wake(self, transcript: str, phrase: str, similarity: float) -> tuple[bool, str]:
        m = re.match(r"\s*(?:ahoy,?\s+)?" + re.escape(phrase) + r"\W*", transcript, _I)
        return (True, transcript[m.end():]) if m else (False, transcript)

    def system_prompt(self, p: Persona) -> str:
        return (f"Ye be {p.name}, a pirate voice in a wee box. Ye be {', '.join(p.traits)}; "
                f"yer humour be {p.humour}. Ye disagree {p.pushback}. Speak Pirate.")

    def examples(self, p: Persona) -> list[tuple[str, str]]:
        return [("Where be the treasure?", "Buried deep where no landlubber finds it, matey.")]

    def turn_note(self) -> str:
        return "Answer in Pirate."

    def fallback(self, said: str, mood: str, p: Persona) -> str:
        return "Arr, tell me more, matey." if mood != "low" else "I be here wi' ye, matey."

    def say_numbers(self, text: str) -> str:
        return re.sub(r"\b7\b", "seven", text)

    def voice_text(self, text: str) -> str:
        return text

    def plainly(self, text: str) -> tuple[str, str] | None:
        m = re.fullmatch(r"(.+?),? aye\?", text.strip(), _I)
        return ("claim", f"Be it true that {m.group(1)}? Say aye or nay.") if m else None

    def mirrors(self, sentence: str, said: str) -> bool:
        return False

    def recall(self, text: str, facts: list[str], notes: list[str]) -> str:
        return ""

    def about(self, fact: str) -> tuple[str, str, str]:
        return "", "", ""

    def facts_from(self, text: str) -> list[str] | None:
        return []

    def yours(self, fact: str) -> str:
        return fact

    async def secretary(self, text: str, store: Store, now: datetime,
                        llm: LanguageModel | None) -> str | None:
        return f"'Tis {now:%H:%M} by the ship's bell." if "what be the hour" in text else None

    def announcement(self, kind: str, text: str, late: bool) -> str:
        return f"Avast! {text or kind}."
