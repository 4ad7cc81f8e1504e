"""Her secretary in Korean, by rule (microseconds, no model pass): the time and date ("지금 몇
시야?"), timers ("5분 타이머"), reminders ("10분 뒤에 언니한테 전화하라고 알려 줘", "내일 아침
7시에 약 먹으라고 알려 줘"), alarms ("내일 6시에 깨워 줘"), notes, lists ("장보기 목록에 계란
추가해 줘", "장보기 목록 읽어 줘"), listing and cancelling. Answers in 해요체, with digits that the
Korean voice reads the Korean way ("오전 10시 10분" → "오전 열 시 십 분").

The same tables as the English tools (``companion.tools``), so a reminder set in Korean is
announced, listed and cancelled like any other.
"""

from __future__ import annotations

import re
from datetime import datetime

from samantha.lang import agenda
from samantha.lang.ko.particles import copula, object_, subject
from samantha.lang.ko.timeparse import parse_span, parse_when, spoken
from samantha.lang.protocols import Store, TimeError_

_WEEKDAYS = "월화수목금토일"
_KINDS = {"알람": "alarm", "타이머": "timer", "리마인더": "reminder", "알림": "reminder",
          "일정": "reminder"}
_KIND_WORDS = {"alarm": "알람", "timer": "타이머", "reminder": "알림"}
_TIME = re.compile(r"지금\s*몇\s*시|몇\s*시(야|예요|에요|이야|니|지|인가요)?\s*[?？]?\s*$")
_DATE = re.compile(r"며칠|무슨\s*요일|몇\s*월|날짜")
_CANCEL = re.compile(r"(알람|타이머|리마인더|알림|일정)\S*\s*(다\s*|전부\s*|모두\s*)?"
                     r"(취소|꺼|끄|지워|삭제)")
_READ = re.compile(r"(알람|타이머|리마인더|알림|일정)\S*\s*(뭐|뭐가|있어|있나|확인|알려|읽어|"
                   r"보여)")
_LIST_ADD = re.compile(r"(?P<list>[가-힣\w]+?)\s*(목록|리스트)에\s*(?P<what>.+?)\s*(을|를)?\s*"
                       r"(추가|넣어|적어|올려)")
_LIST_READ = re.compile(r"(?P<list>[가-힣\w]+?)\s*(목록|리스트)\S*\s*(에\s*)?(뭐|읽어|보여|알려|"
                        r"말해)")
_NOTE = re.compile(r"메모\s*(?:좀\s*)?(?:해\s*줘|해줘|해\s*둬|해둬|해\s*주세요|해\s*줄래|하자|해)"
                   r"\s*[:：,.]\s*(?P<after>\S.+)|(?P<what>.+?)\s*(?:이?라고|고)?\s*메모\s*"
                   r"(?:좀\s*)?(?:해|해\s*줘|해줘|해\s*둬|좀)")
_TASK = re.compile(r"(?:으라고|라고|하라고|자고|다고|기로|할\s*거|해야)\s*(?:좀\s*)?"
                   r"(?:알려|리마인드|상기|말해)")
_REMIND = re.compile(r"알려\s*줘|알려줘|알려\s*주세요|리마인드|상기시켜|말해\s*줘")
_REMINDER = re.compile(r"(라고|고)\s*(알려|말해)|리마인드|상기시켜|\d+\s*(분|시간|시|초)|"
                       r"[가-힣]{1,3}\s*(분|시간)\s*(뒤|후)|[가-힣]{1,3}\s*시(에|쯤)|모레|"
                       r"이따가|있다가")
"""What makes "알려 줘" a reminder: a task ("…하라고 알려 줘") or a time; "재미있는 사실 하나 알려
줘요" asks to be told something, now."""
_ALARM = re.compile(r"알람|깨워")
_NATIVE = "열한|열두|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열"
"""The native numbers hours are read with ("세 시": three o'clock)."""
_TIMER = re.compile(r"타이머")
_TIME_WORDS = re.compile(r"^(?:\s*(?:오늘|내일|모레|글피|다음\s*주|이번\s*주|[월화수목금토일]요일|"
                         r"오전|오후|아침|점심|낮|저녁|밤|새벽|\d+\s*시간|\d+\s*시|\d+\s*분|\d+\s*초|"
                         r"[가-힣]{1,3}\s*시간|(?:" + _NATIVE + r")\s*시(?=에|\s|$)|"
                         r"반|뒤에|후에|뒤|후|에|쯤|"
                         r"정각|있다가|이따가)\s*)+")


def is_request(text: str) -> bool:
    """Might this Korean utterance be a secretary request? (cheap, microseconds)"""
    return bool(_TIME.search(text) or _DATE.search(text) or _CANCEL.search(text)
                or _READ.search(text) or _LIST_ADD.search(text) or _LIST_READ.search(text)
                or _NOTE.search(text) or _reminds(text) or _ALARM.search(text)
                or _TIMER.search(text))


def _reminds(text: str) -> bool:
    return bool(_REMIND.search(text) and _REMINDER.search(text))


def _task(text: str) -> str:
    """'10분 뒤에 언니한테 전화하라고 알려 줘' → '언니한테 전화하기'."""
    body = _REMIND.split(text)[0]
    body = _TIME_WORDS.sub("", body).strip(" ,.")
    m = re.search(r"(.+?)(으라고|라고|하라고|고)\s*$", body)
    if m:
        stem = m.group(1) + ("하" if m.group(2) == "하라고" else "")
        return (stem + "기").strip()
    return body.removesuffix("을").removesuffix("를").strip()


def run(text: str, memory: Store, now: datetime) -> str | None:
    """Her answer to a Korean secretary request, or None when it is not one."""
    if _TIME.search(text) and not _REMIND.search(text) and not _ALARM.search(text):
        said = spoken(now, now)
        return f"지금은 {copula(said)}."
    if _DATE.search(text) and not _REMIND.search(text):
        return f"오늘은 {now.month}월 {now.day}일 {_WEEKDAYS[now.weekday()]}요일이에요."
    m = _CANCEL.search(text)
    if m:
        return _cancel(_KINDS[m.group(1)], memory, now)
    m = _READ.search(text)
    if m and not _REMIND.search(text.replace(m.group(0), "")):
        return _read(_KINDS[m.group(1)], memory, now)
    m = _LIST_ADD.search(text)
    if m:
        name, item = m.group("list"), m.group("what").strip()
        agenda.note(memory, now, name, item)
        return f"{name} 목록에 {item}{object_(item)} 추가했어요."
    m = _LIST_READ.search(text)
    if m:
        name = m.group("list")
        items = agenda.items(memory, name)
        if not items:
            return f"{name} 목록은 비어 있어요."
        return f"{name} 목록에는 {', '.join(items[:12])}{subject(items[:12][-1])} 있어요."
    m = _NOTE.search(text)
    if m:
        agenda.note(memory, now, "notes", (m.group("after") or m.group("what")).strip())
        return "메모했어요."
    if _TIMER.search(text):
        span = parse_span(text)
        if span is None:
            return "몇 분짜리 타이머를 맞출까요?"
        agenda.add(memory, now + span, "timer", "타이머", "ko")
        return f"네, {_span_words(int(span.total_seconds()))} 타이머를 시작할게요."
    if _reminds(text) or _ALARM.search(text):
        kind = "alarm" if _ALARM.search(text) else "reminder"
        try:
            when = parse_when(text, now)
        except TimeError_ as err:
            if err.code == "past":
                return "그 시간은 벌써 지났어요. 언제로 할까요?"
            if kind == "reminder" and not _TASK.search(text):
                return None  # "달걀 삶는 법 알려 줘" asks to be told, not reminded
            return "언제 알려 드릴까요? 10분 뒤에, 또는 7시에처럼 말해 주세요."
        what = _task(text) if kind == "reminder" else ""
        if kind == "reminder" and not what:
            return "무엇을 알려 드릴까요?"
        agenda.add(memory, when, kind, what[:120], "ko")
        if kind == "alarm":
            return f"{spoken(when, now)}에 알람을 맞췄어요."
        return f"네, {spoken(when, now)}에 {what}{object_(what)} 알려 드릴게요."
    return None


def _read(kind: str, memory: Store, now: datetime) -> str:
    items = [r for r in agenda.pending(memory) if r[2] == kind]
    word = _KIND_WORDS[kind]
    if not items:
        return f"맞춰 둔 {word}{subject(word)} 없어요."
    said = ", ".join(f"{spoken(when, now)}{' ' + text if text else ''}"
                     for _, when, _, text in items[:6])
    return f"{word}{subject(word)} {len(items)}개 있어요. {said}."


def _cancel(kind: str, memory: Store, now: datetime) -> str:
    items = [r for r in agenda.pending(memory) if r[2] == kind]
    word = _KIND_WORDS[kind]
    if not items:
        return f"취소할 {word}{subject(word)} 없어요."
    for rid, *_ in items:
        agenda.cancel(memory, rid)
    return f"{word} {len(items)}개를 취소했어요."


def announcement(kind: str, text: str, late: bool = False) -> str:
    """A due reminder, alarm or timer, said in Korean."""
    prefix = "꺼져 있는 동안 시간이 됐어요. " if late else ""
    if kind == "timer":
        return prefix + "타이머가 끝났어요."  # (its text is the word 타이머 itself)
    if kind == "alarm":
        return prefix + "알람 시간이에요."
    return prefix + f"알려 드릴게요. {text} 할 시간이에요."


def _span_words(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}시간"] if hours else []
    parts += [f"{minutes}분"] if minutes else []
    parts += [f"{secs}초"] if secs else []
    return " ".join(parts)
