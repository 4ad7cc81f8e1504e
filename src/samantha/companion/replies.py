"""Checks on what the model says, and the line she says when it gives her nothing good.

A small model refuses upset people ("I'm sorry, but I can't assist with that"), talks like a help
desk ("How can I assist you today?"), reads out the notes it was given, and mirrors the person
("I'm allergic to peanuts." → "I'm not allergic to peanuts."). Each such sentence is dropped
before it is spoken (the guards, ``companion/guards``); when nothing is left, she says a short
line in her own voice that fits the turn (``Pack.fallback``), never silence. The words each
check looks for are the language pack's (``Words``); these are the checks themselves. Pure text
rules, microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from samantha import lang
from samantha.lang import Pack
from samantha.lang.en.mirror import content


def _en() -> Pack:
    return lang.get("en")


def repeats_note(sentence: str, notes: list[str]) -> bool:
    """Does ``sentence`` read out one of the notes she was given for this reply?"""
    mine = content(sentence)
    if len(mine) < 4:
        return False
    for note in notes:
        theirs = content(note)
        if theirs and len(mine & theirs) / len(mine) >= 0.6:
            return True
    return False


def made_light(sentence: str, said: str, pack: Pack) -> bool:
    """Her making light of a health matter they raised ("allergic" → "not a big deal")."""
    w = pack.words
    return bool(w.health and w.dismissive and w.health.search(said)
                and w.dismissive.search(sentence))


def unfit(sentence: str, said: str, notes: list[str], pack: Pack | None = None) -> str:
    """Why ``sentence`` must not be spoken ('' when it may be): every check the model-talk
    guards make, in their order."""
    pack = pack or _en()
    w = pack.words
    for pattern, why in ((w.refusal, "a refusal"), (w.help_desk, "help-desk talk"),
                         (w.ai_talk, "AI talk")):
        if pattern is not None and pattern.search(sentence):
            return why
    if pack.mirrors(sentence, said):
        return "the person's words as hers"
    if repeats_note(sentence, notes):
        return "an internal note"
    if made_light(sentence, said, pack):
        return "their health made light of"
    return ""


def fold(text: str) -> str:
    """Lower case, words only: for comparing what was said."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def copied(sentence: str, said: str, examples: Iterable[tuple[str, str]]) -> str:
    """A reply sentence copied from her few-shot examples (when not asked the same thing)."""
    folded = f" {fold(sentence)} "
    for user, reply in examples:
        if len(folded.split()) >= 5 and folded in f" {fold(reply)} " \
                and fold(said) != fold(user):
            return "a copied example"
    return ""


def opening(sentence: str, pack: Pack | None = None) -> str:
    """Her reply's first spoken sentence, without a link to a sentence before it that was
    dropped or never was ("However, I can tell you about ..." → "I can tell you about ...")."""
    link = (pack or _en()).words.opening_link
    if link is None:
        return sentence
    cut = link.sub("", sentence, count=1)
    return cut[:1].upper() + cut[1:] if cut != sentence else sentence


def stance(sentence: str, plan: bool, pack: Pack | None = None) -> str:
    """A bare "No." or "Yes." to a leading question, said as a person would say it."""
    pack = pack or _en()
    bare = pack.words.bare_stance
    m = bare.match(sentence) if bare is not None else None
    if m is None:
        return sentence
    no = m.group(1).lower().startswith(pack.words.no_letters)
    key = ("no-" if no else "yes-") + ("plan" if plan else "claim")
    return pack.phrases.stance.get(key, sentence)


def fit(sentence: str, budget: int) -> str:
    """``sentence`` cut to ``budget`` characters at the last clause or word that fits."""
    if len(sentence) <= budget:
        return sentence
    cut = sentence[:budget - 1]
    for mark in (". ", "! ", "? ", "; ", ", "):
        at = cut.rfind(mark)
        if at >= budget // 2:
            return cut[:at].rstrip(" ,;") + "."
    at = cut.rfind(" ")
    return cut[:at].rstrip(" ,;:-") + "." if at > 0 else ""
