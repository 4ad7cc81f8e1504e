"""The edge: any rate, channel count and width becomes 16 kHz mono; bad files fail clearly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import fixture
from samantha.audio.chunk import RATE, AudioChunk, read_wav, to_pipeline, write_wav
from samantha.errors import AudioError


def tone(rate: int, seconds: float = 1.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([mono] * channels, axis=1) if channels > 1 else mono


@pytest.mark.parametrize("rate,channels,subtype", [(48000, 1, "PCM_16"), (44100, 2, "PCM_16"),
                                                   (8000, 1, "PCM_U8"), (22050, 2, "FLOAT"),
                                                   (16000, 1, "PCM_24")])
def test_any_format_becomes_16k_mono(tmp_path: Path, rate: int, channels: int,
                                     subtype: str) -> None:
    path = tmp_path / "in.wav"
    soundfile.write(str(path), tone(rate, 1.0, channels), rate, subtype=subtype)
    chunk = read_wav(path)
    assert chunk.rate == RATE and chunk.channels == 1 and chunk.samples.dtype == np.int16
    assert abs(len(chunk.samples) - RATE) <= 2
    # the 440 Hz tone survives: its energy peak is at 440 Hz after conversion
    spectrum = np.abs(np.fft.rfft(chunk.samples.astype(np.float64)))
    assert abs(np.argmax(spectrum) * RATE / len(chunk.samples) - 440) < 5
    assert 0.3 < np.abs(chunk.samples).max() / 32768 < 0.6


def test_stereo_fixture_is_converted() -> None:
    chunk = read_wav(fixture("turn_on_the_living_room_lamp.wav"))
    assert chunk.rate == RATE and chunk.samples.ndim == 1
    assert 2.5 < chunk.seconds < 3.5


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError) as err:
        read_wav(path)
    assert err.value.code == "empty" and "empty.wav" in str(err.value)


def test_header_only_wav_has_no_audio(tmp_path: Path) -> None:
    path = tmp_path / "header.wav"
    soundfile.write(str(path), np.zeros(0), 16000, subtype="PCM_16")
    with pytest.raises(AudioError) as err:
        read_wav(path)
    assert err.value.code == "no-audio"


def test_truncated_wav(tmp_path: Path) -> None:
    whole = tmp_path / "whole.wav"
    soundfile.write(str(whole), tone(16000, 2.0), 16000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(AudioError) as err:
        read_wav(cut)
    assert err.value.code == "truncated" and "cut.wav" in str(err.value)
    assert "Fix:" in str(err.value)


def _streamed(whole: Path, out: Path, size: int) -> Path:
    """The same WAV with the placeholder sizes a streaming writer leaves in its header."""
    data = bytearray(whole.read_bytes())
    at = data.index(b"data") + 4
    data[4:8] = min(size + 36, 0xFFFFFFFF).to_bytes(4, "little")
    data[at:at + 4] = size.to_bytes(4, "little")
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("size", [0x7FFFF000, 0xFFFFFFFF])
def test_a_streamed_header_is_read_to_the_end_of_the_file(tmp_path: Path, size: int) -> None:
    whole = tmp_path / "whole.wav"
    soundfile.write(str(whole), tone(22050, 2.0), 22050, subtype="PCM_16")
    chunk = read_wav(_streamed(whole, tmp_path / "streamed.wav", size))
    assert abs(len(chunk.samples) - 2 * RATE) <= 2  # all of it, not "cut off"
    # a streamed file cut mid-sample is still read up to its last whole frame
    cut = tmp_path / "cut.wav"
    cut.write_bytes((tmp_path / "streamed.wav").read_bytes()[:-1])
    assert abs(read_wav(cut).seconds - 2.0) < 0.01


def test_espeak_ng_stdout_is_read(tmp_path: Path) -> None:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (make setup installs it)")
    path = tmp_path / "stdout.wav"
    with path.open("wb") as fh:  # a pipe: espeak-ng cannot seek back to write the size
        subprocess.run(["espeak-ng", "--stdout", "Hey Samantha, what time is it?"],
                       stdout=fh, check=True)
    assert path.read_bytes()[40:44] == (0x7FFFF000).to_bytes(4, "little")
    chunk = read_wav(path)
    assert 1.0 < chunk.seconds < 4.0 and np.abs(chunk.samples).max() > 3000


def test_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("this is not a wave file at all")
    with pytest.raises(AudioError) as err:
        read_wav(path)
    assert err.value.code == "unreadable"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as err:
        read_wav(tmp_path / "nowhere.wav")
    assert err.value.code == "missing"


def test_write_is_atomic_and_round_trips(tmp_path: Path) -> None:
    chunk = to_pipeline(tone(16000, 0.5), 16000)
    out = tmp_path / "sub" / "out.wav"
    write_wav(out, chunk)
    assert not list(out.parent.glob("*.part"))
    again = read_wav(out)
    assert np.array_equal(again.samples, chunk.samples)


def test_int16_identity() -> None:
    samples = (np.arange(-1000, 1000, dtype=np.int16) * 16)
    chunk = to_pipeline(samples, RATE)
    assert np.array_equal(chunk.samples, samples)
    assert isinstance(chunk, AudioChunk)
