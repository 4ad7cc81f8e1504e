"""English numbers, times, money and units as words, for the English voice."""

from __future__ import annotations

import re

from samantha.lang import script

_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\s*([AaPp])\.?[Mm]\b|"
                   r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_MONEY = re.compile(r"([$€£])\s?(\d+(?:\.\d{1,2})?)")
_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)\s?(km|kg|cm|mm|ml|mph|kph|lbs?|g|m|h|min|s)\b")
_UNIT_WORDS = {"km": "kilometres", "kg": "kilograms", "cm": "centimetres", "mm": "millimetres",
               "ml": "millilitres", "mph": "miles per hour", "kph": "kilometres per hour",
               "lb": "pounds", "lbs": "pounds", "g": "grams", "m": "metres", "h": "hours",
               "min": "minutes", "s": "seconds"}
_CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds"}
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th)?(?![\w])")


def say_numbers(text: str) -> str:
    """English numbers, times, money and units as words ('7:30 PM' → 'seven thirty PM').

    Text in another script (Hangul) is left alone: its own pack reads its digits.
    """
    if not re.search(r"\d", text) or any(script.has(text, name) for name in script.SCRIPTS
                                         if name != "latin"):
        return text
    from num2words import num2words

    def clock(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1) or m.group(4)), int(m.group(2) or m.group(5))
        words = str(num2words(hour))
        if minute:
            words += (" oh " if minute < 10 else " ") + num2words(minute)
        elif not m.group(3):
            words += " o'clock" if hour <= 12 else " hundred"
        return words + (f" {m.group(3).upper()}M" if m.group(3) else "")

    def number(m: re.Match[str]) -> str:
        whole = int(m.group(1).replace(",", ""))
        if m.group(3):
            return str(num2words(whole, to="ordinal"))
        if m.group(2):
            return f"{num2words(whole)} point " + " ".join(str(num2words(int(d)))
                                                          for d in m.group(2))
        if 1100 <= whole <= 2099 and "," not in m.group(1):
            return str(num2words(whole, to="year"))
        return str(num2words(whole))

    text = _TIME.sub(clock, text)
    def money(m: re.Match[str]) -> str:
        whole, _, cents = m.group(2).partition(".")
        words = f"{num2words(int(whole))} {_CURRENCY[m.group(1)]}"
        return words + (f" {num2words(int(cents.ljust(2, '0')))}" if cents else "")

    text = _MONEY.sub(money, text)
    text = _UNIT.sub(lambda m: f"{m.group(1)} {_UNIT_WORDS[m.group(2)]}", text)
    return _NUMBER.sub(number, text)
