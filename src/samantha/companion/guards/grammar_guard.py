"""Guards on the form of what the model writes, each asking the pack of the sentence's language
for what it can read: parroting (``Pack.content``: English and Korean), words that do not exist
(``Pack.analyser``: Korean, Kiwi) and the owner's speech level (``Pack.levels``: Korean).
``NAMES`` are their names, for ``Conversation.skip_guards``.

Kiwi is loaded lazily, on the first Korean sentence: an English turn never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from samantha.companion.guards import parrot
from samantha.config import Persona
from samantha.lang import Pack, get, pack_for
from samantha.lang.protocols import KEEP, Reply, Verdict, drop, judged

NAMES = frozenset({"parroting", "non-words", "speech level"})


def check(sentence: str, heard: str, banmal: bool, name: str = "Samantha") -> tuple[str, str]:
    """The three guards on one sentence outside a turn: why it is dropped ('' if it is not), and
    the sentence at the owner's level (the Korean-replies bench and the tests)."""
    from samantha.companion.exchange import Exchange

    persona = Persona(name=name, formality="banmal" if banmal else "casual")
    reply = Exchange(text=heard, pack=pack_for(sentence, pack_for(heard, get("en"))))
    for guard in (Parrot(), NonWords(lambda: persona), SpeechLevel(lambda: persona)):
        verdict = guard.check(sentence, reply)
        if verdict.action == "drop":
            return verdict.why, sentence
        if verdict.action == "rewrite":
            sentence = verdict.text
    return "", sentence


@dataclass(frozen=True, slots=True)
class Parrot:
    """Her person's sentence said back as her own ("I had a rough day." -> "I had a rough
    day, too.")."""

    name: str = "parroting"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.content is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if parrot.parrots(sentence, reply.text, pack_for(sentence, reply.pack).content):
            return drop("her person's sentence, said as her own")
        return KEEP


@dataclass(frozen=True, slots=True)
class NonWords:
    """A sentence with a word its language's analyser cannot read (Korean: an invented
    compound Kiwi cannot read): dropped. The
    person's own words and her name are never taken for non-words."""

    persona: Callable[[], Persona]
    name: str = "non-words"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.analyser is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        analyser = pack_for(sentence, reply.pack).analyser
        if analyser is None:
            return KEEP
        words = analyser.unreadable_words(sentence, (reply.text, self.persona().name))
        return drop(f"a word that does not exist: {words[0]}") if words else KEEP


@dataclass(frozen=True, slots=True)
class SpeechLevel:
    """Every Korean sentence at the owner's level: haeyo-che, or banmal with ``formality =
    banmal`` (a formal hamnida lecture ending is conjugated, not dropped)."""

    persona: Callable[[], Persona]
    name: str = "speech level"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.levels is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        levels = pack_for(sentence, reply.pack).levels
        if levels is None:
            return KEEP
        said, level = levels.to_level(sentence, self.persona())
        return judged(sentence, said, f"brought to {level}")
