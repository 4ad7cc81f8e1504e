"""Whether a sentence is speech at all: her name as a speaker label, text that cannot be said
aloud, a line for another speaker, the person's own words echoed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from samantha.companion.replies import fold
from samantha.inference.speech_text import has_words, speakable
from samantha.lang import Pack
from samantha.lang.protocols import KEEP, Reply, Verdict, drop, judged

_SPEAKER = re.compile(r"^(samantha|assistant|ai)\s*:\s*", re.IGNORECASE)
_OTHER_SPEAKER = re.compile(r"^(person|user|human|you)\s*:", re.IGNORECASE)


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
