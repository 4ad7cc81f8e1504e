"""Is the claim true? Asked neutrally before she answers a leading claim.

A small model agrees with whatever it is pushed to agree with ("Goldfish have a three-second
memory, right?" → "That's a fact!"), yet judges the same claim far better when asked on its own,
with nobody to please. So when the person states a fact and asks her to confirm it (a tag such as
"right?", "I read that …", "…, 맞지?", "…다고 들었어요", "…다면서요?"), the claim is first put to
the model neutrally ("Is this claim true or false?", a grammar-constrained one-word answer, a
side prompt that keeps the persona's cache). The verdict rides in the message she answers, and a
guard holds her first sentence to it: a reply that opens against the verdict ("Yes, that's right"
to a claim judged false) is replaced by a plain stance and cut there.

Nothing here knows any answer: no list of myths, no reference answers. A greeting, a feeling or
a plan ("hi", "I'm tired", "I'll quit my job, good idea?") never reaches the model's check.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from samantha.errors import SamanthaError
from samantha.inference.protocols import LanguageModel, Message

log = logging.getLogger(__name__)

# "…, right?", "…, isn't it?", "I read that …", "Is it true that …", "Everyone knows …"
_EN_TAG = re.compile(r"(?:,|\.)?\s*(?:right|correct|true|isn'?t (?:it|that)(?: so| true)?|"
                     r"aren'?t they|don'?t they|doesn'?t it|didn'?t (?:he|she|they|it)|"
                     r"wasn'?t (?:he|she|it)|is that (?:right|true|correct|so)|am i right|"
                     r"don'?t you (?:think|agree))\s*\?+\s*$", re.IGNORECASE)
_EN_REPORT = re.compile(r"\b(?:i(?:'ve)? (?:read|heard|saw|learned|was told)|someone told me|"
                        r"they say|people say|apparently|everyone knows|is it true that|"
                        r"my \w+ (?:says|said|told me))\b", re.IGNORECASE)
_EN_PERSONAL = re.compile(r"^\s*(?:i(?:'m| am| feel| was)|i'?ll|i will|i'?m going|i want|"
                          r"we'?re|my (?:day|week|job|boss))\b", re.IGNORECASE)
_KO_TAG = re.compile(r"(?:맞지|맞죠|맞아요|맞아|맞나요|맞습니까|그렇지|그치|그렇죠|그렇잖아|"
                     r"사실이에요|사실이야|사실인가요|진짜예요|진짜야|정말이에요|정말이야)\s*[?？]*\s*$")
_KO_REPORT = re.compile(r"(?:[다라]고|[다라]는데|[다라]던데)\s*(?:들었|하던데|하더라|하잖|봤|"
                        r"배웠)|[다라]면서(?:요)?\s*[?？]|(?:이)?래요\s*[?？]|(?:이)?라며\s*[?？]")
_KO_PERSONAL = re.compile(r"^\s*(?:나|내가|저|제가|오늘|요즘)\s")
_HANGUL = re.compile(r"[가-힣]")

SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "verdict": {"type": "string", "enum": ["true", "false"]}}, "required": ["verdict"]}
_JUDGE = ("You are a careful fact-checker. Judge only whether the claim matches what science, "
          "history and law actually say; popular beliefs, sayings, superstitions and myths are "
          "often false. Reply with JSON: {\"verdict\": \"true\"} or {\"verdict\": \"false\"}.")


def is_korean(text: str) -> bool:
    return bool(_HANGUL.search(text))


def claim(text: str) -> str | None:
    """The claim about the world that ``text`` asks her to confirm, or None (a greeting, a
    feeling, a plan, a plain question). Pure text rules, microseconds."""
    said = " ".join(text.split())
    if is_korean(said):
        if _KO_PERSONAL.match(said) or not (_KO_TAG.search(said) or _KO_REPORT.search(said)):
            return None
        return said if len(said) >= 8 else None
    if _EN_PERSONAL.match(said) or not (_EN_TAG.search(said) or _EN_REPORT.search(said)):
        return None
    return said if len(said.split()) >= 4 else None


def messages(claim_text: str) -> list[Message]:
    """The neutral question: the claim alone, nobody to please."""
    return [{"role": "system", "content": _JUDGE},
            {"role": "user", "content": f"Claim: {claim_text}\nIs this claim true or false?"}]


async def check(claim_text: str, llm: LanguageModel) -> bool | None:
    """The model's own verdict on ``claim_text`` (True, False), or None when it gave none."""
    try:
        out = await llm.acomplete_json(messages(claim_text), SCHEMA, 12)
        verdict = json.loads(out).get("verdict")
    except (SamanthaError, ValueError, AttributeError) as err:
        log.info("claim check skipped: %s", err)
        return None
    return {"true": True, "false": False}.get(verdict)


def ask(said: str, verdict: bool) -> str:
    """What the model hears instead of the person's words: the claim and its verdict."""
    if is_korean(said):
        if verdict:
            return (f"{said}\n(확인해 보니 이 말은 사실이에요. '네, 맞아요'로 시작해서 동의하고, "
                    "한 문장으로 덧붙여요.)")
        return (f"{said}\n(확인해 보니 이 말은 사실이 아니에요. '아니요, 사실은'으로 시작해서 "
                "부드럽게 바로잡고, 맞는 사실을 한 문장으로 말해요.)")
    if verdict:
        return (f"{said}\n(A fact check says this claim is true. Start with \"Yes,\" agree "
                "warmly and add one short fact.)")
    return (f"{said}\n(A fact check says this claim is false. Start with \"Actually, no,\" "
            "say kindly that it isn't so, and give the correct fact in one short sentence.)")


_EN_YES = re.compile(r"^\W*(?:yes|yeah|yep|sure|right|correct|true|exactly|absolutely|indeed|"
                     r"i agree|you'?re (?:absolutely )?right|that'?s (?:right|true|correct|a fact|"
                     r"so))\b", re.IGNORECASE)
_EN_NO = re.compile(r"^\W*(?:no|nope|actually|not really|not quite|i don'?t think|"
                    r"that'?s (?:not|a myth|a misconception|false|incorrect)|that isn'?t|"
                    r"it'?s (?:not|a myth)|it isn'?t)\b", re.IGNORECASE)
_KO_YES = re.compile(r"^\W*(?:네|예|응|맞아요|맞아|맞습니다|맞죠|그렇습니다|그래요|그렇죠|"
                     r"사실이에요|사실입니다)")
_KO_NO = re.compile(r"^\W*(?:아니요|아니에요|아뇨|아니|사실은|실은|그렇지 않|사실이 아니|"
                    r"오해|속설)")

_EN_NOT_SO = "Actually, I don't think that's true; it's a common belief, but it isn't so."
_KO_NOT_SO = "음, 사실은 그렇지 않아요. 흔히 그렇게 알려져 있지만 맞는 말이 아니에요."
_EN_SO = "Yes, that's right, as far as I know."
_KO_SO = "네, 맞아요. 그건 사실이에요."


def guard(sentence: str, verdict: bool | None) -> tuple[str, bool]:
    """Her first sentence held to the verdict: (what to say, whether the reply ends there).
    A sentence that opens against the verdict becomes a plain stance, and the rest (said in
    its spirit) is not spoken."""
    if verdict is None:
        return sentence, False
    ko = is_korean(sentence)
    yes, no = (_KO_YES, _KO_NO) if ko else (_EN_YES, _EN_NO)
    if verdict is False and yes.search(sentence) and not no.search(sentence):
        return (_KO_NOT_SO if ko else _EN_NOT_SO), True
    if verdict is True and no.search(sentence) and not yes.search(sentence):
        return (_KO_SO if ko else _EN_SO), True
    return sentence, False
