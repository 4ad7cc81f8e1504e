"""Her languages, one folder each (``lang/en``, ``lang/ko``): the ``Pack`` every language fills,
the registry, and the one choice of language per utterance.

A pack holds everything that differs between languages: the names she answers to, the speech
recognition and voice it needs, her persona and examples (from the same ``[persona]``
settings), the phrases she says by rule, how times and numbers are read, the secretary's
grammar, the words the shared rules and guards look for (``Words``), and the rules and guards of
its own. A third language is one more folder that calls ``register`` (tests/toy_pack shows it).

``resolve(persona)`` is the home language (``[persona] language``); ``pack_for(text, home)``
is the language of one utterance, chosen once (``Conversation.prepare``) and carried on the
turn's ``Exchange``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from samantha.config import Persona, language_code
from samantha.errors import ConfigError
from samantha.inference.protocols import LanguageModel
from samantha.lang import script
from samantha.lang.protocols import (
    Analyser,
    Content,
    Guard,
    Levels,
    Phrases,
    Rule,
    Store,
    Sums,
    Swearing,
    Words,
)


class Pack(Protocol):
    """One language, whole."""

    @property
    def code(self) -> str:
        """'en', 'ko': also whisper's language code."""

    @property
    def script(self) -> str:
        """Its writing system, a key of ``script.SCRIPTS``."""

    @property
    def locale(self) -> str:
        """Language and region as Wyoming lists a voice ('en_US', 'ko_KR')."""

    @property
    def asr_unsure(self) -> float:
        """whisper's mean log-probability per token under which a transcript in this language
        is a guess (``pipeline.hearing``; tuned on the dev split of ``samantha bench
        --hearing``)."""

    @property
    def content(self) -> Content | None:
        """Its content words (the parroting guard); None: it has none yet."""

    @property
    def analyser(self) -> Analyser | None:
        """Its morphological analyser (non-words, in her sentences and in what she heard)."""

    @property
    def levels(self) -> Levels | None:
        """Its speech levels, kept by a guard; None: the language has none to keep."""

    @property
    def swearing(self) -> Swearing | None:
        """How it swears without insulting (the output filter); None: a listed word is abuse
        wherever it stands."""

    @property
    def sums(self) -> Sums | None:
        """Its sums reader (a rule answers sums exactly); None: it has none yet."""

    @property
    def voice(self) -> str:
        """'' for the Piper voice; else the espeak-ng voice its sentences are spoken with."""

    @property
    def stop_words(self) -> frozenset[str]:
        """Whole requests that only ask her to be quiet ("stop", "be quiet")."""

    @property
    def words(self) -> Words: ...

    @property
    def phrases(self) -> Phrases: ...

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Its own rules, after the shared ones that answer about her and the home."""

    @property
    def guards(self) -> tuple[Guard, ...]:
        """Its own guards, after the speakable and echo checks."""

    @property
    def not_applicable(self) -> Mapping[str, str]:
        """A shared rule or guard (by name) that does not apply in this language, and why."""

    def wake(self, transcript: str, phrase: str, similarity: float) -> tuple[bool, str]:
        """(woke, the request after her name) when her name is said in this language."""

    def system_prompt(self, persona: Persona) -> str: ...

    def examples(self, persona: Persona) -> list[tuple[str, str]]:
        """Few-shot exchanges in her voice, from the same ``[persona]`` settings."""

    def turn_note(self) -> str:
        """Told to a bilingual persona when an utterance is in this language ('' for none)."""

    def fallback(self, said: str, mood: str, persona: Persona) -> str:
        """Her line when nothing the model wrote may be said (``mood``: 'low', 'tense', ...)."""

    def say_numbers(self, text: str) -> str:
        """Digits, units and symbols as the brain leaves them in what she says (and in her
        history): English spells them out; a language whose voice reads them itself keeps them."""

    def voice_text(self, text: str) -> str:
        """A sentence as this language's own voice (``voice``) should be handed it."""

    def plainly(self, text: str) -> tuple[str, str] | None:
        """('claim' or 'plan', the plain question) inside a leading one; None when not."""

    def mirrors(self, sentence: str, said: str) -> bool:
        """Does her ``sentence`` claim the person's own words as hers?"""

    def recall(self, text: str, facts: list[str], notes: list[str]) -> str:
        """A question about the person answered from memory and their notes ('' when it is
        not one)."""

    def about(self, fact: str) -> tuple[str, str, str]:
        """(whom, what, value) a stored fact is about: ("sister", "name", "Hana") for "The
        person's sister is called Hana.", ("hana", "home", "Busan") for "Hana lives in Busan.";
        '' where it cannot tell. A newer fact with the same whom and what replaces the older."""

    def facts_from(self, text: str) -> list[str] | None:
        """Facts found by rule in ``text``; None: the model extracts them."""

    def yours(self, fact: str) -> str:
        """A stored fact as she says it to the person ("the person's" → "your")."""

    async def secretary(self, text: str, store: Store, now: datetime,
                        llm: LanguageModel | None) -> str | None:
        """The answer to a secretary request (time, timers, reminders, notes), or None."""

    def announcement(self, kind: str, text: str, late: bool) -> str:
        """A due reminder, alarm or timer, said in this language."""


_PACKS: dict[str, Pack] = {}


def register(pack: Pack) -> Pack:
    """Adds a language (its folder's ``__init__`` calls this); the last one named wins."""
    _PACKS[pack.code] = pack
    return pack


def unregister(code: str) -> None:
    """Removes a language added with ``register`` (a test's toy pack)."""
    _PACKS.pop(code, None)


_BUILTIN = ("en", "ko")
"""Her own languages' folders, in their order (whichever a caller happened to import first)."""


def packs() -> list[Pack]:
    """Every language she knows: English, Korean, then any other in the order it was added."""
    _load_builtin()
    order = {code: i for i, code in enumerate(_BUILTIN)}
    return sorted(_PACKS.values(), key=lambda p: order.get(p.code, len(order)))


def get(code: str) -> Pack:
    """The pack for a language code or name ('ko', 'Korean'); a clear error when unknown."""
    key = language_code(code)
    for pack in packs():
        if key == pack.code:
            return pack
    known = ", ".join(p.code for p in packs())
    raise ConfigError("language", f"no language pack for {code!r}",
                      f'set [persona] language to one of: {known} (or "auto")')


def resolve(persona: Persona) -> Pack:
    """Her home language: ``[persona] language`` ('auto' is English, answering in kind)."""
    return get("en" if persona.code == "auto" else persona.code)


def bilingual(persona: Persona) -> bool:
    """Does she answer each utterance in its own language (``language = "auto"``)?"""
    return persona.code == "auto"


def spoken(persona: Persona) -> list[Pack]:
    """The languages she hears and speaks: her home language, or every one under "auto"."""
    return packs() if bilingual(persona) else [resolve(persona)]


def pack_for(text: str, home: Pack) -> Pack:
    """The language of one utterance: a pack whose own (non-Latin) script appears in it; else,
    for text in Latin letters only under a home of another script, the Latin-script pack;
    else ``home`` (its own script, or no letters at all)."""
    for pack in packs():
        if pack.script not in (home.script, "latin") and script.has(text, pack.script):
            return pack
    if home.script != "latin" and not script.has(text, home.script) \
            and script.has(text, "latin"):
        return next((p for p in packs() if p.script == "latin"), home)
    return home


def _load_builtin() -> None:
    for code in _BUILTIN:  # each folder registers itself, once
        importlib.import_module(f"samantha.lang.{code}")
