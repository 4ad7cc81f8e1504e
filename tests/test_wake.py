"""Wake decisions as pure logic: phrase matching, the follow-up window, the modes."""

from __future__ import annotations

import pytest

from samantha.config import WakeConfig
from samantha.errors import ConfigError
from samantha.pipeline.wake import FollowUpWindow, WakeGate, WakeMatch, is_stop, match_phrase


@pytest.mark.parametrize("heard,rest", [
    ("Samantha, what time is it?", "what time is it?"),
    ("Hey Samantha what time is it", "what time is it"),
    ("hey samantha. Turn on the lamp.", "Turn on the lamp."),
    ("Samanta, are you there?", "are you there?"),
    ("Samantha's there? Good.", "there? Good."),
    ("Okay, Samantha, tell me a joke.", "tell me a joke."),
    ("Sam Antha, hello", "hello"),
    ("Samantha?", ""),
])
def test_wake_phrase_hits(heard: str, rest: str) -> None:
    m = match_phrase(heard, "Samantha")
    assert m.woke and m.rest == rest


@pytest.mark.parametrize("heard", [
    "I told Samantha about it yesterday.",
    "Turn on the living room lamp.",
    "Salamander in the garden",
    "Hey there, what time is it?",
    "Some answer",
    "",
])
def test_wake_phrase_near_misses(heard: str) -> None:
    assert not match_phrase(heard, "Samantha").woke


def test_custom_name() -> None:
    assert match_phrase("Hey Theo, lights off", "Theo").rest == "lights off"
    assert not match_phrase("Hey Samantha, lights off", "Theo").woke


def test_follow_up_window_opens_after_an_answer_and_expires() -> None:
    window = FollowUpWindow(8.0)
    assert not window.is_open(0.0)
    window.open(10.0)
    assert window.is_open(10.0) and window.is_open(17.9)
    assert not window.is_open(18.1)
    window.open(20.0)
    window.close()
    assert not window.is_open(20.5)


def test_gate_phrase_mode_uses_the_window() -> None:
    gate = WakeGate(WakeConfig(follow_up_s=8.0), "Samantha")
    assert not gate.decide("what time is it", 0.0).woke
    first = gate.decide("Samantha, what time is it", 1.0)
    assert first.woke and first.rest == "what time is it"
    gate.answered(3.0)
    assert gate.decide("and the date?", 9.0).rest == "and the date?"
    assert not gate.decide("and the weather?", 11.5).woke


def test_gate_always_mode_and_empty_transcripts() -> None:
    gate = WakeGate(WakeConfig(mode="always"), "Samantha")
    assert gate.decide("what time is it", 0.0).woke
    assert gate.decide("Samantha, what time is it", 0.0).rest == "what time is it"
    assert not gate.decide("   ", 0.0).woke


def test_model_mode_with_an_unknown_model_fails_clearly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        WakeGate(WakeConfig(mode="model", model="hey_samantha"), "Samantha")
    assert err.value.code == "wake-model" and "okay_nabu" in str(err.value)
    with pytest.raises(ConfigError) as err:
        WakeGate(WakeConfig(mode="model", model=str(tmp_path / "hey.json")), "Samantha")
    assert "hey.json" in str(err.value)
    with pytest.raises(ConfigError):
        WakeConfig(mode="model", threshold=1.5)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ConfigError):
        WakeConfig(mode="clap")


def test_without_a_wake_model_audio_never_wakes_her() -> None:
    import asyncio

    import numpy as np

    gate = WakeGate(WakeConfig(), "Samantha")
    loud = (np.random.default_rng(0).normal(0, 8000, 16000)).astype(np.int16)
    assert asyncio.run(gate.hear(loud)) is False and not gate.listens
    assert gate.may_transcribe(0.0, 0.0, interrupting=False)  # phrase mode transcribes all
    assert not gate.decide("what time is it", 0.0).woke  # only her name or a model wakes her
    gate.close()


def test_model_mode_gate_allows_whisper_only_after_the_wake_word() -> None:
    gate = WakeGate(WakeConfig(mode="model", listen_s=3.0, follow_up_s=8.0), "Samantha")
    try:
        assert gate.listens
        assert not gate.may_transcribe(5.0, 100.0, interrupting=False)  # nothing heard yet
        assert gate.may_transcribe(5.0, 100.0, interrupting=True)  # talking over her reply
        gate.heard_at_s = 6.0  # heard inside the utterance that began at 5 s
        assert gate.may_transcribe(5.0, 100.0, interrupting=False)
        assert gate.may_transcribe(8.5, 100.0, interrupting=False)  # request just after it
        assert not gate.may_transcribe(9.5, 100.0, interrupting=False)  # too long after
        # the stock phrase (or her name) is cut from the request; what passed is for her
        assert gate.decide("Okay, Nabu, what time is it?", 100.0).rest == "what time is it?"
        assert gate.decide("OK Nabu.", 100.0) == WakeMatch(True, "")
        assert gate.decide("Okay, Armu, what should I cook?", 100.0).rest == "what should I cook?"
        assert gate.decide("what time is it", 100.0).rest == "what time is it"
        gate.answered(100.0)
        assert gate.may_transcribe(20.0, 104.0, interrupting=False)  # the follow-up window
        assert not gate.may_transcribe(20.0, 109.0, interrupting=False)
        gate.answered(110.0)
        gate.silenced()  # "stop": no follow-up window
        assert not gate.may_transcribe(20.0, 111.0, interrupting=False)
    finally:
        gate.close()


@pytest.mark.parametrize("said,stop", [
    ("Stop.", True), ("stop it!", True), ("Be quiet.", True), ("Okay, stop.", True),
    ("Never mind", True), ("Stop the timer at noon", False), ("don't stop", False),
    ("what time is it", False),
])
def test_stop_is_the_whole_request(said: str, stop: bool) -> None:
    assert is_stop(said) is stop
