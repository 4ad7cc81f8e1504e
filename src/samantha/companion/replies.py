"""Checks on what the model says, and the line she says when it gives her nothing good.

A small model refuses upset people ("I'm sorry, but I can't assist with that"), talks like a help
desk ("How can I assist you today?"), reads out the notes it was given, and mirrors the person
("I'm allergic to peanuts." → "I'm not allergic to peanuts."). Each such sentence is dropped
before it is spoken (``Conversation.screen``); when nothing is left, she says a short line in
her own voice that fits the turn (``fallback``), never silence. Pure text rules, microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from samantha.companion.mood import Mood

_WORD = re.compile(r"[\w']+")
_REFUSAL = re.compile(r"\b(i'?m (really |so )?sorry,? but )?i (can'?t|cannot|am unable to|"
                      r"won'?t be able to) (assist|help) (you )?with (that|this)\b|"
                      r"\bi'?m not able to (assist|help) with\b", re.IGNORECASE)
_HELP_DESK = re.compile(r"\b(how|what) (can|may) i (assist|help) you( with)?( today)?\b|"
                        r"\bis there anything (else )?i can (help|assist)\b|"
                        r"\bi'?m (just )?here to (assist|help)( you)?\b", re.IGNORECASE)
_AI_TALK = re.compile(r"\bas an (ai|artificial intelligence)( language model)?\b|"
                      r"\b(ai )?language model\b|\bdeveloped by (openai|alibaba)\b|"
                      r"\bas an? (virtual |digital |ai )?(assistant|chatbot|bot)\b|"
                      r"\bi don'?t have (personal )?(preferences|opinions|feelings|emotions)\b",
                      re.IGNORECASE)
_HEALTH = re.compile(r"\b(allerg\w*|asthma|diabet\w*|epilep\w*|pregnan\w*|sick|ill|hurts?|"
                     r"pain|injur\w*|bleeding|medication|medicine|chest)\b", re.IGNORECASE)
_DISMISSIVE = re.compile(r"\b(not|no) (a |that )?big deal\b|\bnothing to worry about\b|"
                         r"\bdon'?t worry about (it|that)\b|\bno need to worry\b",
                         re.IGNORECASE)
_OPENING_LINK = re.compile(r"^(however|but|also|still|that said|on the other hand|besides|"
                           r"instead),?\s+(?=\w)", re.IGNORECASE)
_STANCE = re.compile(r"^\s*(no|nope|yes|yeah|yep)[.!]?\s*$", re.IGNORECASE)
_FIRST = {"i": "you", "i'm": "you're", "my": "your", "me": "you", "mine": "yours",
          "i've": "you've", "i'll": "you'll", "myself": "yourself", "am": "are"}
_STOP = {"the", "a", "an", "to", "of", "and", "is", "are", "it", "that", "this", "in", "on",
         "not", "so", "just", "really", "very", "do", "don't", "be", "you", "your", "you're"}


def _content(text: str) -> set[str]:
    return {w for w in (x.lower() for x in _WORD.findall(text)) if w not in _STOP}


def mirrors(sentence: str, said: str) -> bool:
    """Does ``sentence`` say the person's own words back as hers? ("I'm allergic to peanuts"
    answered with "I'm not allergic to peanuts.", "I'm ready to make pasta for dinner.")"""
    words = [w.lower() for w in _WORD.findall(sentence)]
    if not words or words[0] not in ("i", "i'm", "my", "we", "we're") \
            or said.rstrip().endswith("?"):
        return False  # only a statement can be said back as hers
    theirs = _content(said) - set(_FIRST)
    if len(theirs) < 2:
        return False
    mine = _content(sentence) - set(_FIRST)
    return len(theirs & mine) / len(theirs) >= 0.6


def repeats_note(sentence: str, notes: list[str]) -> bool:
    """Does ``sentence`` read out one of the notes she was given for this reply?"""
    mine = _content(sentence)
    if len(mine) < 4:
        return False
    for note in notes:
        theirs = _content(note)
        if theirs and len(mine & theirs) / len(mine) >= 0.6:
            return True
    return False


def unfit(sentence: str, said: str, notes: list[str]) -> str:
    """Why ``sentence`` must not be spoken ('' when it may be)."""
    if _REFUSAL.search(sentence):
        return "a refusal"
    if _HELP_DESK.search(sentence):
        return "help-desk talk"
    if _AI_TALK.search(sentence):
        return "AI talk"
    if mirrors(sentence, said):
        return "the person's words as hers"
    if repeats_note(sentence, notes):
        return "an internal note"
    if _HEALTH.search(said) and _DISMISSIVE.search(sentence):
        return "their health made light of"  # "I'm allergic to peanuts." "That's not a big deal."
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


def opening(sentence: str) -> str:
    """Her reply's first spoken sentence, without a link to a sentence before it that was
    dropped or never was ("However, I can tell you about ..." → "I can tell you about ...")."""
    cut = _OPENING_LINK.sub("", sentence, count=1)
    return cut[:1].upper() + cut[1:] if cut != sentence else sentence


def stance(sentence: str, plan: bool) -> str:
    """A bare "No." or "Yes." to a leading question, said as a person would say it."""
    m = _STANCE.match(sentence)
    if m is None:
        return sentence
    if m.group(1).lower().startswith("n"):
        return ("Honestly, I don't think that's a good idea." if plan
                else "Honestly, I don't think that's true.")
    return "Yes, I think that's a good idea." if plan else "Yes, that's right."


def fallback(said: str, mood: Mood, about_themselves: bool) -> str:
    """Her line when the model gave nothing she may say: it fits the turn, never silence."""
    if mood.label == "low":
        return "I'm here with you. Do you want to tell me more?"
    if mood.label == "tense":
        return "That sounds like a lot. Let's take it one thing at a time; what comes first?"
    if said.rstrip().endswith("?"):
        return "I'm not sure about that one, honestly. Can you tell me a bit more?"
    if about_themselves:
        return "Thank you for telling me. I'll keep that in mind."
    return "Mm, tell me more."


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
