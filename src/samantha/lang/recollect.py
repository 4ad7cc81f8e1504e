"""Matching what was said against what she keeps, word by word, in any script: which facts a
question is about, which facts and turns a "forget X" names, which old fact a new one replaces.

Each pack supplies its filler words (``Words.filler``: "my", "the", and their like in each
language) and what a fact is about (``Pack.about``); the matching itself is shared, so every
language gets the same memory. Words meet when one starts the other ("live" and "lives"; in
Korean a place, and the place with its particle) or when they share five letters ("allergic",
"allergies") or two Hangul syllables. Microseconds, no model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from samantha.lang.protocols import Pattern

About = Callable[[str], tuple[str, str, str]]
"""``Pack.about``: (whom, what, value) a fact is about."""

_WORD = re.compile(r"\w+")


def words(text: str, filler: Pattern) -> set[str]:
    """The words of ``text`` that carry meaning, lower case."""
    out = set()
    for w in (x.lower() for x in _WORD.findall(text)):
        if (len(w) > 1 or not w.isascii()) and not (filler and filler.fullmatch(w)):
            out.add(w)
    return out


def same(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` the same word, give or take an ending?"""
    n = min(len(a), len(b))
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    if a.isascii() and b.isascii():
        return (k == n and n >= 3) or k >= 5 or a == b
    return k == n or k >= 2


def coverage(want: set[str], have: Iterable[str]) -> float:
    """The share of ``want`` found in ``have`` (0 when ``want`` is empty)."""
    have = list(have)
    if not want:
        return 0.0
    return sum(any(same(w, h) for h in have) for w in want) / len(want)


def note_for(want: set[str], notes: list[str], filler: Pattern,
             fewest: int = 1) -> str:
    """The newest note that holds most (60 %) of ``want``, a question's words ('' when none
    does, or the question has fewer than ``fewest`` words to go by)."""
    if len(want) < fewest:
        return ""
    return next((note for note in reversed(notes)
                 if coverage(want, words(note, filler)) >= 0.6), "")


def aliases(facts: Iterable[str], about: About) -> dict[str, str]:
    """Names and whom they name, from the naming facts: {"hana": "sister", "miso": "cat"}."""
    out: dict[str, str] = {}
    for fact in facts:
        whom, what, value = about(fact)
        if what == "name" and whom and value:
            for name in _WORD.findall(value.lower())[:1]:
                out[name] = whom.lower()
    return out


def resolve(whom: str, names: dict[str, str]) -> str:
    """``whom`` as the person they are to her person: "hana" → "sister"."""
    whom = whom.lower()
    return next((kin for name, kin in names.items() if same(name, whom)), whom)


def expanded(fact: str, filler: Pattern, names: dict[str, str]) -> set[str]:
    """The words of ``fact`` and of whom its names name ("Hana lives in Busan" + "sister")."""
    have = words(fact, filler)
    return have | {w for name, kin in names.items() if any(same(name, h) for h in have)
                   for w in words(kin, filler) | {kin}}


def best(want: set[str], facts: list[str], about: About, filler: Pattern, whom: str = "",
         slot: str = "", at_least: float = 0.5) -> list[str]:
    """The facts that answer a question asking ``want`` (about ``whom``, its ``slot``: 'home',
    'job', 'name'; '' for any), best first; ties are all kept."""
    names = aliases(facts, about)
    scored: list[tuple[float, int, str]] = []
    for i, fact in enumerate(facts):
        f_whom, f_slot, _ = about(fact)
        f_whom = resolve(f_whom, names) if f_whom else ""
        if whom and f_whom and f_whom != whom and not any(same(whom, w) for w in
                                                           words(f_whom, filler)):
            continue  # "where do I live?" is not answered with where her sister lives
        score = coverage(want, expanded(fact, filler, names)) + (0.6 if slot and f_slot == slot
                                                                 else 0.0)
        if score >= at_least:
            scored.append((score, -i, fact))
    scored.sort(reverse=True)
    top = scored[0][0] if scored else 0.0
    return [f for s, _, f in scored if s == top][:3]


def stale(fact: str, known: list[tuple[int, str]], about: About, corrected: bool
          ) -> list[tuple[int, str]]:
    """The known facts that ``fact`` replaces: the same whom and the same what (where they
    live, their job, a favourite), another value. A name replaces another name only when it is
    said as a correction ("actually, my cat is called Nabi"): two sisters have two names."""
    whom, slot, value = about(fact)
    if not slot or not value:
        return []
    names = aliases([t for _, t in known], about)
    whom = resolve(whom, names)
    out = []
    for fid, old in known:
        o_whom, o_slot, o_value = about(old)
        if o_slot != slot or resolve(o_whom, names) != whom or not o_value:
            continue
        if o_value.lower().strip(" .") == value.lower().strip(" ."):
            continue
        if slot != "name" or whom == "person" or corrected:
            out.append((fid, old))
    return out
