"""How a sentence is said: her first sentence without a dangling link, a bare yes or no said as
a person would, nothing abusive and no diagnosis (a calm line instead, once), numbers as her
voice reads them, and the reply kept to its length."""

from __future__ import annotations

from dataclasses import dataclass

from samantha.companion import replies, say_filter
from samantha.companion.guards import own
from samantha.lang import Pack
from samantha.lang.protocols import KEEP, Reply, Verdict, drop, judged


@dataclass(frozen=True, slots=True)
class Opening:
    """"However, I can tell you ..." as her first sentence loses its "However"."""

    name: str = "opening"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return pack.words.opening_link is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if not reply.first:
            return KEEP
        return judged(sentence, replies.opening(sentence, own(sentence, reply)),
                      "a link to nothing before it")


@dataclass(frozen=True, slots=True)
class Stance:
    """A bare "No." to a leading question becomes "Honestly, I don't think that's true."."""

    name: str = "stance"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return pack.words.bare_stance is not None and bool(pack.phrases.stance)

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if reply.leading not in ("claim", "plan"):
            return KEEP
        said = replies.stance(sentence, reply.leading == "plan", own(sentence, reply))
        return judged(sentence, said, "a bare yes or no")


@dataclass(frozen=True, slots=True)
class OutputFilter:
    """Abuse is never spoken: a calm line instead (``companion.say_filter``)."""

    name: str = "output filter"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return True  # say_filter keeps a word list for every language she speaks

    def check(self, sentence: str, reply: Reply) -> Verdict:
        speak = say_filter.for_speech(sentence)  # "This fucking pizza" -> "This pizza"
        if speak is None and say_filter.blocked(reply.text) and not say_filter.abusive(reply.text):
            return drop("the person's swearing, said back")  # not hers to say, nor a calm line
        if speak is None:
            return Verdict("replace", say_filter.calm_line(sentence), "abusive words")
        return judged(sentence, speak, "an intensifier left out")


@dataclass(frozen=True, slots=True)
class Diagnoses:
    """She never labels the person with a condition ("you sound depressed")."""

    name: str = "diagnoses"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return pack.words.diagnosis is not None

    def check(self, sentence: str, reply: Reply) -> Verdict:
        pattern = own(sentence, reply).words.diagnosis
        if pattern is not None and pattern.search(sentence):
            return Verdict("replace", say_filter.calm_line(sentence), "a diagnosis")
        return KEEP


@dataclass(frozen=True, slots=True)
class Numbers:
    """Numbers, times and money as the sentence's language says them (``Pack.say_numbers``)."""

    name: str = "numbers"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        return judged(sentence, own(sentence, reply).say_numbers(sentence), "digits as words")


@dataclass(frozen=True, slots=True)
class Length:
    """Her reply is kept to about three sentences: cut at the last clause that fits."""

    name: str = "length"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if reply.budget <= 0:
            return drop("the reply is long enough")
        said = replies.fit(sentence, reply.budget)
        return judged(sentence, said, "cut to length") if said else drop("no room left")
