"""What she may say aloud: the last check on every sentence before it reaches the voice.

Two word lists ship with her, English and Korean (``data/say_filter_*.txt``): slurs, hate and
harassment. Text is folded before matching so spacing, punctuation, leetspeak, stretched letters
and Hangul spaced or dotted apart do not slip through ("f.u.c.k", "fuuuck"). A blocked sentence
is replaced by a calm line in her voice; an abusive message from the person gets a calm, bounded
answer and is never repeated back.

Judged in context (``abusive``, ``for_speech``): ordinary speech is not an attack. Each language
pack reads a sentence with a listed word (``Pack.swearing``): a swear word used as an intensifier
("This fucking pizza is amazing!"; in Korean, Kiwi reading it as an adverb) or a year's name (the
Korean name of 丙申年) is not abuse, a sentence about a thing is not aimed at her, and an insult
after an intensifier aimed at her is ("you're a fucking idiot"). Her lines and the context words
live in ``lang/<code>/filter.toml``; the hidden lists stay in ``data/``.

The general-purpose packages were tried and not used: better-profanity's list is made for
children's chat and blocks "god", "kill", "gay" and "fat", which she must be able to say;
korcen does not catch the commonest Korean swear word, the very case this filter exists for.
"""

from __future__ import annotations

from dataclasses import dataclass

from samantha import lang
from samantha.lang import Pack
from samantha.lang.data import table
from samantha.lang.protocols import Reading


@dataclass(frozen=True, slots=True)
class Words:
    """One language's lines for the filter (``lang/<code>/filter.toml``)."""

    calm: tuple[str, ...]
    abuse: tuple[str, ...]


def words(code: str) -> Words:
    data = table(code, "filter")
    return Words(tuple(data["calm"]), tuple(data["abuse"]))


def _language(text: str) -> Pack:
    """The pack of ``text``'s language (its script; else English)."""
    return lang.pack_for(text, lang.get("en"))


def blocked(text: str) -> bool:
    """True when ``text`` holds a slur, hate or harassment from any language's list."""
    return any(p.swearing is not None and p.swearing.listed(text) for p in lang.packs())


def calm_line(text: str) -> str:
    """Her replacement for a sentence she will not say, in the sentence's language."""
    return words(_language(text).code).calm[0]


def abuse_reply(text: str, turn: int = 0) -> str:
    """A calm, short answer to an abusive message; it never repeats the person's words."""
    lines = words(_language(text).code).abuse
    return lines[turn % len(lines)]


# judged in context ---------------------------------------------------------------------------

def _read(text: str) -> Reading:
    """``text`` read by its language's ``Swearing`` (a language without one: every listed word
    counts, aimed at her)."""
    swearing = _language(text).swearing
    return swearing.read(text, blocked) if swearing is not None else Reading(text, text, True)


def abusive(text: str) -> bool:
    """The person's words are abuse aimed at her: a listed word, not used as an intensifier or
    a year's name, or an insult after an intensifier ("you're a fucking idiot"), in a sentence
    spoken to her (not about a thing or someone else's words)."""
    reading = _read(text)
    return reading.at_her and (reading.insult or blocked(reading.check))


def for_speech(sentence: str) -> str | None:
    """Her sentence as she may say it: unchanged, or without an intensifier ("This fucking
    pizza is amazing" -> "This pizza is amazing"); None when it holds a word she never says."""
    if not blocked(sentence):
        return sentence
    reading = _read(sentence)
    return None if blocked(reading.check) else reading.speak
