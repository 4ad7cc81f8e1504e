"""Spoken memory commands, handled by rules and never by the model.

"What do you remember about me", "forget that", "forget everything" (and the Korean ones) must
do exactly what they say, every time, so a word match decides, not a 0.5B model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from samantha.companion.memory import Memory
from samantha.companion.say_filter import is_korean

_REMEMBER = re.compile(r"what do you (remember|know) about me|what have i told you|"
                       r"나에 ?대해 ?(뭘|무엇을|뭐|뭘 ?좀) ?(기억|알)|뭘 기억하고 있어",
                       re.IGNORECASE)
_FORGET_ALL = re.compile(r"\bforget (everything|all (of )?(it|that|about me))\b|"
                         r"\b(erase|delete|wipe) (your|all (of )?your) memor(y|ies)\b|"
                         r"(전부|다|모두|모든 ?걸) ?잊어", re.IGNORECASE)
_FORGET_THAT = re.compile(r"\bforget (?:that|it|what i (?:just )?(?:said|told you)|about)\b|"
                          r"(그거|그건|방금 ?(한 ?)?말) ?잊어", re.IGNORECASE)
_AT_HER = re.compile(r"\b(you|your|you're|u|ur)\b|야|너|니가|넌|당신", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Command:
    reply: str
    keep_turn: bool = True
    """False: this exchange itself is not stored (it was about forgetting)."""
    cleared: bool = False
    """True: the conversation history is gone too."""
    action: Callable[[], bool] | None = None
    """What to do once the turn is released, before the reply is voiced; a dropped turn does
    nothing. False: it could not be saved, and she says so instead of ``reply``."""
    failed: str = "Sorry, I couldn't save that"
    """What she says, with the reason, when ``action`` fails."""


def memory_command(text: str, memory: Memory | None) -> Command | None:
    ko = is_korean(text)
    if _FORGET_ALL.search(text):
        return Command("알겠어요. 저에게 말해 준 것을 전부 잊었어요." if ko else
                       "Done. I've forgotten everything you told me.", False, True,
                       memory.forget_everything if memory is not None else None,
                       "잊지 못했어요" if ko else "Sorry, I couldn't forget that")
    forget = _FORGET_THAT.search(text)
    if forget:
        if memory is None or not memory.facts():
            return Command("잊을 만한 게 없어요." if ko else
                           "There was nothing to forget, but I hear you.", False)
        failed = "잊지 못했어요" if ko else "Sorry, I couldn't forget that"
        what = text[forget.end():].strip(" .!?")
        if not _content(what):  # "forget that" alone: what was said last
            return Command("알겠어요, 잊었어요." if ko else "Okay, I've forgotten that.", False,
                           action=memory.forget_last_fact, failed=failed)
        matches = _matching(what, memory.facts())
        if not matches:
            return Command("그건 기억하고 있지 않아요." if ko else
                           "I don't think I had that in my memory.", False)
        if len(matches) > 1:
            options = " or ".join(second_person(f) for _, f in matches[:3])
            return Command(f"Which one should I forget: {options}", False)
        fact_id, fact = matches[0]
        said = second_person(fact).rstrip(".")
        return Command("알겠어요, 잊었어요." if ko else
                       f"Okay, I've forgotten that {said[:1].lower()}{said[1:]}.", False,
                       action=lambda: memory.forget_fact(fact_id), failed=failed)
    if _REMEMBER.search(text):
        known = [t for _, _, t in memory.facts()][-5:] if memory is not None else []
        if not known:
            return Command("아직 기억하고 있는 건 없어요." if ko else
                           "Nothing yet. Tell me about yourself whenever you like.")
        said = " ".join(second_person(f) for f in known)
        return Command(("제가 기억하는 건요: " if ko else "Here's what I remember. ") + said)
    return None


_STEMLESS = {"i", "my", "me", "that", "the", "a", "an", "is", "am", "are", "was", "to", "in",
             "of", "and", "person", "person's", "you", "your", "about"}


def _content(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[\w']+", text) if w.lower() not in _STEMLESS}


def _matching(what: str, facts: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """The facts that say ``what`` (most shared words first; ties are all returned)."""
    want = _content(what)
    scored = sorted(((len(want & _content(f)) / len(want), i, f) for i, _, f in facts),
                    reverse=True)
    best = scored[0][0] if scored else 0.0
    return [(i, f) for s, i, f in scored if s >= 0.5 and s == best]


def aimed_at_her(text: str) -> bool:
    """An insult spoken to her, not a story about someone else's words."""
    return bool(_AT_HER.search(text)) or len(text.split()) <= 5


def second_person(fact: str) -> str:
    fact = re.sub(r"\bthe person's\b", "your", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person is\b", "you are", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person has\b", "you have", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person was\b", "you were", fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person (\w+?)(es|s)\b", lambda m: "you " + m.group(1) + (
        "" if m.group(2) == "s" or m.group(1)[-1:] in "hsxzo" else "e"), fact, flags=re.IGNORECASE)
    fact = re.sub(r"\bthe person\b", "you", fact, flags=re.IGNORECASE)
    return fact[:1].upper() + fact[1:]
