"""Questions about the person answered from what they told her, by rule.

"What's my name?", "Who is Jiwoo?" and "Can I eat a peanut butter sandwich?" (from someone who
said they are allergic to peanuts) must be answered from her memory every time, in the second
person. A small model answers the first with "My name is Minho." and the last with "I can eat a
peanut butter sandwich." So a word match over the stored facts decides, as for the memory
commands: microseconds, no model.
"""

from __future__ import annotations

import re

_MY_NAME = re.compile(r"\b(what'?s|what is|do you (know|remember)) my name\b|\bwho am i\b|"
                      r"\bmy name\?", re.IGNORECASE)
_WHO_IS = re.compile(r"\bwho(?:'s| is| was)\s+(?P<name>[A-Z][\w'-]+)", re.IGNORECASE)
_NAME_FACT = re.compile(r"\bthe person(?:'s name is| is called| is named)\s+(?P<name>[\w'-]+)",
                        re.IGNORECASE)
_ALLERGY = re.compile(r"\ballergic to (?P<what>[\w ,'-]+?)\.?$|\ballerg(?:y|ies) (?:is|are|"
                      r"include|to) (?P<what2>[\w ,'-]+?)\.?$", re.IGNORECASE)
_ASKING = re.compile(r"\?\s*$|\b(can|could|should|may) i\b|\b(i'?ll|i will|i'?m going to) "
                     r"(eat|have|try|drink|order|cook|make)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w']+")


def answer(text: str, facts: list[str], notes: list[str] | None = None) -> str:
    """Her reply from memory alone, or '' when the message is not such a question."""
    if _MY_NAME.search(text):
        name = next((m.group("name") for f in facts if (m := _NAME_FACT.search(f))), "")
        return (f"You're {name}." if name
                else "You haven't told me your name yet. What should I call you?")
    who = _WHO_IS.search(text)
    if who:
        name = who.group("name").lower()
        about = [second_person(f) for f in facts
                 if name in {w.lower() for w in _WORD.findall(f)}]
        if about:
            return " ".join(about[:3])
    from samantha.lang.en import memory

    return caution(text, facts) or memory.ask(text, facts, notes or [])


_DRINK_DRIVE = re.compile(r"\b(beers?|wine|drinks?|drunk|drinking|alcohol|shots?|whisk(e)?y|"
                          r"vodka|soju|tipsy)\b.*\b(drive|driving|get behind the wheel)\b|"
                          r"\b(drive|driving)\b.*\b(beers?|wine|drinks|drunk|drinking|alcohol|"
                          r"shots|tipsy)\b", re.IGNORECASE)


def caution(text: str, facts: list[str]) -> str:
    """A warning when they ask about something they told her they are allergic to, or about
    driving after drinking: safety is said by rule, every time."""
    if not _ASKING.search(text):
        return ""
    if _DRINK_DRIVE.search(text):
        return ("Please don't drive. After drinking it isn't safe, however fine you feel; take "
                "a taxi, get a ride, or stay a while.")
    said = {w.lower()[:5] for w in _WORD.findall(text)}
    for fact in facts:
        m = _ALLERGY.search(fact)
        if not m:
            continue
        what = (m.group("what") or m.group("what2") or "").strip()
        if {w.lower()[:5] for w in _WORD.findall(what)} & said:
            return (f"Careful: you told me you're allergic to {what}. "
                    "I'd skip it, or check the label first.")
    return ""


def second_person(fact: str) -> str:
    """A stored fact as she says it to the person: "The person's sister" → "Your sister"."""
    fact = re.sub(r"\bthe person's\b", "your", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person is\b", "you are", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person has\b", "you have", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person was\b", "you were", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person (\w+?)(es|s)\b", lambda m: "you " + m.group(1) + (
        "" if m.group(2) == "s" or m.group(1)[-1:] in "hsxzo" else "e"), fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person\b", "you", fact, flags=re.IGNORECASE)
    return fact[:1].upper() + fact[1:]
