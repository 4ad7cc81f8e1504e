"""Wake decisions as pure logic: phrase matching, the follow-up window, the modes."""

from __future__ import annotations

import pytest

from samantha.config import WakeConfig
from samantha.errors import ConfigError
from samantha.pipeline.wake import FollowUpWindow, WakeGate, match_phrase


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


def test_model_mode_without_a_model_fails_clearly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        WakeGate(WakeConfig(mode="model"), "Samantha")
    assert err.value.code == "no-wake-model" and "model_path" in str(err.value)
    with pytest.raises(ConfigError) as err:
        WakeGate(WakeConfig(mode="model", model_path=str(tmp_path / "hey.onnx")), "Samantha")
    assert "hey.onnx" in str(err.value)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ConfigError):
        WakeConfig(mode="clap")


def test_without_a_wake_model_audio_never_wakes_her() -> None:
    import asyncio

    import numpy as np

    gate = WakeGate(WakeConfig(), "Samantha")
    loud = (np.random.default_rng(0).normal(0, 8000, 16000)).astype(np.int16)
    assert asyncio.run(gate.model_woke(loud)) is False
    assert not gate.decide("what time is it", 0.0).woke  # only her name or a model wakes her
    gate.close()
