"""The secretary in Korean: time, date, timers, reminders, alarms, notes and lists, by rule,
stored in the same tables as the English tools and announced in Korean."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from samantha.companion import reminders
from samantha.companion.memory import Memory
from samantha.lang.ko import secretary as secretary_ko
from samantha.lang.ko.timeparse import parse_span, parse_when

NOW = datetime(2026, 12, 2, 10, 0)  # a Wednesday, 10 a.m.


@pytest.mark.parametrize(("said", "due"), [
    ("10분 뒤에", datetime(2026, 12, 2, 10, 10)),
    ("한 시간 반 뒤에", datetime(2026, 12, 2, 11, 30)),
    ("1시간 20분 후", datetime(2026, 12, 2, 11, 20)),
    ("내일 아침 7시에", datetime(2026, 12, 3, 7, 0)),
    ("오후 3시 반에", datetime(2026, 12, 2, 15, 30)),
    ("3시에", datetime(2026, 12, 2, 15, 0)),
    ("모레 저녁 6시 30분", datetime(2026, 12, 4, 18, 30)),
    ("다음 주 월요일 9시", datetime(2026, 12, 7, 9, 0)),
    ("오전 일곱 시", datetime(2026, 12, 3, 7, 0)),
])
def test_korean_time_phrases(said: str, due: datetime) -> None:
    assert parse_when(said, NOW) == due


def test_spans_and_no_time() -> None:
    assert parse_span("5분 타이머").total_seconds() == 300  # type: ignore[union-attr]
    assert parse_span("타이머 맞춰 줘") is None
    with pytest.raises(Exception, match="no time"):
        parse_when("언니한테 전화하라고 알려 줘", NOW)


@pytest.fixture
def memory(tmp_path: Path):  # type: ignore[no-untyped-def]
    mem = Memory(tmp_path)
    yield mem
    mem.close()


def test_the_korean_secretary_keeps_what_it_confirms(memory: Memory) -> None:
    run = secretary_ko.run
    assert run("지금 몇 시야?", memory, NOW) == "지금은 오전 10시예요."
    assert run("지금 몇 시예요?", memory, NOW.replace(minute=25)) == "지금은 오전 10시 25분이에요."
    assert run("오늘 며칠이야?", memory, NOW) == "오늘은 12월 2일 수요일이에요."
    said = run("10분 뒤에 언니한테 전화하라고 알려 줘.", memory, NOW)
    assert said == "네, 오전 10시 10분에 언니한테 전화하기를 알려 드릴게요."
    assert run("5분 타이머", memory, NOW) == "네, 5분 타이머를 시작할게요."
    assert "알람" in (run("내일 6시에 깨워 줘", memory, NOW) or "")
    assert run("장보기 목록에 계란 추가해 줘", memory, NOW) == "장보기 목록에 계란을 추가했어요."
    assert run("장보기 목록 읽어 줘", memory, NOW) == "장보기 목록에는 계란이 있어요."
    pending = reminders.pending(memory)
    assert [(kind, text) for _, _, kind, text in pending] == [
        ("timer", "타이머"), ("reminder", "언니한테 전화하기"), ("alarm", "")]
    assert run("타이머 취소해 줘", memory, NOW) == "타이머 1개를 취소했어요."
    assert [kind for _, _, kind, _ in reminders.pending(memory)] == ["reminder", "alarm"]
    assert secretary_ko.run("오늘 기분이 좋아", memory, NOW) is None


def test_a_korean_reminder_is_announced_in_korean() -> None:
    assert reminders.announcement("reminder", "언니한테 전화하기") == \
        "알려 드릴게요. 언니한테 전화하기 할 시간이에요."
    assert reminders.announcement("timer", "타이머") == "타이머가 끝났어요."
    assert reminders.announcement("timer", "") == "Your timer is done."


@pytest.mark.parametrize("said", ["잠 잘 오는 방법 좀 알려 줘.", "팁 좀 알려 줘",
                                  "내일 날씨 알려 줘", "농담 하나 말해 줘",
                                  "파스타 만드는 법 알려 주세요"])
def test_tell_me_is_not_remind_me(said: str, memory: Memory) -> None:
    """"알려 줘" is also "tell me": without a time or a quoted task it is the model's question."""
    assert secretary_ko.run(said, memory, NOW) is None
    assert reminders.pending(memory) == []


def test_a_reminder_still_asks_what_is_missing(memory: Memory) -> None:
    assert secretary_ko.run("약 먹으라고 알려 줘", memory, NOW) == \
        "언제 알려 드릴까요? 10분 뒤에, 또는 7시에처럼 말해 주세요."
    assert secretary_ko.run("10분 뒤에 알려 줘", memory, NOW) == "무엇을 알려 드릴까요?"
    assert secretary_ko.run("세 시에 빨래 걷으라고 알려 줘", memory, NOW) == \
        "네, 오후 3시에 빨래 걷기를 알려 드릴게요."
