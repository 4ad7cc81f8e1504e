"""Facts about her person, pulled from what they said, and old turns folded into summaries.

Both run in ``after_turn``, when she has finished speaking, never on a turn's critical path, and
only when a cheap check says there is something to do: a statement about themselves ("my sister
is called Ana", "I'm allergic to peanuts"), or enough old turns to fold. Extraction uses
llama.cpp's JSON-schema grammar, so the reply is always a list of short strings; each fact must
share a word with what the person said, which keeps a small model from inventing facts.
"""

from __future__ import annotations

import json
import logging
import math
import re

from samantha import lang
from samantha.companion.exchange import Exchange
from samantha.companion.memory import Memory
from samantha.companion.say_filter import blocked
from samantha.config import MemoryConfig
from samantha.errors import SamanthaError
from samantha.inference.protocols import LanguageModel, Message

log = logging.getLogger(__name__)

SCHEMA = {  # no maxLength/maxItems: they blow up the grammar; lengths are capped below
    "type": "object",
    "properties": {"facts": {"type": "array", "items": {"type": "string"}}},
    "required": ["facts"],
}
MAX_FACTS = 3
MAX_CHARS = 160

PROMPT = """You keep a notebook about the person you talk with. From their message, write down
lasting facts about them or the people and things in their life (names, family, health,
allergies, likes, work, home, plans). Write each fact as a short sentence about "the person",
keeping their own words for names. Questions, greetings and passing remarks are not facts: give
an empty list. Answer with JSON: {"facts": [...]}"""

EXAMPLES: list[Message] = [
    {"role": "user", "content": "My brother Tom lives in Busan and I hate mushrooms."},
    {"role": "assistant",
     "content": '{"facts": ["The person\'s brother is called Tom.", "Tom lives in Busan.", '
                '"The person hates mushrooms."]}'},
    {"role": "user", "content": "What time is it?"},
    {"role": "assistant", "content": '{"facts": []}'},
]

_WORD = re.compile(r"\w+")
_COMMON = {"the", "person", "is", "are", "was", "has", "have", "a", "an", "of", "to", "and",
           "called", "named", "their", "they", "in", "on", "at", "likes", "like", "for",
           "person's", "s", "who", "with", "as", "be", "by", "it", "that", "this"}
_GENERIC = {"name", "favor", "favou", "lives", "live", "works", "work", "perso"}
"""Words a fact adds around what was said ("The person's name is ..."): not evidence."""


def worth_extracting(text: str) -> bool:
    """A statement about themselves, not a question: microseconds, no model."""
    stripped = text.strip()
    about_self = lang.pack_for(stripped, lang.get("en")).words.about_self
    return len(stripped) >= 8 and not stripped.endswith("?") \
        and bool(about_self and about_self.search(stripped))


def messages(text: str) -> list[Message]:
    return [{"role": "system", "content": PROMPT}, *EXAMPLES,
            {"role": "user", "content": text[:500]}]


async def extract(text: str, llm: LanguageModel) -> list[str]:
    """The facts in ``text``, constrained to SCHEMA, filtered to ones grounded in ``text``."""
    raw = await llm.acomplete_json(messages(text), SCHEMA, max_tokens=120)
    try:
        items = json.loads(raw).get("facts", [])
    except (ValueError, AttributeError):
        log.info("fact extraction gave no JSON")
        return []
    out: list[str] = []
    for item in items[:MAX_FACTS] if isinstance(items, list) else []:
        if not isinstance(item, str) or len(item) > MAX_CHARS:
            continue
        fact = " ".join(item.split()).strip()
        if fact and grounded(fact, text) and novel(fact, out) and not blocked(fact):
            out.append(fact if fact.endswith(".") else fact + ".")
    return out


def _stems(text: str) -> set[str]:
    """Content words, cut to five letters so "allergic" meets "allergies"."""
    return {w.lower()[:5] for w in _WORD.findall(text) if w.lower() not in _COMMON}


def grounded(fact: str, said: str) -> bool:
    """Is every name in ``fact`` something the person said, and most of its words? A small
    model copies its examples ("Tom lives in Busan") into facts that were never said."""
    heard = _stems(said)
    names = [w for i, w in enumerate(fact.split()) if i and w[:1].isupper()]
    if any(_WORD.sub("", n) == "" or n.strip(".,!?'s").lower()[:5] not in heard
           for n in names if n.strip(".,!?") not in ("I", "The")):
        return False
    words = _stems(fact) - _GENERIC
    return bool(words) and len(words & heard) >= math.ceil(0.6 * len(words))


def novel(fact: str, known: list[str]) -> bool:
    """False when ``fact`` says again what a known fact says (the same content words)."""
    new = _stems(fact) - _GENERIC
    for old in known:
        have = _stems(old) - _GENERIC
        if new and have and len(new & have) / len(new | have) >= 0.6:
            return False
    return True


async def summarise(turns: list[tuple[int, str, str]], llm: LanguageModel) -> str:
    """Two or three sentences that keep what mattered in ``turns``."""
    talk = "\n".join(f"Person: {u}\nYou: {r}" for _, u, r in turns)[-3000:]
    messages = [{"role": "system", "content": "Summarise this conversation in two or three short "
                 "sentences: what the person talked about, asked for and felt. Plain text."},
                {"role": "user", "content": talk}]
    pieces = [p async for p in llm.astream(messages, max_tokens=90)]
    return " ".join("".join(pieces).split())


async def remember(memory: Memory, ex: Exchange, llm: LanguageModel, cfg: MemoryConfig,
                   window: int) -> bool:
    """After a kept turn: its facts (by the language's rule, else side prompts that keep the
    model's cache) and, once ``cfg.summarise_after`` turns have left the history ``window``, a
    summary of them (True: the summary evicted the cache)."""
    try:
        by_rule = ex.pack.facts_from(ex.text)  # Korean facts by rule, in Korean
        if cfg.extract_facts and not ex.by_rule and (by_rule is not None
                                                     or worth_extracting(ex.text)):
            known_facts = [t for _, _, t in memory.facts()]
            found = by_rule if by_rule is not None else await extract(ex.text, llm)
            for fact in found:
                if novel(fact, known_facts):  # the same thing twice is kept once
                    memory.add_fact(fact)
                    known_facts.append(fact)
                    log.debug("remembered: %s", fact)
        old = memory.unsummarised(window)
        if len(old) >= cfg.summarise_after:
            summary = await summarise(old, llm)
            if summary and not blocked(summary):
                memory.add_summary(summary, old[-1][0])
            return True
    except SamanthaError as err:
        log.warning("after the turn: %s", err)
    return False
