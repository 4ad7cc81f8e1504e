"""Sums worked out exactly, for every language's sums reader (``Pack.sums``).

A small model gets arithmetic wrong and, pushed, agrees that 2 + 2 = 5. A sum is the one kind of
claim a rule can settle exactly, so each pack reads the sum in its own words (numbers, operator
words, "is", "percent of") and this module does the rest: the value with the usual precedence
(times and divided by before plus and minus), in exact fractions, and how it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

OPS = ("+", "-", "*", "/")


@dataclass(frozen=True, slots=True)
class Sum:
    """A sum someone said: what it is, and what they said it was (None: they asked)."""

    said: str
    """The sum as she says it back ("7 times 8")."""
    value: Fraction | None
    """None: it has no value (a division by zero)."""
    claimed: Fraction | None = None
    claimed_text: str = ""
    """The result they said, as they said it ("5")."""

    @property
    def asked(self) -> bool:
        return self.claimed is None

    @property
    def right(self) -> bool:
        """Their result is the sum's, to the places they gave ("3.33" for 10 / 3 is right)."""
        if self.claimed is None or self.value is None:
            return False
        places = len(self.claimed_text.partition(".")[2])
        if not places:  # "10 divided by 4 is 2" is wrong, not rounded
            return self.value == self.claimed
        return round(self.value, places) == self.claimed


def number(text: str) -> Fraction | None:
    """'1,200', '2.5', '7' as an exact number; None when it is not written in digits."""
    cleaned = text.replace(",", "").strip()
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        return None


def evaluate(numbers: list[Fraction], ops: list[str]) -> Fraction | None:
    """``numbers[0] ops[0] numbers[1] ...`` with times and divided by first; None on a division
    by zero."""
    if len(ops) != len(numbers) - 1 or any(op not in OPS for op in ops):
        raise ValueError(f"a sum needs one operator between each two numbers: {numbers} {ops}")
    terms, signs = [numbers[0]], []
    for op, n in zip(ops, numbers[1:], strict=True):
        if op in "*/":
            if op == "/" and n == 0:
                return None
            terms[-1] = terms[-1] * n if op == "*" else terms[-1] / n
        else:
            terms.append(n)
            signs.append(op)
    total = terms[0]
    for sign, term in zip(signs, terms[1:], strict=True):
        total = total + term if sign == "+" else total - term
    return total


def show(value: Fraction) -> tuple[str, bool]:
    """(the value in digits, whether that is rounded): '391', '12.5', '33.33' (rounded)."""
    if value.denominator == 1:
        return str(value.numerator), False
    for places in (1, 2, 3):
        if (value * 10**places).denominator == 1:
            return f"{float(value):.{places}f}", False
    return f"{float(value):.2f}", True


Reader = Callable[[str], tuple[str, Fraction | None] | None]
"""A language's reading of a sum it matched: (the sum as she says it back, its value)."""


def found(claim: re.Match[str] | None, asked: re.Match[str] | None, read: Reader,
          number: Callable[[str], Fraction | None]) -> Sum | None:
    """The ``Sum`` a language's patterns matched: a claim (groups ``expr`` and ``claimed``)
    first, else a sum asked (group ``expr``); None when neither reads as one."""
    if claim is not None:
        got, claimed = read(claim.group("expr")), number(claim.group("claimed"))
        if got is None or claimed is None:
            return None
        return Sum(got[0], got[1], claimed, claim.group("claimed").replace(",", ""))
    got = read(asked.group("expr")) if asked is not None else None
    return Sum(*got) if got else None

