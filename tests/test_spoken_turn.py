"""One whole spoken turn on the real engines and real models, as `samantha demo` runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import espeak, fixture, run_cli, silent, transcribe_file, words
from samantha.audio.chunk import read_wav
from samantha.inference.speech_text import speakable

pytestmark = pytest.mark.slow


def test_stereo_44k_fixture_is_transcribed(engines) -> None:  # type: ignore[no-untyped-def]
    text = engines.asr.transcribe(read_wav(fixture("turn_on_the_living_room_lamp.wav"))).text
    assert words(text) == ["turn", "on", "the", "living", "room", "lamp"]


def test_short_context_does_not_leak_into_a_long_clip(engines) -> None:  # type: ignore[no-untyped-def]
    """pywhispercpp keeps parameters between calls: a short clip first must not spoil jfk."""
    engines.asr.transcribe(read_wav(fixture("living_room_light_en.wav")))
    text = engines.asr.transcribe(read_wav(fixture("jfk.wav"))).text
    assert words(text) == words("And so my fellow Americans, ask not what your country can do "
                                "for you, ask what you can do for your country.")


def test_demo_answers_a_spoken_question(tmp_path: Path, engines) -> None:  # type: ignore[no-untyped-def]
    question = espeak("What is the capital city of France?", tmp_path / "q.wav")
    out = tmp_path / "reply.wav"
    proc = run_cli("demo", "--in", str(question), "--out", str(out), "--json", "--fast")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert {"capital", "france"} <= set(words(result["transcript"]))
    reply = result["reply"]
    assert "paris" in words(reply), reply  # a right answer, however short
    assert speakable(reply) == reply, "the reply must be plain speech"
    assert result["reply_wav"] == str(out)
    timings = result["timings"]
    for key in ("end_of_speech", "transcript_ready", "first_token", "first_audio"):
        assert timings[key] is not None and timings[key] >= 0, key
    assert timings["transcript_ready"] <= timings["first_token"] <= timings["first_audio"]
    audio = read_wav(out)
    assert not silent(audio) and audio.seconds > 0.5
    # what she played is what she said: whisper hears most of the reply's words in her audio
    heard = set(words(transcribe_file(engines, out)))
    said = [w for w in words(reply) if len(w) > 2]
    assert said, reply
    overlap = sum(w in heard for w in said) / len(said)
    assert overlap >= 0.6, (reply, heard)


def test_default_demo_input_is_bundled(tmp_path: Path) -> None:
    proc = run_cli("demo", "--out", str(tmp_path / "r.wav"), "--json", "--fast")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert {"good", "way", "start", "morning"} <= set(words(result["transcript"]))
    assert result["reply"]


@pytest.mark.parametrize("rate,channels,subtype", [(48000, 2, "PCM_16"), (8000, 1, "PCM_U8")])
def test_odd_formats_are_heard(tmp_path: Path, rate: int, channels: int, subtype: str,
                               engines) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    import soundfile

    src = read_wav(fixture("living_room_light_en.wav"))
    import soxr

    data = soxr.resample(src.samples.astype(np.float32) / 32768, 16000, rate)
    if channels == 2:
        data = np.stack([data, data], axis=1)
    path = tmp_path / f"odd_{rate}_{channels}.wav"
    soundfile.write(str(path), data, rate, subtype=subtype)
    assert words(transcribe_file(engines, path)) == ["turn", "on", "the", "living", "room",
                                                     "light"]


def test_a_short_clip_does_not_spoil_the_next_question(engines) -> None:  # type: ignore[no-untyped-def]
    """whisper.cpp garbles ("... to the to the to the") once the audio context shrinks on a
    reused state; each context size has its own state, so order does not matter."""
    import numpy as np

    from samantha.audio.chunk import AudioChunk

    question = read_wav(fixture("living_room_light_en.wav"))
    engines.asr.transcribe(AudioChunk(np.zeros(16000, np.int16)))
    engines.asr.transcribe(read_wav(fixture("jfk.wav")))
    for _ in range(2):
        text = engines.asr.transcribe(question).text
        assert words(text) == ["turn", "on", "the", "living", "room", "light"]
