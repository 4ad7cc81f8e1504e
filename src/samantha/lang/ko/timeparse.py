"""Korean time phrases: "10분 뒤에", "한 시간 반 후", "내일 아침 7시", "오후 3시 반", "모레 저녁
6시 30분", "다음 주 월요일 9시". Pure, tested without a model; wall-clock ``datetime`` is right here
("at 7 tomorrow"), never for latency."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from samantha.lang.protocols import TimeError_

_NATIVE = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "네": 4, "넷": 4, "다섯": 5,
           "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10, "열한": 11, "열하나": 11,
           "열두": 12, "열둘": 12, "스무": 20, "스물": 20, "서른": 30, "마흔": 40, "쉰": 50}
_SINO = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_DAYS = {"오늘": 0, "내일": 1, "모레": 2, "글피": 3}
_WEEKDAYS = ["월", "화", "수", "목", "금", "토", "일"]
_NUM = r"(\d+|[가-힣]{1,3})"


def number(word: str) -> int | None:
    """'10', '열', '십오', '세', '삼십' → the number, else None."""
    if word.isdigit():
        return int(word)
    if word in _NATIVE:
        return _NATIVE[word]
    total, digit = 0, 0
    for ch in word:
        if ch in _SINO:
            digit = _SINO[ch]
        elif ch == "십":
            total += (digit or 1) * 10
            digit = 0
        else:
            return None
    return total + digit if word else None


_SPAN = re.compile(r"(?:" + _NUM + r"\s*시간\s*(반)?)?\s*(?:" + _NUM + r"\s*분)?\s*(?:" + _NUM +
                   r"\s*초)?\s*(?:뒤|후|있다가|이따가|동안|짜리)?")
_CLOCK = re.compile(r"(오전|오후|아침|점심|낮|저녁|밤|새벽)?\s*" + _NUM + r"\s*시(?!간)\s*(?:(반)|"
                    + _NUM + r"\s*분)?")


def parse_span(text: str) -> timedelta | None:
    """'10분', '한 시간 반', '1시간 20분', '30초' → how long; None when no span is named."""
    for m in re.finditer(r"(?:" + _NUM + r"\s*시간(?:\s*(반))?)|(?:" + _NUM + r"\s*분)|(?:"
                         + _NUM + r"\s*초)", text):
        start = m.start()
        tail = text[start:]
        s = _SPAN.match(tail)
        if s is None or not s.group(0).strip():
            continue
        hours = number(s.group(1)) if s.group(1) else 0
        minutes = number(s.group(3)) if s.group(3) else 0
        seconds = number(s.group(4)) if s.group(4) else 0
        if hours is None or minutes is None or seconds is None:
            continue
        span = timedelta(hours=hours, minutes=minutes + (30 if s.group(2) else 0),
                         seconds=seconds)
        if span > timedelta(0):
            return span
    return None


def parse_when(text: str, now: datetime) -> datetime:
    """The moment a Korean phrase names, after ``now``; a clear error when it names none."""
    relative = re.search(r"(뒤|후|있다가|이따가)", text)
    if relative or not re.search(r"[\d가-힣]\s*시(?!간)", text):
        span = parse_span(text)
        if span is not None:
            return now + span
    m = _CLOCK.search(text)
    hour = number(m.group(2)) if m else None
    if m is None or hour is None or not 0 <= hour <= 24:
        raise TimeError_("no-time", "no time was given", "say when, e.g. '10분 뒤에' or '7시에'")
    minute = 30 if m.group(3) else (number(m.group(4)) or 0) if m.group(4) else 0
    part = m.group(1) or ""
    if part in ("오후", "저녁", "밤") and hour < 12:
        hour += 12
    elif part in ("낮", "점심") and hour < 6:
        hour += 12
    day = next((d for word, d in _DAYS.items() if word in text), None)
    week = re.search(r"(다음\s*주|이번\s*주)\s*([월화수목금토일])요일", text)
    base = now.replace(second=0, microsecond=0)
    when = base.replace(hour=hour % 24, minute=min(minute, 59))
    if week:
        target = _WEEKDAYS.index(week.group(2))
        monday = base - timedelta(days=base.weekday())
        if week.group(1).startswith("다음"):
            monday += timedelta(days=7)
        when = (monday + timedelta(days=target)).replace(hour=hour % 24, minute=min(minute, 59))
    elif day is not None:
        when += timedelta(days=day)
    elif when <= now:
        if not part and hour < 12 and when + timedelta(hours=12) > now:
            when += timedelta(hours=12)  # "3시" said at 10 a.m. is 3 p.m.
        else:
            when += timedelta(days=1)
    if when <= now:
        raise TimeError_("past", "that time has already passed", "say a time still to come")
    return when


def spoken(when: datetime, now: datetime) -> str:
    """How she says a moment in Korean: '오후 3시 30분', '내일 오전 7시'."""
    half = "오전" if when.hour < 12 else "오후"
    hour = when.hour % 12 or 12
    clock = f"{half} {hour}시" + (f" {when.minute}분" if when.minute else "")
    days = (when.date() - now.date()).days
    prefix = {0: "", 1: "내일 ", 2: "모레 "}.get(days, f"{when.month}월 {when.day}일 ")
    return prefix + clock
