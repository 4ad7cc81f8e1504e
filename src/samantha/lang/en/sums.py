"""Sums in English: "2 plus 2 is 5, right?", "What's 17 times 23?", "15 percent of 80".

Read only in the shapes a sum is said in: a claim (the sum, then "is", "equals", "makes" and a
number) or a question ("what's", "how much is", "calculate", "is ... 56?", the bare sum asked).
Numbers in digits or words ("two plus two"); operator words as whisper writes them, or signs.
Numbers without an operator between them ("9 to 5", "2 cats and 3 dogs", "3 times a week")
are no sum.
"""

from __future__ import annotations

import re
from fractions import Fraction

from samantha.config import Persona
from samantha.lang import arith
from samantha.lang.arith import Sum

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD = "|".join([*_UNITS, *_TENS])
_WORDS = rf"(?:{_WORD})(?:[\s-]+(?:{_WORD}|hundred|thousand))*"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
NUM = rf"(?:(?<![\w.,])(?:{_DIGITS})(?![\w]|[.,]\d)|\b{_WORDS}\b)"
_OP_WORDS = {"plus": "+", "+": "+", "minus": "-", "-": "-", "−": "-", "take away": "-",
             "times": "*", "multiplied by": "*", "x": "*", "×": "*", "*": "*",
             "divided by": "/", "over": "/", "/": "/", "÷": "/"}
_SAID = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
OP = r"(?:plus|minus|take away|times|multiplied by|divided by|over|x|[-+−×*/÷])"
TERM = rf"(?:{NUM}\s*(?:percent|%)\s+of\s+{NUM}|half\s+of\s+{NUM}|{NUM})"
EXPR = rf"(?:{TERM}(?:\s*{OP}\s*{TERM})+|{NUM}\s*(?:percent|%)\s+of\s+{NUM}|half\s+of\s+{NUM})"
_IS = r"(?:is|equals|=|is equal to|makes|comes to|gives you|gives)"
_I = re.IGNORECASE
_CLAIM = re.compile(rf"(?P<expr>{EXPR})\s*{_IS}\s*(?P<claimed>{NUM})", _I)
_NAMED = r"^\s*(?:[^\W\d]+,\s*)?"  # "Samantha, ..."
_IS_IT = re.compile(rf"{_NAMED}(?:so\s+)?is\s+(?P<expr>{EXPR})\s+(?:equal to\s+|really\s+)?"
                    rf"(?P<claimed>{NUM})\s*\??\s*$", _I)
_ASKED = re.compile(rf"{_NAMED}(?:(?:so|and|okay|ok|hey|quick question)\s*,?\s+)?"
                    rf"(?:what'?s|what is|"
                    rf"how much is|how much are|calculate|compute|work out|figure out|"
                    rf"(?:can|could) you (?:work out|calculate|figure out|tell me|do)|"
                    rf"tell me|do you know)?\s*(?P<expr>{EXPR})\s*(?:equals|is)?\s*[?.!]*\s*$",
                    _I)
_PART = re.compile(rf"(?P<num>{NUM})|(?P<op>{OP})|(?P<pct>percent|%)\s+of|(?P<half>half)\s+of",
                   _I)


def word_number(text: str) -> Fraction | None:
    """'twenty-five', 'three hundred', 'two thousand five hundred' as a number."""
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower().strip()):
        if word in _UNITS:
            current += _UNITS.index(word)
        elif word in _TENS:
            current += 20 + 10 * _TENS.index(word)
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return Fraction(total + current)


def _number(text: str) -> Fraction | None:
    return arith.number(text) if re.match(r"\d", text.strip()) else word_number(text)


def _digits(value: Fraction) -> str:
    shown, _ = arith.show(abs(value))
    return ("minus " if value < 0 else "") + shown


def read(expr: str) -> tuple[str, Fraction | None] | None:
    """(the sum as she says it, its value) for an expression matched by ``EXPR``."""
    numbers: list[Fraction] = []
    ops: list[str] = []
    said: list[str] = []
    pending: str = ""  # "pct" or "half": the next number is what it is taken of
    for m in _PART.finditer(expr):
        if m.group("num"):
            n = _number(m.group("num"))
            if n is None:
                return None
            if pending == "pct":
                numbers[-1] = numbers[-1] / 100 * n
                said.append(f"percent of {_digits(n)}")
            elif pending == "half":
                numbers.append(n / 2)
                said.append(f"half of {_digits(n)}")
            else:
                numbers.append(n)
                said.append(_digits(n))
            pending = ""
        elif m.group("pct"):
            pending = "pct"
        elif m.group("half"):
            pending = "half"
        else:
            op = _OP_WORDS[re.sub(r"\s+", " ", m.group("op").lower())]
            ops.append(op)
            said.append(_SAID[op])
    if pending or len(ops) != len(numbers) - 1:
        return None
    return " ".join(said), arith.evaluate(numbers, ops)


def find(text: str) -> Sum | None:
    """The sum in ``text`` said as a claim or asked; None when it holds none."""
    claim = _IS_IT.search(text) or _CLAIM.search(text)
    return arith.found(claim, None if claim else _ASKED.match(text), read, _number)


def say(found: Sum) -> str:
    """Her answer: the value, and whether they had it right."""
    if found.value is None:
        return "That one has no answer: nothing can be divided by zero."
    shown, rounded = arith.show(abs(found.value))
    value = ("about " if rounded else "") + ("minus " if found.value < 0 else "") + shown
    if found.asked:
        return f"{found.said[:1].upper()}{found.said[1:]} is {value}."
    if found.right:
        return f"Yes, {found.said} is {value}."
    return f"No, {found.said} is {value}, not {found.claimed_text}."


class Sums:
    """English sums (``Pack.sums``)."""

    def answer(self, text: str, persona: Persona) -> str:
        found = find(text)
        return say(found) if found else ""
