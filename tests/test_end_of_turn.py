"""Semantic end of turn: the endpointer asks at a short silence, ends at once on "done", waits
up to the longer hang-over on "not done", ignores stale answers; the loop wires the model in;
the real Smart Turn v3.2 computes pipecat's features and hears a finished question."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from samantha.audio.chunk import RATE, AudioChunk, concat, read_wav
from samantha.audio.playback import Playback
from samantha.audio.vad import EndpointConfig, Endpointer, EndpointState, EventKind
from samantha.companion.conversation import Conversation
from samantha.config import MemoryConfig, load
from samantha.errors import ConfigError
from samantha.inference.engines import Engines, build_turn
from samantha.inference.turn_model import SmartTurn, features
from samantha.pipeline.events import SpeechEnded
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.pipeline.turn import NAIVE, Style
from samantha.testing.fakes import (
    ScriptedLanguageModel,
    ScriptedTranscriber,
    ScriptedTurn,
    ToneVoice,
    speech_like,
)
from samantha.testing.room import Room

FULL = "I was thinking that maybe we could go to the beach."
SEMANTIC = EndpointConfig(hangover_s=0.5, turn_check_s=0.2, max_hangover_s=1.2)


def feed(ep: Endpointer, pattern: list[tuple[float, bool]]) -> list[tuple[EventKind, float]]:
    out = []
    for seconds, speech in pattern:
        for _ in range(round(seconds / 0.03)):
            if (event := ep.update(0.03, speech)) is not None:
                out.append((event.kind, round(event.decided_at_s, 2)))
    return out


def test_the_model_is_asked_at_a_short_silence_and_done_ends_at_once() -> None:
    ep = Endpointer(SEMANTIC)
    events = feed(ep, [(0.3, False), (1.2, True), (0.21, False)])
    assert [k for k, _ in events] == [EventKind.SPEECH_START, EventKind.SPEECH_PAUSE,
                                      EventKind.SPEECH_CHECK]
    end = ep.verdict(True, ep.pause_id)
    assert end is not None and end.kind is EventKind.SPEECH_END
    assert end.reason == "turn_complete" and end.at_s == pytest.approx(1.5)


def test_not_done_waits_for_the_longer_hangover() -> None:
    ep = Endpointer(SEMANTIC)
    events = feed(ep, [(0.3, False), (1.2, True), (0.21, False)])
    assert ep.verdict(False, ep.pause_id) is None
    events = feed(ep, [(0.9, False)])  # past the 0.5 s hang-over: still waiting
    assert events == []
    events = feed(ep, [(0.12, False)])
    assert events and events[0][0] is EventKind.SPEECH_END  # at 1.2 s of silence


def test_an_answer_about_an_earlier_pause_is_ignored() -> None:
    ep = Endpointer(SEMANTIC)
    feed(ep, [(0.3, False), (1.2, True), (0.21, False)])
    stale = ep.pause_id
    feed(ep, [(0.3, True), (0.09, False)])  # the person went on, then paused again
    assert ep.verdict(True, stale) is None
    assert ep.verdict(True, ep.pause_id) is None  # not asked about this pause yet


def test_without_a_model_the_fixed_hangover_holds() -> None:
    ep = Endpointer(EndpointConfig(hangover_s=0.5))
    events = feed(ep, [(0.3, False), (1.2, True), (0.6, False)])
    assert EventKind.SPEECH_CHECK not in [k for k, _ in events]
    assert events[-1][0] is EventKind.SPEECH_END
    with pytest.raises(ConfigError):
        EndpointConfig(hangover_s=0.5, turn_check_s=0.6, max_hangover_s=1.0)


WORDS = EndpointConfig(hangover_s=0.5, turn_check_s=0.2, max_hangover_s=1.2, hold_only=True)


@pytest.mark.parametrize("answer", [True, None])
def test_finished_words_or_no_answer_yet_end_at_the_usual_hangover(answer: bool | None) -> None:
    # a slow transcript (whisper-base on a Pi) must never delay the end: only "unfinished" holds
    ep = Endpointer(WORDS)
    feed(ep, [(0.3, False), (1.2, True), (0.21, False)])
    if answer is not None:
        assert ep.verdict(answer, ep.pause_id) is None  # "finished": nothing changes
    assert feed(ep, [(0.27, False)]) == []
    [(kind, at)] = feed(ep, [(0.03, False)])
    assert kind is EventKind.SPEECH_END and at == pytest.approx(1.5 + 0.5, abs=0.01)


def test_unfinished_words_hold_the_end_up_to_the_longer_hangover() -> None:
    ep = Endpointer(WORDS)
    feed(ep, [(0.3, False), (1.2, True), (0.21, False)])
    assert ep.verdict(False, ep.pause_id) is None
    assert feed(ep, [(0.9, False)]) == []  # past 0.5 s: held
    events = feed(ep, [(0.12, False)])
    assert events and events[0][0] is EventKind.SPEECH_END  # at 1.2 s of silence
    late = Endpointer(WORDS)  # an answer that comes after the hang-over is too late to hold
    feed(late, [(0.3, False), (1.2, True), (0.51, False)])
    assert late.state is not EndpointState.PAUSED and late.verdict(False, late.pause_id) is None


def loop_with(turn: ScriptedTurn | None, lines: list[str], pause_s: float = 0.35,
              words: bool = False, style: Style | None = None) -> tuple[TurnLoop, Room]:
    cfg = load(board="", overrides={"wake": {"mode": "always"}, "aec": {"enabled": False},
                                    "vad": {"wait_unfinished": words}})
    engines = Engines(ScriptedTranscriber(lines), ScriptedLanguageModel(["Sure."]), ToneVoice(),
                      turn)
    loop = TurnLoop(engines, Conversation(cfg.persona, memory_cfg=MemoryConfig(
        extract_facts=False)), cfg, Playback(22050), None, style)
    room = Room(loop.speaker, duration_s=30, realtime=False,  # type: ignore[arg-type]
                echo_gain_db=-90.0)
    pause = AudioChunk(np.zeros(int(pause_s * RATE), np.int16))
    room.say(concat([speech_like(1.0, 1), pause, speech_like(1.0, 2)]), 0.5)
    return loop, room


def serve(loop: TurnLoop, room: Room) -> None:
    room.stop_when = lambda: len(loop.turns) >= 1 and loop.state is State.IDLE \
        and loop.current is None
    asyncio.run(asyncio.wait_for(loop.serve(room), 10))


def test_the_loop_waits_through_a_pause_the_model_calls_unfinished() -> None:
    turn = ScriptedTurn([False, True])  # mid-sentence pause: not done; the real end: done
    # the speculative start at the mid-sentence pause hears the first half, then is dropped;
    # what it heard is kept, and the end hears only the rest (pipeline/kept.py)
    loop, room = loop_with(turn, ["I was thinking that", "maybe we could go to the beach."])
    serve(loop, room)
    assert len(turn.asked) == 2 and len(loop.turns) == 1
    ended = loop.turns[0].log.first(SpeechEnded)
    assert isinstance(ended, SpeechEnded) and ended.reason == "turn_complete"
    assert ended.audio_s > 2.2  # the whole utterance, both halves
    assert loop.conversation.history[0][0] == FULL


def test_the_loop_cuts_where_the_model_says_done() -> None:
    turn = ScriptedTurn([True])  # the model is wrong about the mid-sentence pause
    loop, room = loop_with(turn, ["I was thinking that", "maybe we could go."])
    serve(loop, room)
    ended = loop.turns[0].log.first(SpeechEnded)
    assert isinstance(ended, SpeechEnded) and ended.audio_s < 1.8  # the first half alone
    assert loop.turns[0].transcript == "I was thinking that"  # cut off


def test_no_model_no_checks_the_pause_is_inside_the_hangover() -> None:
    loop, room = loop_with(None, ["I was thinking that", "maybe we could go to the beach."])
    serve(loop, room)
    ended = loop.turns[0].log.first(SpeechEnded)
    assert isinstance(ended, SpeechEnded) and ended.reason == "silence"
    assert ended.audio_s > 2.2 and loop.conversation.history[0][0] == FULL


def test_a_pause_after_unfinished_words_is_waited_through() -> None:
    # 0.7 s of silence after "I was thinking that maybe we could": past the hang-over, so
    # without reading the words she answers the first half; reading them, she waits
    loop, room = loop_with(None, ["I was thinking that maybe we could", "go to the beach."],
                           pause_s=0.7, words=True)
    serve(loop, room)
    ended = loop.turns[0].log.first(SpeechEnded)
    assert isinstance(ended, SpeechEnded) and ended.audio_s > 2.5
    assert loop.conversation.history[0][0] == FULL
    loop, room = loop_with(None, ["I was thinking that maybe we could", FULL], pause_s=0.7,
                           words=False)
    serve(loop, room)
    assert loop.turns[0].transcript == "I was thinking that maybe we could"  # cut off


def test_the_naive_cascade_has_no_words_to_read_and_keeps_the_fixed_hangover() -> None:
    # it transcribes only once the person is done: waiting for words at a pause would hold
    # every utterance to max_hangover_s (it did: +0.6 s on the bench's naive turns)
    loop, room = loop_with(None, ["Tell me a joke.", "And one more."], pause_s=0.7, words=True,
                           style=NAIVE)
    serve(loop, room)
    ended = loop.turns[0].log.first(SpeechEnded)
    assert isinstance(ended, SpeechEnded) and ended.reason == "silence"
    assert ended.audio_s < 2.2


def test_a_pause_after_finished_words_ends_at_the_hangover() -> None:
    loop, room = loop_with(None, ["Tell me a joke.", "And one more."], pause_s=0.7, words=True)
    serve(loop, room)
    ended = loop.turns[0].log.first(SpeechEnded)
    assert isinstance(ended, SpeechEnded) and ended.reason == "silence"
    assert ended.audio_s < 2.2 and loop.turns[0].transcript == "Tell me a joke."


@pytest.mark.parametrize("text, open_", [
    ("Can you tell me about the", True), ("I was thinking that maybe we could", True),
    ("So my sister and", True), ("How long should I", True), ("um", True),
    ("What's the capital of France?", False), ("Tell me a joke.", False),
    ("How long should I?", True), ("Should I?", False), ("Where are you from?", False),
    ("So my sister and her husband are coming over.", False), ("Turn it off", False),
    ("Turn off the light", False), ("Set a timer for 5 minutes", False),
    ("내일 날씨가", True), ("엄마한테 전화하고", True), ("제가 어제 마트에 갔는데", True),
    ("그런데", True), ("오늘 날씨 어때요", False), ("타이머 맞춰 줘", False),
    ("우리 집 고양이", False), ("지금 몇 시야", False),
])
def test_unfinished_words_in_each_language(text: str, open_: bool) -> None:
    from samantha import lang
    from samantha.pipeline.ending import unfinished

    assert unfinished(text, lang.pack_for(text, lang.get("en"))) is open_


@pytest.fixture(scope="module")
def smart_turn(models_ready) -> SmartTurn:  # type: ignore[no-untyped-def]
    model = build_turn(load(board="", overrides={"vad": {"turn_model": "smart-turn-v3.2"}}))
    if model is None:
        pytest.fail("smart-turn-v3.2 is not provisioned; run `make models`")
    assert isinstance(model, SmartTurn)
    return model


def test_features_are_whisper_log_mels_of_the_last_8_s() -> None:
    tone = (np.sin(2 * np.pi * 440 * np.arange(RATE * 10) / RATE) * 8000).astype(np.int16)
    feats = features(tone)
    assert feats.shape == (80, 800) and feats.dtype == np.float32
    assert -1.5 < float(feats.min()) and float(feats.max()) <= 2.0  # about [-1, 1]
    band = int(np.argmax(feats[:, 400]))  # 440 Hz: one of the low mel bands
    assert 5 <= band <= 20
    short = features(tone[:RATE])  # 1 s: zero-padded in front, the tone at the end
    assert float(short[:, :600].std()) < float(short[:, 700:].std())


def test_real_smart_turn_hears_finished_questions(smart_turn: SmartTurn, tmp_path: Path) -> None:
    from conftest import espeak

    for text, voice in (("What is a good way to start the morning?", "en-us+m3"),
                        ("Turn on the living room lamp.", "en-gb")):
        audio = read_wav(espeak(text, tmp_path / "q.wav", voice=voice)).samples
        tail = np.zeros(int(0.2 * RATE), np.int16)
        p = smart_turn.probability(np.concatenate([audio, tail]))
        assert p > 0.8, (text, p)
