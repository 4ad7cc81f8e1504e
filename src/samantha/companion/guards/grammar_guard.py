"""Guards on the form of what the model writes: parroting (every language), and in Korean the
words that do not exist and the owner's speech level (Kiwi, ``lang/ko/grammar``). ``NAMES`` are
their names, for ``Conversation.skip_guards``.

Kiwi is loaded lazily, on the first Korean sentence: an English turn never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from samantha.companion.guards import parrot
from samantha.config import Persona
from samantha.lang import Pack, script
from samantha.lang.protocols import KEEP, Reply, Verdict, drop, judged

NAMES = frozenset({"parroting", "non-words", "speech level"})


def check(sentence: str, heard: str, banmal: bool, name: str = "Samantha") -> tuple[str, str]:
    """The three guards on one sentence outside a turn: why it is dropped ('' if it is not), and
    the sentence at the owner's level (the Korean-replies bench and the tests)."""
    from samantha.companion.exchange import Exchange
    from samantha.lang import pack_for

    persona = Persona(name=name, formality="banmal" if banmal else "casual")
    reply = Exchange(text=heard, pack=pack_for(sentence, pack_for(heard, _home())))
    for guard in (Parrot(), NonWords(lambda: persona), SpeechLevel(lambda: persona)):
        verdict = guard.check(sentence, reply)
        if verdict.action == "drop":
            return verdict.why, sentence
        if verdict.action == "rewrite":
            sentence = verdict.text
    return "", sentence


def _home() -> Pack:
    from samantha.lang import get

    return get("en")


@dataclass(frozen=True, slots=True)
class Parrot:
    """Her person's sentence said back as her own ("I had a rough day." -> "I had a rough
    day, too.")."""

    name: str = "parroting"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.code in ("en", "ko")  # the content words of each (parrot.py)

    def check(self, sentence: str, reply: Reply) -> Verdict:
        code = "ko" if script.has(sentence, "hangul") else "en"
        if parrot.parrots(sentence, reply.text, code):
            return drop("her person's sentence, said as her own")
        return KEEP


@dataclass(frozen=True, slots=True)
class NonWords:
    """A Korean sentence with a word Kiwi cannot read (an invented compound): dropped. The
    person's own words and her name are never taken for non-words."""

    persona: Callable[[], Persona]
    name: str = "non-words"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.code == "ko"

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if not script.has(sentence, "hangul"):
            return KEEP
        from samantha.lang.ko import grammar  # Kiwi: only when she speaks Korean

        word = grammar.unreadable(sentence, (reply.text, self.persona().name))
        return drop(f"a word that does not exist: {word}") if word else KEEP


@dataclass(frozen=True, slots=True)
class SpeechLevel:
    """Every Korean sentence at the owner's level: haeyo-che, or banmal with ``formality =
    banmal`` (a formal hamnida lecture ending is conjugated, not dropped)."""

    persona: Callable[[], Persona]
    name: str = "speech level"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.code == "ko"

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if not script.has(sentence, "hangul"):
            return KEEP
        from samantha.lang.ko import grammar, persona

        level = "banmal" if persona.banmal(self.persona()) else "haeyo"
        return judged(sentence, grammar.to_level(sentence, level), f"brought to {level}")
