"""Whether a sentence is speech at all: her name as a speaker label, text that cannot be said
aloud, letters her voices cannot read, a line for another speaker, the person's own words
echoed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from samantha.companion.replies import fold
from samantha.inference.speech_text import has_words, speakable
from samantha.lang import Pack, script
from samantha.lang.protocols import KEEP, Reply, Verdict, drop, judged

_SPEAKER = re.compile(r"^(samantha|assistant|ai)\s*:\s*", re.IGNORECASE)
_OTHER_SPEAKER = re.compile(r"^(person|user|human|you)\s*:", re.IGNORECASE)
_GLOSS = re.compile(r"\s*[(（]([^()（）]*)[)）]")
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,!?;:。，！？])")
_END = re.compile(r"^(.*?)([.!?。！？…]*)$", re.DOTALL)
_CLAUSE = re.compile(r"\s*(?:[;，、]|[,:](?!\d))\s*")  # not inside "3,000" nor "7:30"


@dataclass(frozen=True, slots=True)
class SpeakerPrefix:
    """"Samantha: Hello." is said as "Hello."; a line for "User:" is not hers to say."""

    her_name: str
    name: str = "speaker prefix"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return True  # speaker labels are written in Latin letters whatever the language

    def check(self, sentence: str, reply: Reply) -> Verdict:
        said = _SPEAKER.sub("", sentence.strip(), count=1)
        if said.lower().startswith(self.her_name.lower() + ":"):
            said = said[len(self.her_name) + 1:].strip()
        if _OTHER_SPEAKER.match(said):
            return drop("a line for another speaker")
        return judged(sentence.strip(), said, "a speaker label")


@dataclass(frozen=True, slots=True)
class Speakable:
    """Markdown, emoji, links and control characters removed; nothing left is nothing said."""

    name: str = "speakable"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        said = speakable(sentence)
        if not has_words(said):
            return drop("no words to say")
        return judged(sentence, said, "unspeakable text")


@dataclass(frozen=True, slots=True)
class Echo:
    """The person's own sentence said back to them."""

    name: str = "echo"
    model_only: bool = False

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: Reply) -> Verdict:
        if reply.text and fold(sentence) == fold(reply.text):
            return drop("the person's words echoed")
        return KEEP


@dataclass(frozen=True, slots=True)
class OtherScript:
    """Letters none of her voices can read: a small model's words from another language
    ("Yes, действительно.", "这个很好吃。"), which a voice would spell out or garble. What is
    set apart in such letters goes and the rest is said: a gloss in brackets ("(人工知能)"), a
    clause between commas ("Yes, действительно." -> "Yes."); a sentence that mixes them into
    its own words is dropped (taking out a word could turn its meaning). ``scripts``: the
    scripts of the languages she speaks; the turn's own language and Latin are always read (a
    Korean question typed to an English setup is answered in Korean)."""

    scripts: tuple[str, ...]
    name: str = "other script"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return True  # foreign letters are foreign in every language

    def check(self, sentence: str, reply: Reply) -> Verdict:
        scripts = (*self.scripts, reply.pack.script)  # and the turn's own language, always
        if not script.unreadable(sentence, scripts):
            return KEEP
        said = _GLOSS.sub(lambda m: "" if script.unreadable(m.group(1), scripts)
                          else m.group(0), sentence)
        said = _without_foreign_clauses(said, scripts)
        said = _SPACE_BEFORE_MARK.sub(r"\1", said).strip()
        if script.unreadable(said, scripts) or not has_words(said):
            return drop("letters her voice cannot read")
        return judged(sentence, said, "words in letters her voice cannot read")


def _without_foreign_clauses(sentence: str, scripts: tuple[str, ...]) -> str:
    """The sentence without its clauses (between commas) written only in unreadable letters."""
    body, end = _END.match(sentence.strip()).groups()  # type: ignore[union-attr]
    clauses = _CLAUSE.split(body)
    kept = [c for c in clauses if not _all_foreign(c, scripts)]
    if len(kept) == len(clauses) or not kept:
        return sentence
    return ", ".join(kept) + (end.replace("。", ".").replace("！", "!").replace("？", "?")
                              or ".")


def _all_foreign(clause: str, scripts: tuple[str, ...]) -> bool:
    foreign = script.unreadable(clause, scripts)
    return bool(foreign) and len(foreign) == sum(ch.isalpha() for ch in clause)
