"""Her name in Korean wakes her, tolerantly; Korean talk about her, or near words, does not."""

from __future__ import annotations

import pytest

from samantha.config import WakeConfig
from samantha.pipeline.wake import WakeGate, is_stop, match_phrase


@pytest.mark.parametrize(("heard", "asked"), [
    ("사만다, 지금 몇 시야?", "지금 몇 시야?"),
    ("헤이 사만다 불 켜줘", "불 켜줘"),
    ("싸만다야 안녕", "안녕"),
    ("사만타 씨, 오늘 날씨 어때?", "오늘 날씨 어때?"),
    ("사만다님 안녕하세요", "안녕하세요"),
    ("저기 사만따, 타이머 맞춰 줘", "타이머 맞춰 줘"),
    ("사 만다 불 꺼줘", "불 꺼줘"),
    ("Samantha, 지금 몇 시야?", "지금 몇 시야?"),
    ("사만다", ""),
])
def test_her_korean_name_wakes_her(heard: str, asked: str) -> None:
    match = match_phrase(heard, "Samantha")
    assert match.woke and match.rest == asked


@pytest.mark.parametrize("heard", ["내가 사만다한테 말했어", "사람이 많다", "사랑해",
                                   "사만원이야", "사만원", "오늘 사만다 봤어?", "사마귀가 있어"])
def test_korean_talk_that_is_not_her_name_does_not(heard: str) -> None:
    assert not match_phrase(heard, "Samantha").woke


def test_a_name_written_in_hangul_is_its_own_korean_form() -> None:
    assert match_phrase("지우야, 불 좀 켜 줘", "지우").rest == "불 좀 켜 줘"
    assert not match_phrase("지우야, 불 좀 켜 줘", "Samantha").woke


def test_the_gate_wakes_on_korean_and_opens_the_follow_up_window() -> None:
    gate = WakeGate(WakeConfig(), "Samantha")
    assert not gate.decide("불 켜줘", 0.0).woke
    assert gate.decide("사만다야, 불 켜줘", 1.0).rest == "불 켜줘"
    gate.answered(2.0)
    assert gate.decide("고마워", 5.0).woke  # the follow-up window needs no name


@pytest.mark.parametrize("said", ["그만.", "그만해", "멈춰!", "조용히 해 줘", "쉿"])
def test_korean_stop_silences_her(said: str) -> None:
    assert is_stop(said)
    assert not is_stop("그만 먹고 싶어")
