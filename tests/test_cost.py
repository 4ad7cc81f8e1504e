"""Cost in proportion to the input: a long recording streams through the simulated room and the
turn loop holding no more than a short one does (bytes held, counted with tracemalloc, not
seconds, so the machine's load does not matter). Timings live in the README's measurement of
``samantha demo --fast`` on room tone, made with ``/usr/bin/time -v``."""

from __future__ import annotations

import asyncio
import logging
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from samantha.audio.chunk import RATE, AudioChunk, WavStream, read_wav, write_wav
from samantha.audio.playback import Playback
from samantha.clock import StreamClock
from samantha.companion.conversation import Conversation
from samantha.config import MemoryConfig, load
from samantha.inference.engines import Engines
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.testing.fakes import (
    ScriptedLanguageModel,
    ScriptedTranscriber,
    ToneVoice,
    speech_like,
)
from samantha.testing.room import Room


def room_tone(path: Path, seconds: float, seed: int = 5) -> Path:
    """Low pink-ish noise (about -45 dBFS), then a question-like sound at the end."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    white = rng.normal(0, 1, n)
    pink = np.cumsum(white) - np.convolve(np.cumsum(white), np.ones(64) / 64, "same")
    tone = pink / (np.std(pink) + 1e-9) * 180
    question = speech_like(1.5, seed=seed).samples.astype(np.float64)
    tone[-len(question) - RATE:-RATE] += question
    write_wav(path, AudioChunk(np.clip(tone, -32768, 32767).astype(np.int16), RATE))
    return path


def serve_file(path: Path) -> tuple[TurnLoop, int]:
    """The demo's way: the file streamed into the room, her echo not kept, until answered.
    Returns the loop and the peak of bytes Python held meanwhile."""
    cfg = load(board="", overrides={"wake": {"mode": "always"}, "aec": {"enabled": False}})
    engines = Engines(ScriptedTranscriber(["Tell me about Lisbon."]),
                      ScriptedLanguageModel(["It is a city of hills."]), ToneVoice())
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    playback = Playback(22050)
    audio = WavStream(path)
    room = Room(playback, duration_s=audio.seconds + 10.0, realtime=False,
                echo_gain_db=-90.0, clock=StreamClock())
    room.say(audio, 0.0)
    room.keep_echo = False
    loop = TurnLoop(engines, brain, cfg, playback, None)
    room.stop_when = lambda: bool(loop.turns) and loop.state is State.IDLE \
        and loop.current is None
    tracemalloc.start()
    try:
        asyncio.run(asyncio.wait_for(loop.serve(room), 600))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        brain.close()
    return loop, peak


def test_five_times_the_audio_holds_no_more_than_once(tmp_path: Path) -> None:
    serve_file(room_tone(tmp_path / "first.wav", 3.0))  # what the first turn loads, once
    short, long = room_tone(tmp_path / "1x.wav", 12.0), room_tone(tmp_path / "5x.wav", 60.0)
    results = [serve_file(short), serve_file(long)]
    for loop, _ in results:  # both answered the question at the end, after the tone
        assert [" ".join(t.spoken) for t in loop.turns] == ["It is a city of hills."]
    (_, once), (_, five) = results
    # the 5x file is 1.9 MB of samples (3.8 MB as float): any whole-file buffer or a growing
    # echo or an unread echo reference would show (seen: 1.9 MB more for 48 s more of
    # audio); what is held is blocks, the pre-roll ring and the engines' state
    assert five < once * 1.3 + 500_000, (once, five)


def test_a_streamed_file_is_the_file(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    samples = speech_like(3.3, seed=2).samples
    import soundfile
    soundfile.write(str(wav), np.repeat(samples, 3)[:, None].repeat(2, axis=1), 48_000,
                    subtype="PCM_16")  # stereo, 48 kHz: mixed and resampled on the way
    whole = read_wav(wav).samples
    streamed = np.concatenate(list(WavStream(wav, block_s=0.25).blocks()))
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(whole), len(streamed))
    assert np.mean(np.abs(whole[:n].astype(int) - streamed[:n])) < 40  # resampler edges


def test_an_utterance_past_the_bound_is_cut_and_heard(caplog: pytest.LogCaptureFixture) -> None:
    """Past [vad] max_utterance_s (15 s) what was heard goes on to be transcribed, with a log
    line; what follows is a new utterance."""
    cfg = load(board="", overrides={"wake": {"mode": "always"}, "aec": {"enabled": False}})
    asr = ScriptedTranscriber(["A very long story.", "And the end."])
    engines = Engines(asr, ScriptedLanguageModel(["I see."]), ToneVoice())
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    playback = Playback(22050)
    room = Room(playback, duration_s=30.0, realtime=False, echo_gain_db=-90.0,
                clock=StreamClock())
    room.say(speech_like(18.0, seed=4), 0.5)
    loop = TurnLoop(engines, brain, cfg, playback, None)
    caplog.set_level(logging.INFO, logger="samantha.pipeline.loop")
    asyncio.run(asyncio.wait_for(loop.serve(room), 300))
    brain.close()
    assert "utterance cut at 15." in caplog.text
    assert asr.calls and max(asr.calls) <= cfg.vad.max_utterance_s + 1.0
