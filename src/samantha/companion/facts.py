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
from samantha.lang import Pack, recollect

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


def worth_extracting(text: str, memory: Memory | None = None) -> bool:
    """A statement about themselves, or about someone they named to her ("Hana lives in
    Busan" once she knows Hana is the sister), not a question: microseconds, no model."""
    stripped = text.strip()
    pack = lang.pack_for(stripped, lang.get("en"))
    about_self = pack.words.about_self
    if len(stripped) < 8 or stripped.endswith("?"):
        return False
    if about_self and about_self.search(stripped):
        return True
    names = recollect.aliases([t for _, _, t in memory.facts()], pack.about) if memory else {}
    return any(w.lower() in names for w in _WORD.findall(stripped) if w[:1].isupper())


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
    for name in (re.sub(r"'s$", "", n.strip(".,!?;:\"")) for n in names):
        if name not in ("I", "The") and _WORD.search(name) and name.lower()[:5] not in heard:
            return False  # (a name in mid-sentence, "Seoul", used to be refused outright)
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


def keep(memory: Memory, found: list[str], pack: Pack, said: str) -> list[str]:
    """Store the facts ``found`` in what was ``said``; a fact that replaces an older one (where
    someone lives now, a new job, "actually, my cat is called Nabi") removes it: she keeps what
    is true now. Returns the facts stored."""
    corrected = bool(pack.words.correction and pack.words.correction.search(said))
    kept = []
    for fact in found:
        known = [(i, t) for i, _, t in memory.facts()]
        replaced = recollect.stale(fact, known, pack.about, corrected)
        gone = {i for i, _ in replaced}
        if not novel(fact, [t for i, t in known if i not in gone]):
            continue  # the same thing twice is kept once
        for fact_id, old in replaced:
            if memory.forget_fact(fact_id):
                log.debug("replaced: %s", old)
        if memory.add_fact(fact) is not None:
            kept.append(fact)
            log.debug("remembered: %s", fact)
    return kept


def relevant(memory: Memory, text: str, pack: Pack, limit: int) -> list[str]:
    """The facts this turn's reply should know: those its words find (full-text search, then
    word by word, with whom a name names), and, when they ask for a suggestion (a snack,
    exercise), every constraint they told her (an allergy, a diet, a bad knee), however long
    ago."""
    known = [t for _, _, t in memory.facts()]
    found = memory.recall(text, limit)
    want = recollect.words(text, pack.words.filler)
    found += [f for f in recollect.best(want, known, pack.about, pack.words.filler,
                                        at_least=0.6) if f not in found][:limit]
    limits = pack.words.constraint
    if limits and pack.words.suggestion and pack.words.suggestion.search(text):
        found += [f for f in known if limits.search(f) and f not in found]
    return found


def notes(recalled: list[str], text: str, pack: Pack) -> list[str]:
    """The turn's notes for what it recalled, said to her in the person's second person; a
    constraint that bears on a suggestion is made a rule for the reply."""
    if not recalled:
        return []
    out = ["What you know about them: " + " ".join(pack.yours(k) for k in recalled)]
    limits = pack.words.constraint
    bound = [pack.yours(k) for k in recalled if limits and limits.search(k)]
    if bound and pack.words.suggestion and pack.words.suggestion.search(text):
        out.append("Whatever you suggest must be safe for them: " + " ".join(bound) +
                   " Suggest nothing that goes against this, and say so if they ask for it.")
    return out


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
                                                     or worth_extracting(ex.text, memory)):
            found = by_rule if by_rule is not None else await extract(ex.text, llm)
            keep(memory, found, ex.pack, ex.text)  # a correction replaces what it corrects
        old = memory.unsummarised(window)
        if len(old) >= cfg.summarise_after:
            summary = await summarise(old, llm)
            if summary and not blocked(summary):
                memory.add_summary(summary, old[-1][0])
            return True
    except SamanthaError as err:
        log.warning("after the turn: %s", err)
    return False
