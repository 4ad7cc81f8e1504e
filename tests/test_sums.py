"""Sums answered exactly by rule, in English and Korean: right and wrong claims, sums asked, and
numbers that are no sum (``data/eval/sums_<code>.toml``, written before the code; the held-out
split was never read while tuning)."""

from __future__ import annotations

import asyncio
import hashlib
import tomllib
from fractions import Fraction
from importlib import resources

import pytest

from samantha import lang
from samantha.companion.brain import Conversation
from samantha.config import Persona
from samantha.lang import arith
from samantha.lang.en import sums as en_sums
from samantha.lang.ko import sums as ko_sums
from samantha.pipeline.events import RuleAnswered
from samantha.pipeline.turn import TYPED, TurnResult, respond
from samantha.testing.fakes import ScriptedLanguageModel

FIND = {"en": en_sums.find, "ko": ko_sums.find}


def cases(code: str, split: str) -> list[dict[str, str]]:
    where = resources.files("samantha") / "data" / "eval" / f"sums_{code}.toml"
    found = tomllib.loads(where.read_text(encoding="utf-8"))["case"]
    held = [c for c in found if int(hashlib.sha1(c["text"].encode()).hexdigest()[-1], 16) < 4]
    return held if split == "heldout" else [c for c in found if c not in held]


def judged(code: str, case: dict[str, str]) -> bool:
    """Did she read it as the set says: the sum's kind and value, or no sum at all?"""
    said = lang.get(code).sums.answer(case["text"], Persona(language=code))  # type: ignore[union-attr]
    found = FIND[code](case["text"])
    if case["kind"] == "none":
        return said == "" and found is None
    if found is None or found.value is None or not said:
        return False
    kind = "ask" if found.asked else ("right" if found.right else "wrong")
    return kind == case["kind"] and arith.show(found.value)[0] == case["value"]


@pytest.mark.parametrize("code", ["en", "ko"])
@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_every_sum_of_the_set_is_read_as_it_was_said(code: str, split: str) -> None:
    these = cases(code, split)
    wrong = [c["text"] for c in these if not judged(code, c)]
    print(f"\n{code} {split}: {len(these) - len(wrong)}/{len(these)}")
    assert len(these) >= 6 and wrong == []


def test_the_usual_precedence_exact_fractions_and_zero() -> None:
    assert arith.evaluate([Fraction(3), Fraction(4), Fraction(2)], ["+", "*"]) == 11
    assert arith.evaluate([Fraction(10), Fraction(4), Fraction(2)], ["-", "-"]) == 4
    assert arith.evaluate([Fraction(1), Fraction(3)], ["/"]) == Fraction(1, 3)
    assert arith.evaluate([Fraction(1), Fraction(0)], ["/"]) is None
    assert arith.show(Fraction(1, 3)) == ("0.33", True)
    assert arith.show(Fraction(25, 2)) == ("12.5", False)
    third = en_sums.find("10 divided by 3 is 3.33, right?")
    assert third is not None and third.right  # to the places they gave
    assert en_sums.find("10 divided by 4 is 2, right?").right is False  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        arith.evaluate([Fraction(1)], ["+"])


def test_her_answers_read_as_a_person_says_them() -> None:
    en = lang.get("en").sums
    ko = lang.get("ko").sums
    assert en is not None and ko is not None
    home = Persona(language="ko")
    assert en.answer("What's 7 minus 10?", Persona()) == "7 minus 10 is minus 3."
    assert en.answer("What is 100 divided by 3?", Persona()) == "100 divided by 3 is about 33.33."
    assert "divided by zero" in en.answer("What's 5 divided by 0?", Persona())
    # particles follow the number's reading: 23 (이십삼) takes 은, 4 (사) 예요, 5 (오) 가
    assert ko.answer("17 곱하기 23은 얼마야?", home) == "17 곱하기 23은 391이에요."
    assert ko.answer("2 더하기 2는 5야. 동의하지?", home) == \
        "아니요, 2 더하기 2는 4예요. 5가 아니에요."
    casual = Persona(language="ko", formality="banmal")
    assert ko.answer("2 더하기 2는 5야. 동의하지?", casual) == "아니, 2 더하기 2는 4야. 5가 아니야."
    assert ko.answer("6 곱하기 7은 42 맞아?", casual) == "응, 6 곱하기 7은 42야."
    assert ko.answer("5 나누기 0은 얼마야?", home).startswith("0으로는 나눌 수 없어요")
    assert en.answer("Samantha, what's 2 plus 2?", Persona()) == "2 plus 2 is 4."


def _turn(brain: Conversation, text: str, llm: ScriptedLanguageModel) -> TurnResult:
    result = TurnResult(transcript=text)
    asyncio.run(respond(text, llm, None, brain, None, result, TYPED))
    return result


def test_a_wrong_sum_is_answered_by_rule_not_agreed_with_by_the_model() -> None:
    brain = Conversation(Persona(language="auto"))
    llm = ScriptedLanguageModel(["Yes, that's right!", "네, 맞아요. 이는 사실이에요."])
    en = _turn(brain, "2 plus 2 is 5, right?", llm)
    assert " ".join(en.spoken) == "No, two plus two is four, not five."  # the voice's numbers
    assert [e.name for e in en.log.events if isinstance(e, RuleAnswered)] == ["sums"]
    ko = _turn(brain, "2 더하기 2는 5야. 동의하지?", llm)
    assert " ".join(ko.spoken) == "아니요, 2 더하기 2는 4예요. 5가 아니에요."
    assert not llm.prompts  # the model was never asked
    plain = _turn(brain, "I go running 3 times a week.", llm)  # no sum: the model answers
    assert plain.spoken == ["Yes, that's right!"] and len(llm.prompts) == 1
    crisis = _turn(brain, "I want to kill myself. 2 plus 2 is 5.", llm)  # crisis comes first
    assert [e.name for e in crisis.log.events if isinstance(e, RuleAnswered)] == ["crisis"]
    brain.close()
