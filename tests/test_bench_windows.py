"""``python -m samantha.bench.windows``: each short window of whisper on real openings."""

from __future__ import annotations

import pytest

from conftest import fixture
from samantha.audio.chunk import read_wav
from samantha.bench import windows
from samantha.config import Config
from samantha.inference.engines import build_asr


@pytest.mark.slow
def test_each_window_decodes_every_opening_once_and_is_compared_with_the_biggest(
        models_ready: None) -> None:
    ears = build_asr(Config())  # tiny.en, with its 320 and 640 windows
    try:
        got = windows.measure(ears, [read_wav(fixture("jfk.wav"))], [320, 1500], [2.0, 3.0, 60])
    finally:
        ears.close()
    assert [(w.size, w.calls) for w in got] == [(320, 2), (1500, 2)]  # 60 s: longer than jfk
    assert got[-1].agreed == 2 and got[-1].looped == 0 and got[0].seconds > 0
    table = windows.table(got)
    assert "| 320 | 2 |" in table and "same words as 1500" in table
