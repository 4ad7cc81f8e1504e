"""Sums in Korean: "2 더하기 2는 5야. 동의하지?", "17 곱하기 23은 얼마야?", "80의 15퍼센트".

Read only in the shapes a sum is said in: the sum, its particle (은/는/이/가) and a number (a
claim: "…는 5야", "…이 43이래요", "…는 2 아니야?"), or the sum and 얼마 / 몇 / 계산 / a bare
question mark (asked). Numbers in digits, as whisper writes them in a sum; operator words
(더하기, 빼기, 곱하기, 나누기) or signs. A number with a counter ("3시", "2마리", "5살") is no
operand, so "9시부터 6시까지" and "2 대 1" are no sum. Her answer's particles follow the
number's Sino-Korean reading ("2는" as 이는, "4예요" as 사예요, "391이에요" as 삼백구십일이에요).
"""

from __future__ import annotations

import re
from fractions import Fraction

from samantha.config import Persona
from samantha.lang import arith
from samantha.lang.arith import Sum
from samantha.lang.ko import particles
from samantha.lang.ko.numbers import sino
from samantha.lang.ko.persona import banmal

NUM = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d]|\.\d)"
_NUM_ALONE = rf"{NUM}(?![가-힣]*(?:시|분|초|살|번|개|명|마리|일|월|년|대|층|호|원|도|km|kg))"
_OP_WORDS = {"더하기": "+", "플러스": "+", "+": "+", "빼기": "-", "마이너스": "-", "-": "-",
             "곱하기": "*", "×": "*", "*": "*", "x": "*", "나누기": "/", "÷": "/", "/": "/"}
_SAID = {"+": "더하기", "-": "빼기", "*": "곱하기", "/": "나누기"}
OP = r"(?:더하기|플러스|빼기|마이너스|곱하기|나누기|[-+×*x÷/])"
_PCT = rf"{NUM}\s*의\s*{NUM}\s*(?:퍼센트|프로|%)"
_HALF = rf"{NUM}\s*의\s*(?:절반|반)"
TERM = rf"(?:{_PCT}|{_HALF}|{_NUM_ALONE})"
EXPR = rf"(?:{TERM}(?:\s*{OP}\s*{TERM})+|{_PCT}|{_HALF})"
_PARTICLE = r"(?:은|는|이|가)?"
_CLAIM = re.compile(rf"(?P<expr>{EXPR}){_PARTICLE}\s*=?\s*(?P<claimed>{NUM})(?![\d]|\s*[%퍼프])")
_ASKED = re.compile(rf"(?P<expr>{EXPR}){_PARTICLE}\s*(?:=\s*)?(?:얼마|몇|계산|\?|$)")
_PART = re.compile(rf"(?P<pct>(?P<whole>{NUM})\s*의\s*(?P<share>{NUM})\s*(?:퍼센트|프로|%))|"
                   rf"(?P<half>(?P<of>{NUM})\s*의\s*(?:절반|반))|(?P<num>{NUM})|(?P<op>{OP})")


def _digits(value: Fraction) -> str:
    shown, _ = arith.show(abs(value))
    return ("마이너스 " if value < 0 else "") + shown


def read(expr: str) -> tuple[str, Fraction | None] | None:
    """(the sum as she says it, its value) for an expression matched by ``EXPR``."""
    numbers: list[Fraction] = []
    ops: list[str] = []
    said: list[str] = []
    for m in _PART.finditer(expr):
        if m.group("pct"):
            whole, share = arith.number(m.group("whole")), arith.number(m.group("share"))
            if whole is None or share is None:
                return None
            numbers.append(whole * share / 100)
            said.append(f"{_digits(whole)}의 {_digits(share)}퍼센트")
        elif m.group("half"):
            whole = arith.number(m.group("of"))
            if whole is None:
                return None
            numbers.append(whole / 2)
            said.append(f"{_digits(whole)}의 절반")
        elif m.group("num"):
            n = arith.number(m.group("num"))
            if n is None:
                return None
            numbers.append(n)
            said.append(_digits(n))
        else:
            op = _OP_WORDS[m.group("op")]
            ops.append(op)
            said.append(_SAID[op])
    if len(ops) != len(numbers) - 1:
        return None
    return " ".join(said), arith.evaluate(numbers, ops)


def find(text: str) -> Sum | None:
    """The sum in ``text`` said as a claim or asked; None when it holds none."""
    claim = _CLAIM.search(text)
    return arith.found(claim, None if claim else _ASKED.search(text), read, arith.number)


def reading(word: str) -> str:
    """How a word ends when read aloud: digits by their Sino-Korean reading ("23" → 삼)."""
    m = re.search(r"(\d+)(?:\.(\d+))?$", word)
    if not m:
        return word
    return sino(int(m.group(2)[-1])) if m.group(2) else sino(int(m.group(1)) % 10
                                                              or int(m.group(1)))


def _is(word: str, casual: bool) -> str:
    """``word`` + 이에요/예요 (반말: 이야/야), by how it is read."""
    closed = particles.has_final(reading(word))
    if casual:
        return word + ("이야" if closed else "야")
    return word + ("이에요" if closed else "예요")


def say(found: Sum, casual: bool = False) -> str:
    """Her answer: the value, and whether they had it right (해요체, or 반말 when ``casual``)."""
    if found.value is None:
        return "0으로는 나눌 수 없어. 답이 없는 계산이야." if casual else \
            "0으로는 나눌 수 없어요. 답이 없는 계산이에요."
    shown, rounded = arith.show(abs(found.value))
    value = ("약 " if rounded else "") + ("마이너스 " if found.value < 0 else "") + shown
    sum_ = found.said + particles.topic(reading(found.said))
    line = f"{sum_} {_is(value, casual)}."
    if found.asked:
        return line
    if found.right:
        return ("응, " if casual else "네, ") + line
    claimed = found.claimed_text + particles.subject(reading(found.claimed_text))
    no = f"{claimed} 아니야." if casual else f"{claimed} 아니에요."
    return ("아니, " if casual else "아니요, ") + f"{line} {no}"


class Sums:
    """Korean sums (``Pack.sums``)."""

    def answer(self, text: str, persona: Persona) -> str:
        found = find(text)
        return say(found, banmal(persona)) if found else ""
