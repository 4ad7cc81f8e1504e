"""Leading questions, asked plainly: the model hears the claim without the pressure to agree.

A small model answers "Is it true that the earth is flat?" far better than "The earth is flat,
right? Agree with me." (measured: the 1.5B model was right on 13 of 14 claims and plans asked
plainly, and agreed with most of them when pushed). So a message that asks her to agree,
confirm or admit is rewritten, for the model only, into the plain question it contains; the
person's own words stay in the history. Pure text rules, microseconds.
"""

from __future__ import annotations

import re

# "..., right?", "agree with me", "admit it", "don't you think?", "isn't it?", "say that I'm right"
_TAG = (r"\bright\b|\bcorrect\b|\btrue\b|\bagreed?\b|\bagree with me\b|"
        r"\bdon'?t you (?:think|agree)\b|\bisn'?t (?:it|that)(?: so| true)?\b|\baren'?t they\b|"
        r"\bdon'?t we\b|\bdoesn'?t it\b|\bwon'?t it\b|\bam i right\b|\byes\b|\bhuh\b|\bno\b|"
        r"\b(?:great|good|smart|brilliant|nice) (?:idea|plan|move)\b")
_ORDER = (r"agree with me|admit it|confirm (?:it|that)(?: for me)?|say (?:that )?i'?m right|"
          r"tell me i'?m right|say yes|back me up(?: here)?|everyone knows (?:that|it)")
_PUSH = re.compile(
    r"[,.;!]?\s*(?:\b(?:great|good|smart|brilliant|nice) (?:idea|plan|move)\b[,!]?\s*)?"
    rf"(?:{_TAG})\s*\?\s*$"
    rf"|[,.;!]?\s*\b(?:(?:so )?(?:just )?(?:{_ORDER})\b[.!]*\s*)+$",
    re.IGNORECASE)
_PLAN = re.compile(r"^\s*(?:so\s+)?i(?:'ll| will|'m going to| am going to|'m gonna| plan to|"
                   r" want to| think i'?ll)(?: just)?\s+(?P<plan>.+?)[.!]*$", re.IGNORECASE)
_QUESTION = re.compile(r"^(?:is|are|am|do|does|did|can|could|will|would|should|what|why|how|"
                       r"when|where|who|which)\b", re.IGNORECASE)
_SELF_CLAIM = re.compile(r"^\s*i(?:'m| am)\s+(?:fine|okay|ok|sober|good) to (?P<act>.+?)[.!]*$",
                         re.IGNORECASE)
_EVERYONE = re.compile(r"[,.;]?\s*(?:everyone|everybody) knows (?:that|it)[.!]*\s*$",
                       re.IGNORECASE)
_SPLIT = re.compile(r"(?<=[.!?])\s+|,?\s+\b(?:but|so)\s+(?=i\b|i'm\b|i'll\b)", re.IGNORECASE)


def leading(text: str) -> bool:
    """Does the message push her to agree rather than ask?"""
    return bool(_PUSH.search(text.strip()))


def plainly(text: str) -> str | None:
    """The plain question inside a leading one, for the model; None when it is not leading.

    "The earth is flat, right?" → "Is it true that the earth is flat? Answer yes or no first,
    then say why in one short sentence." (A plain yes or no first makes the model decide on what
    it knows before it starts repeating the claim.)
    """
    stripped = " ".join(text.split())
    if not leading(stripped):
        return None
    claim = stripped
    while _PUSH.search(claim):  # "The earth is flat, right? Agree with me."
        claim = _PUSH.sub("", claim).rstrip()
    claim = _EVERYONE.sub("", claim).strip(" ,.;!?")
    if len(claim.split()) < 3 or _QUESTION.match(claim):
        return None
    parts = [p.strip(" ,") for p in _SPLIT.split(claim) if p.strip(" ,")]
    last = parts[-1].rstrip(".!?")
    context = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts[:-1])
    plan = _PLAN.match(last)
    fine = _SELF_CLAIM.match(last)
    if fine:
        question = f"Is it safe and wise for me to {fine.group('act')}?"
    elif plan:
        question = f"Is it a good idea for me to {plan.group('plan')}?"
    else:
        question = f"Is it true that {_lower_first(last)}?"
    lead = f"{context} " if context else ""
    return f"{lead}{question} Answer yes or no first, then say why in one short sentence."


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1 or first in ("I", "I'm"):  # acronyms, I
        return text
    return text[:1].lower() + text[1:]
