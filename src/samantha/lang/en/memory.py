"""English memory: what a stored fact is about, and questions about the person answered from
what they told her, in the second person ("What am I allergic to?" → "You're allergic to
peanuts.", never "I am allergic to peanuts."), including their notes ("Where is the wifi
password?" → "Your note says: the wifi password is on the fridge.").

Facts are the model's sentences about "the person" (``companion.facts``); these patterns read
the shapes its examples teach it. Pure text, microseconds.
"""

from __future__ import annotations

import re

from samantha.lang import recollect
from samantha.lang.en.words import WORDS

_I = re.IGNORECASE
KIN = {"sister", "brother", "mother", "mom", "mum", "father", "dad", "wife", "husband", "son",
       "daughter", "friend", "partner", "boyfriend", "girlfriend", "cat", "dog", "pet",
       "grandmother", "grandma", "grandfather", "grandpa", "aunt", "uncle", "cousin", "niece",
       "nephew", "boss", "neighbour", "neighbor", "baby", "kid", "child", "puppy", "kitten"}

_WHO = r"(?P<who>[Tt]he person(?:'s (?P<kin>[\w -]+?))?|(?P<name>[A-Z][\w'-]+))"
_OWN_NAME = re.compile(r"^the person(?:'s name is| is called| is named| goes by) "
                       r"(?P<value>[\w'-]+)", _I)
_NAMED = re.compile(r"^the person's (?P<whom>[\w -]+?)(?:'s name is| name is| is called| is "
                    r"named) (?P<value>[\w'-]+)", _I)
_HOME = re.compile(r"^" + _WHO + r" (?:now |recently |just )?(?:lives|is living|has moved|"
                   r"moved|relocated|is moving|has relocated)(?: now)? (?:in|to|at|into) "
                   r"(?P<value>.+?)\.?$")
_JOB = re.compile(r"^the person (?:now )?(?:works|is working|worked) as (?P<v1>.+?)\.?$|"
                  r"^the person's (?:job|occupation|profession|work) is (?P<v2>.+?)\.?$|"
                  r"^the person is (?:now )?(?:employed|working) as (?P<v3>.+?)\.?$|"
                  r"^the person is (?:now )?an? (?P<v4>[\w -]+?) now\.?$", _I)
_IS = re.compile(r"^the person's (?P<whom>[\w -]+?) is (?P<value>.+?)\.?$", _I)


_NEW_JOB = re.compile(r"\b(?:changed (?:jobs|careers)|(?:got|have|started) a new job|switched "
                      r"(?:jobs|careers)|new job)\b.*?\b(?:i'?m|i am) (?:now )?(?:an? )?"
                      r"(?P<job>[a-z][\w -]{1,40}?)(?: now)?[.!]?$", _I)


def facts_from(text: str) -> list[str] | None:
    """Facts found by rule where the model was unsure of them (a new job said as "I'm a
    librarian now"); None: the model extracts the facts (``companion.facts``)."""
    if m := _NEW_JOB.search(text.strip()):
        return [f"The person works as {_a(m.group('job'))}."]
    return None


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def about(fact: str) -> tuple[str, str, str]:
    """(whom, what, value) a stored fact is about (``Pack.about``)."""
    fact = " ".join(fact.split())
    if m := _OWN_NAME.match(fact):
        return "person", "name", m.group("value")
    if m := _NAMED.match(fact):
        return m.group("whom").lower(), "name", m.group("value")
    if m := _HOME.match(fact[:1].upper() + fact[1:]) or _HOME.match(fact):
        return _whom(m), "home", m.group("value")
    if m := _JOB.match(fact):
        return "person", "job", next(v for v in m.groups() if v)
    if m := _IS.match(fact):
        whom = m.group("whom").lower()  # a name, or an attribute: their address, ...
        return (whom, "name", m.group("value")) if whom in KIN else \
            ("person", f"is:{whom}", m.group("value"))
    if m := re.match(_WHO, fact[:1].upper() + fact[1:], _I):
        return _whom(m), "", ""
    return "", "", ""


def _whom(m: re.Match[str]) -> str:
    if m.group("kin"):
        return str(m.group("kin")).lower()
    if m.group("name") and m.group("name").lower() != "the":
        return str(m.group("name")).lower()
    return "person"


_ABOUT_THEM = re.compile(r"^(?:(?:hey|so|and|um|ok(?:ay)?|oh|wait)[, ]+)*(?:what|where|who|when|"
                         r"which|how (?:old|long)|do you (?:know|remember)|can you (?:tell|"
                         r"remind) me)\b", _I)
_SELF = re.compile(r"\b(?P<i>i|mine|i'm)\b|\bmy (?P<kin>\w+)", _I)
_ADVICE = re.compile(r"\b(should|shall|could|can|may|would) i\b|\bwhat (do|should) i (do|eat|"
                     r"make|cook|have|wear|say|buy)\b(?! for (a )?(work|living))|\bhow (do|can) i"
                     r"\b|\brecommend|\bsuggest|\bideas?\b", _I)
_SLOTS = (("home", re.compile(r"\b(where\b.*\b(live|living|stay|moved?)|address)\b", _I)),
          ("job", re.compile(r"\b(job|work|living|profession|occupation)\b", _I)),
          ("name", re.compile(r"\b(name|called|named)\b", _I)))
_NOTES = re.compile(r"\b(what|which|read|list|any|tell me)\b.*\bnotes\b|\bwhat did i (note|"
                    r"write down)\b", _I)


def ask(text: str, facts: list[str], notes: list[str]) -> str:
    """Her answer from memory to a question about the person or their notes; '' when it is not
    such a question, or when nothing she keeps answers it (the model answers then)."""
    from samantha.lang.en.recall import second_person

    if _NOTES.search(text):
        return ("Your notes: " + "; ".join(_yours(n) for n in notes[-5:]) + ".") if notes else \
            "You don't have any notes yet."
    if not text.rstrip().endswith("?") and not _ABOUT_THEM.search(text):
        return ""
    want = recollect.words(text, WORDS.filler)
    self_ = _SELF.search(text)
    if self_ and _ABOUT_THEM.search(text) and not _ADVICE.search(text):
        kin = str(self_.group("kin") or "").lower()
        whom = kin if kin in KIN else ("" if kin else "person")
        slot = next((name for name, p in _SLOTS if p.search(text)), "")
        found = recollect.best(want, facts, about, WORDS.filler, whom, slot, at_least=0.6)
        if found:
            return " ".join(second_person(f) for f in found)
        if slot:  # "where do I live?" with nothing kept: honest, not a made-up home
            return "You haven't told me that yet. I'd love to know, if you want to tell me."
    note = recollect.note_for(want, notes, WORDS.filler, fewest=2)
    return f"Your note says: {_yours(note)}." if note else ""


def _yours(note: str) -> str:
    from samantha.lang.en.secretary import yours

    return yours(note.rstrip(". "))
