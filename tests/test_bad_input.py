"""Bad input through the real command: a clear one-line error, exit 2, never a traceback."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import REPO, run_cli


def assert_clean_failure(proc, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if " error [" in line]
    assert errors == lines[-1:], proc.stderr  # one error line, the last thing printed
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert "Fix:" in errors[0]


def test_empty_wav(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert_clean_failure(run_cli("demo", "--in", str(path)), "empty.wav", "empty")


def test_truncated_wav(tmp_path: Path) -> None:
    whole = tmp_path / "whole.wav"
    soundfile.write(str(whole), np.zeros(32000), 16000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[:20000])
    assert_clean_failure(run_cli("demo", "--in", str(cut)), "cut.wav", "truncated")


@pytest.mark.slow
def test_silence_only_wav_says_no_speech(tmp_path: Path) -> None:
    path = tmp_path / "quiet.wav"
    soundfile.write(str(path), np.zeros(16000 * 2), 16000, subtype="PCM_16")
    started = time.monotonic()
    proc = run_cli("demo", "--in", str(path), "--fast")
    assert_clean_failure(proc, "no speech", "silent", "louder than -50 dBFS")
    # --fast does not then wait out a minute of real time for speech that will never come
    # (a bound on a hang, not a timing claim: loading and warming take ~15 s here)
    assert time.monotonic() - started < 50


@pytest.mark.slow
@pytest.mark.parametrize("sound,says", [("square", "steady sound"), ("quiet", "at most -69 dBFS")])
def test_no_speech_says_why(tmp_path: Path, sound: str, says: str) -> None:
    t = np.arange(16000 * 3) / 16000
    wave = np.sin(2 * np.pi * 440 * t)
    path = tmp_path / f"{sound}.wav"  # a full-scale square wave is loud: no "louder" advice
    soundfile.write(str(path), np.sign(wave) if sound == "square" else wave * 0.0005, 16000,
                    subtype="PCM_16")
    proc = run_cli("demo", "--in", str(path), "--fast")
    assert_clean_failure(proc, "no speech", says)
    if sound == "square":
        assert "louder" not in proc.stderr


def _models_dir_with(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    """A models dir holding the real manifest and a (possibly damaged) copy of smollm2."""
    from samantha.models import store as modelstore
    src = modelstore.path_for("smollm2-135m-instruct-q4_1")
    models = tmp_path / "models"
    dest = models / src.relative_to(modelstore.models_dir())
    dest.parent.mkdir(parents=True)
    shutil.copy(REPO / "models" / "manifest.toml", models / "manifest.toml")
    mutate(src, dest)
    return models


def test_corrupt_model_is_refused(tmp_path: Path) -> None:
    def flip(src: Path, dest: Path) -> None:
        shutil.copy(src, dest)
        with dest.open("r+b") as fh:
            fh.seek(1_000_000)
            byte = fh.read(1)
            fh.seek(1_000_000)
            fh.write(bytes([byte[0] ^ 0xFF]))

    models = _models_dir_with(tmp_path, flip)
    proc = run_cli("chat", "--once", "hello", "--llm", "smollm2-135m-instruct-q4_1",
                   "--state-dir", str(tmp_path / "state"),
                   env={"SAMANTHA_MODELS_DIR": str(models)})
    assert_clean_failure(proc, "SmolLM2-135M-Instruct.Q4_1.gguf")


def test_truncated_model_is_refused(tmp_path: Path) -> None:
    def cut(src: Path, dest: Path) -> None:
        dest.write_bytes(src.read_bytes()[:5_000_000])

    models = _models_dir_with(tmp_path, cut)
    proc = run_cli("chat", "--once", "hello", "--llm", "smollm2-135m-instruct-q4_1",
                   "--state-dir", str(tmp_path / "state"),
                   env={"SAMANTHA_MODELS_DIR": str(models)})
    assert_clean_failure(proc, "SmolLM2-135M-Instruct.Q4_1.gguf")


def test_missing_model_names_the_fix(tmp_path: Path) -> None:
    models = _models_dir_with(tmp_path, lambda src, dest: None)
    proc = run_cli("chat", "--once", "hello", "--llm", "smollm2-135m-instruct-q4_1",
                   "--state-dir", str(tmp_path / "state"),
                   env={"SAMANTHA_MODELS_DIR": str(models)})
    assert_clean_failure(proc, "provision")


def test_unknown_model_name(tmp_path: Path) -> None:
    proc = run_cli("chat", "--once", "hello", "--llm", "gpt-17", "--state-dir",
                   str(tmp_path / "state"))
    assert_clean_failure(proc, "gpt-17")


def test_no_audio_device_points_to_demo() -> None:
    if os.path.exists("/dev/snd") and any(Path("/dev/snd").glob("pcmC*c")):
        pytest.skip("this machine has a capture device")
    proc = run_cli("run")
    assert_clean_failure(proc, "samantha demo")
