"""Samantha in Korean, end to end: a real Korean recording through `samantha demo` with the one
switch (``[persona] language = "ko"``) is heard by the multilingual whisper, answered in Korean
and spoken by the Korean voice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import fixture, run_cli, silent
from samantha.audio.chunk import read_wav
from samantha.lang.ko.numbers import say_korean
from samantha.lang.script import has

pytestmark = pytest.mark.slow


def test_demo_answers_korean_in_korean(tmp_path: Path) -> None:
    config = tmp_path / "ko.toml"
    config.write_text('[persona]\nlanguage = "ko"\n', encoding="utf-8")
    out = tmp_path / "reply.wav"
    proc = run_cli("--config", str(config), "demo", "--in",
                   str(fixture("living_room_light_ko.wav")), "--out", str(out), "--json",
                   "--fast", env={"STATE_DIRECTORY": str(tmp_path / "state")})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert "거실" in result["transcript"]
    reply = result["reply"]
    letters = [ch for ch in reply if ch.isalpha()]
    assert letters and sum(has(ch, "hangul") for ch in letters) >= 0.9 * len(letters), reply
    audio = read_wav(out)
    assert not silent(audio) and audio.seconds > 0.5
    # the audio is her Korean voice saying that reply: as long as the voice's own reading of it.
    # (Whether whisper hears that voice is test_korean_voice's, on a fixed sentence: on a
    # reply of the model's choosing it is chance, 0.43-0.95 jamo CER seen.)
    from samantha.inference.espeak_voice import EspeakVoice

    voice = EspeakVoice("ko", normalize=say_korean)
    try:
        spoken = voice.synthesize(reply)
    finally:
        voice.close()
    assert abs(audio.seconds - spoken.seconds) <= 0.1 * spoken.seconds, (reply, audio.seconds)
