"""The acoustic wake word (``wake.mode = "model"``) on the real stock model (microWakeWord's
``okay_nabu``) and real speech from espeak-ng voices, never hers: the word wakes her, other
sentences do not, and nothing reaches the transcriber before it is heard."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from conftest import espeak
from samantha.audio.chunk import RATE, AudioChunk, read_wav
from samantha.audio.playback import Playback
from samantha.companion.conversation import Conversation
from samantha.config import Config, MemoryConfig, load
from samantha.inference.engines import Engines
from samantha.inference.wake_model import WakeWord
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.testing.fakes import ScriptedLanguageModel, ScriptedTranscriber, ToneVoice
from samantha.testing.room import Room

WAKE_VOICES = ("en-us", "en-us+m3", "en-gb", "en-us+m7")
OTHER = ("I think we should go to the market tomorrow morning.",
         "Can you pass me the salt, please?",
         "Okay, now let's book a table for two.")


def spoken(tmp_path: Path, text: str, voice: str) -> AudioChunk:
    name = f"{voice}-{abs(hash(text))}.wav"
    return read_wav(espeak(text, tmp_path / name, voice=voice))


def padded(audio: AudioChunk) -> np.ndarray:
    silence = np.zeros(RATE // 2, np.int16)
    return np.concatenate([silence, audio.samples, silence, silence])


@pytest.mark.parametrize("voice", WAKE_VOICES)
def test_the_wake_word_said_by_other_voices_fires(tmp_path: Path, voice: str) -> None:
    word = WakeWord("okay_nabu")
    audio = padded(spoken(tmp_path, "Okay Nabu, what time is it?", voice))
    fired = [at for block in np.array_split(audio, len(audio) // 480)
             if (at := word.feed(block)) is not None]
    word.close()
    assert len(fired) == 1, f"best score {word.best:.2f}"  # once: the refractory period holds
    assert 0.5 < fired[0] < 0.5 + 2.0  # while the phrase is said, not at the end


@pytest.mark.parametrize("voice", ("en-us", "en-us+m3", "en-gb"))
def test_sentences_without_it_never_fire(tmp_path: Path, voice: str) -> None:
    word = WakeWord("okay_nabu")
    for text in OTHER:
        assert word.feed(padded(spoken(tmp_path, text, voice))) is None, text
    word.close()


def model_loop(lines: list[str], replies: list[str], asr: object | None = None,
               seconds_per_char: float = 0.02) -> tuple[TurnLoop, Playback]:
    cfg: Config = load(board="", overrides={"wake": {"mode": "model"},
                                            "aec": {"enabled": False}})
    transcriber = asr if asr is not None else ScriptedTranscriber(lines)
    engines = Engines(transcriber, ScriptedLanguageModel(replies),  # type: ignore[arg-type]
                      ToneVoice(seconds_per_char))
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    playback = Playback(22050)
    return TurnLoop(engines, brain, cfg, playback), playback


def serve(loop: TurnLoop, room: Room, turns: int, limit_s: float = 20) -> None:
    room.stop_when = lambda: len(loop.turns) >= turns and loop.state is State.IDLE \
        and loop.current is None
    asyncio.run(asyncio.wait_for(loop.serve(room), limit_s))


def test_no_transcription_before_the_wake_word(tmp_path: Path) -> None:
    loop, playback = model_loop(["Okay Nabu, what should I cook?"], ["Try a risotto."])
    room = Room(playback, duration_s=14, realtime=False, echo_gain_db=-90.0)
    room.say(spoken(tmp_path, OTHER[0], "en-us+m3"), 0.5)   # talk in the room, not to her
    room.say(spoken(tmp_path, OTHER[1], "en-gb"), 4.0)
    room.say(spoken(tmp_path, "Okay Nabu, what should I cook?", "en-us"), 8.0)
    serve(loop, room, 1)
    calls = loop.engines.asr.calls  # type: ignore[attr-defined]
    assert len(calls) == 1  # only the utterance with the wake word reached the transcriber
    asked = loop.engines.llm.prompts[-1][-1]["content"]  # type: ignore[attr-defined]
    assert "what should I cook?" in asked and "Nabu" not in asked


def test_a_room_without_the_wake_word_is_never_transcribed(tmp_path: Path) -> None:
    loop, playback = model_loop(["should never be heard"], ["no"])
    room = Room(playback, duration_s=12, realtime=False, echo_gain_db=-90.0)
    for i, text in enumerate(OTHER):
        room.say(spoken(tmp_path, text, WAKE_VOICES[i]), 0.5 + 3.5 * i)
    serve(loop, room, 1)
    assert loop.engines.asr.calls == []  # type: ignore[attr-defined]
    assert loop.turns == [] and loop.engines.tts.said == []  # type: ignore[attr-defined]


def test_stop_during_her_reply_silences_her_without_an_answer(tmp_path: Path) -> None:
    story = "Once upon a time a dragon lived by the sea, and every night it sang to the waves."
    loop, playback = model_loop(["Okay Nabu, tell me a story.", "Stop."], [story, "Okay!"],
                                seconds_per_char=0.06)
    room = Room(playback, duration_s=14, realtime=False, echo_gain_db=-90.0,
                fast_speech_only=True)
    room.say(spoken(tmp_path, "Okay Nabu, tell me a story.", "en-us"), 0.5)
    room.say(spoken(tmp_path, "Stop.", "en-us+m3"), 5.5)  # while her story plays
    serve(loop, room, 2)
    assert len(loop.barge_ins) == 1
    assert loop.engines.tts.said[-1] != "Okay!"  # type: ignore[attr-defined]
    assert "Okay!" not in loop.engines.tts.said  # type: ignore[attr-defined]
    assert len(loop.conversation.history) == 1  # "stop" is not a turn of the conversation


@pytest.mark.slow
def test_real_whisper_hears_the_request_after_the_wake_word(engines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loop, playback = model_loop([], ["A warm soup."], asr=engines.asr)
    room = Room(playback, duration_s=10, realtime=False, echo_gain_db=-90.0)
    room.say(spoken(tmp_path, OTHER[1], "en-gb"), 0.5)
    room.say(spoken(tmp_path, "Okay Nabu, what should I cook tonight?", "en-us+m3"), 4.5)
    serve(loop, room, 1, limit_s=60)
    assert len(loop.turns) == 1
    request = loop.engines.llm.prompts[-1][-1]["content"].lower()  # type: ignore[attr-defined]
    assert "cook" in request and "nabu" not in request and "salt" not in request
