"""Korean text a Korean voice can say: numbers read the Korean way, units and acronyms as words.

Korean reads numbers two ways. Native numerals (하나, 둘, 셋 …, before a counter 한, 두, 세, 네,
스무) count hours and things: "3시" is "세 시", "2개" is "두 개", "20살" is "스무 살".
Sino-Korean numerals (일, 이, 삼 …) read minutes, seconds, dates, money, years and everything
else: "30분" is "삼십 분", "5000원" is "오천 원", "6월" is "유월". A clock time "3:30" is
"세 시 삼십 분"; a time of exactly half past stays as written by the model ("세 시 반").

English words inside a Korean sentence are left as they are (espeak-ng switches to its English
rules for Latin letters); an all-capitals acronym ("AI", "TV") is spelled with Korean letter
names ("에이아이"), so it is said as one Korean word.
"""

from __future__ import annotations

import re
import unicodedata

from samantha.inference.speech_text import speakable

_SINO_DIGITS = ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"]
_NATIVE_ONES = ["", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉"]
_NATIVE_TENS = ["", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"]
_COUNTER_FORMS = {"하나": "한", "둘": "두", "셋": "세", "넷": "네", "스물": "스무"}
_MONTHS = {6: "유월", 10: "시월"}

NATIVE_COUNTERS = ("시간", "시", "개", "명", "살", "마리", "잔", "권", "장", "병", "사람",
                   "가지", "곳", "달", "대", "켤레", "그릇", "통")
"""Counters read with native numerals (up to 99; beyond that Sino-Korean is used)."""

_UNITS = {"km/h": "시속 킬로미터", "km": "킬로미터", "kg": "킬로그램", "cm": "센티미터",
          "mm": "밀리미터", "ml": "밀리리터", "°C": "도", "℃": "도", "%": "퍼센트",
          "m": "미터", "g": "그램", "l": "리터", "L": "리터"}
_CURRENCY_PREFIX = {"₩": "원", "$": "달러", "€": "유로", "£": "파운드", "¥": "엔"}
_LETTERS = {"A": "에이", "B": "비", "C": "씨", "D": "디", "E": "이", "F": "에프", "G": "지",
            "H": "에이치", "I": "아이", "J": "제이", "K": "케이", "L": "엘", "M": "엠", "N": "엔",
            "O": "오", "P": "피", "Q": "큐", "R": "알", "S": "에스", "T": "티", "U": "유",
            "V": "브이", "W": "더블유", "X": "엑스", "Y": "와이", "Z": "지"}


def sino(n: int) -> str:
    """Sino-Korean reading of a whole number: 0 → 영, 15 → 십오, 5000 → 오천, 10000 → 만."""
    if n == 0:
        return "영"
    if n < 0:
        return "마이너스 " + sino(-n)
    words = []
    for unit, name in ((10**12, "조"), (10**8, "억"), (10**4, "만")):
        if n >= unit:
            head, n = divmod(n, unit)
            words.append(("" if head == 1 and name == "만" else _below_10000(head)) + name)
    if n:
        words.append(_below_10000(n))
    return " ".join(words)


def _below_10000(n: int) -> str:
    out = ""
    for value, name in ((1000, "천"), (100, "백"), (10, "십")):
        digit, n = divmod(n, value)
        if digit:
            out += ("" if digit == 1 else _SINO_DIGITS[digit]) + name
    return out + (_SINO_DIGITS[n] if n else "")


def native(n: int, counter: bool = True) -> str:
    """Native Korean numeral (1-99); before a counter the short forms (한, 두, 세, 네, 스무)."""
    if not 1 <= n <= 99:
        return sino(n)
    tens, ones = divmod(n, 10)
    ten_word, one_word = _NATIVE_TENS[tens], _NATIVE_ONES[ones]
    if counter:
        if one_word:
            one_word = _COUNTER_FORMS.get(one_word, one_word)
        elif ten_word:
            ten_word = _COUNTER_FORMS.get(ten_word, ten_word)
    return ten_word + one_word


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _read(text: str) -> str:
    """A number as written ('1,200', '3.5') read the Sino-Korean way ('천이백', '삼 점 오')."""
    whole, _, frac = text.partition(".")
    said = sino(_number(whole))
    return said + (" 점 " + "".join(_SINO_DIGITS[int(d)] for d in frac) if frac else "")


_NUM = r"(\d{1,3}(?:,\d{3})+|\d+)"
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_CURRENCY = re.compile(r"([₩$€£¥])\s?" + _NUM)
_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s?월")
_COUNTED = re.compile(r"(?<![\d.])" + _NUM + r"\s?(" + "|".join(NATIVE_COUNTERS) + r")")
_NUM_D = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_UNIT = re.compile(r"(?<![\d.])" + _NUM_D + r"\s?(km/h|km|kg|cm|mm|ml|°C|%|m|g|l|L)(?![A-Za-z])")
_PLAIN = re.compile(r"(?<![\d.])" + _NUM_D + r"(?![\d])")
_ACRONYM = re.compile(r"(?<![A-Za-z])([A-Z]{2,5})(?![A-Za-z])")


def say_korean(text: str) -> str:
    """Plain Korean words for a Korean voice.

    '오후 3:30에 5000원' → '오후 세 시 삼십 분에 오천 원'."""
    text = unicodedata.normalize("NFKC", text).replace("&", " 그리고 ")

    def clock(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), int(m.group(2))
        said = f"{native(hour % 12 or 12)} 시"
        return said + (f" {sino(minute)} 분" if minute else "")

    def counted(m: re.Match[str]) -> str:
        n = _number(m.group(1))
        return f"{native(n) if 1 <= n <= 99 else sino(n)} {m.group(2)}"

    text = _CLOCK.sub(clock, text)
    text = _CURRENCY.sub(lambda m: f"{sino(_number(m.group(2)))} {_CURRENCY_PREFIX[m.group(1)]}",
                         text)
    text = _MONTH.sub(lambda m: _MONTHS.get(int(m.group(1)), sino(int(m.group(1))) + "월"), text)
    text = _COUNTED.sub(counted, text)
    text = _UNIT.sub(lambda m: f"{_read(m.group(1))} {_UNITS[m.group(2)]}", text)
    text = _PLAIN.sub(lambda m: _read(m.group(1)), text)
    text = _ACRONYM.sub(lambda m: "".join(_LETTERS[c] for c in m.group(1)), text)
    return speakable(text)
