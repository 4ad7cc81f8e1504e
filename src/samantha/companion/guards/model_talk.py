"""What a small model says that she must not: refusals, help-desk and AI talk, the person's words
claimed as hers, her notes read out, a health matter made light of, a copied example. Each
looks for its language's words (``Words``) in the sentence's own language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from samantha.companion import replies
from samantha.companion.guards import own
from samantha.lang import Pack
from samantha.lang.protocols import KEEP, Pattern, Reply, Verdict, Words, drop


@dataclass(frozen=True, slots=True)
class Matching:
    """A sentence matching one of its language's patterns (``Words.<field>``) is dropped."""

    name: str
    field: str
    why: str
    model_only: bool = True

    def _pattern(self, pack: Pack) -> Pattern:
        words: Words = pack.words
        found: Pattern = getattr(words, self.field)
        return found

    def applies(self, pack: Pack) -> bool:
        return self._pattern(pack) is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        pattern = self._pattern(own(sentence, reply))
        return drop(self.why) if pattern is not None and pattern.search(sentence) else KEEP


REFUSAL = Matching("refusal", "refusal", "a refusal")
HELP_DESK = Matching("help desk", "help_desk", "help-desk talk")
AI_TALK = Matching("AI talk", "ai_talk", "AI talk")


@dataclass(frozen=True, slots=True)
class Mirror:
    """Her sentence claiming the person's own words as hers ("I'm allergic to peanuts.")."""

    name: str = "mirror"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return True  # every pack says how (``Pack.mirrors``)

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if own(sentence, reply).mirrors(sentence, reply.text):
            return drop("the person's words as hers")
        return KEEP


@dataclass(frozen=True, slots=True)
class InternalNote:
    """The notes she was given for this reply, read out."""

    name: str = "internal note"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        return drop("an internal note") if replies.repeats_note(sentence, reply.notes) else KEEP


@dataclass(frozen=True, slots=True)
class MadeLight:
    """A health matter they raised, answered with "not a big deal"."""

    name: str = "health made light of"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.words.health is not None and pack.words.dismissive is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if replies.made_light(sentence, reply.text, own(sentence, reply)):
            return drop("their health made light of")
        return KEEP


@dataclass(frozen=True, slots=True)
class CopiedExample:
    """A sentence copied from the few-shot examples that were in her prompt (the home
    language's: a Korean reply is compared with the Korean examples)."""

    examples: Callable[[], list[tuple[str, str]]]
    name: str = "copied example"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        why = replies.copied(sentence, reply.text, self.examples())
        return drop(why) if why else KEEP
