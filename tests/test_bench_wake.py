"""``samantha bench --wake`` on the real stock wake word: the negative stream holds every kind of
audio it promises and never says the word; the miss trials hear the word when said near."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from samantha.bench import corpus, wake
from samantha.bench.stats import markdown
from samantha.config import load
from samantha.inference.wake_model import WakeWord

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_negative_stream_mixes_talk_fixtures_and_music_without_false_wakes() -> None:
    src = wake.Sources(None, FIXTURES)
    assert src.talk and src.near and src.fixtures and src.music and not src.her
    assert float(np.abs(src.music[0]).max()) > 1000  # tones, not silence
    word = WakeWord("okay_nabu")
    try:
        report = wake.false_wakes(word, src, hours=0.03)
    finally:
        word.close()
    assert report["hours"] >= 0.03
    assert {"talk", "music", "pause"} <= set(report["hours_by_source"])
    # ordinary talk, recordings and music never wake her; near misses ("Okay, I know") may
    assert set(report["by_source"]) <= {"near misses"}
    assert report["per_hour_by_source"]["talk"] == 0.0
    assert 0 < report["detector_rtf"] < 0.2
    at = report["false_wakes_per_hour_at"]
    assert list(at) == ["0.5", "0.7", "0.85", "0.95"]
    assert at["0.85"] == report["false_wakes_per_hour"]  # the model's own cutoff
    assert at["0.5"] >= at["0.7"] >= at["0.85"] >= at["0.95"]


def test_misses_are_counted_per_distance() -> None:
    word = WakeWord("okay_nabu")
    try:
        report = wake.misses(word, wake.Sources(None, None), load(board=""))
    finally:
        word.close()
    tried = len(wake.WAKE_VOICES) * len(wake.REQUESTS)
    assert set(report["misses"]) == {"near", "mid", "far"}  # no voice of hers to play over
    assert report["trials"] == 3 * tried
    at = report["miss_rate_at"]
    assert at["0.85"] == report["miss_rate"]  # the same scores, the model's own cutoff
    assert at["0.5"] <= at["0.7"] <= at["0.85"] <= at["0.95"]
    near_missed = int(report["misses"]["near"].split("/")[0])
    assert near_missed <= tried // 3  # most voices are heard up close
    quiet = corpus.espeak("Can you pass me the salt, please?", "en-us")
    assert quiet is not None and not wake._trial(WakeWord("okay_nabu"), quiet.samples)


def test_the_report_prints_the_wake_figures() -> None:
    stage = {"p50": 0.1, "p95": 0.2, "max": 0.3}
    report = {"machine": {"board": "b", "cpu": "c", "cores": 2, "memory_gb": 1,
                          "memory_bandwidth_gbs": 1},
              "models": {"asr": "a", "llm": "l", "tts": "t"}, "turns": 1,
              "voice_to_voice_s": stage, "naive_voice_to_voice_s": stage,
              "stages": {k: stage for k in ("endpoint_s", "asr_s", "asr_rtf", "prefill_s",
                                            "decode_tok_s", "decode_gbs", "tts_first_chunk_s",
                                            "tts_rtf", "barge_in_s")},
              "speedup_vs_naive": 1.0,
              "resources": {"peak_rss_mb": 1, "cpu_idle_pct": 1, "cpu_turn_pct": 1},
              "wake": {"model": "okay_nabu", "threshold": 0.85, "false_wakes_per_hour": 0.5,
                       "hours": 2.0, "by_source": {"talk": 1}, "miss_rate": 0.125,
                       "per_hour_by_source": {"talk": 0.5, "near misses": 4.0},
                       "trials": 8, "misses": {"near": "1/8"}, "detector_rtf": 0.005,
                       "idle_cpu_pct": {"phrase": 2.0, "model": 3.5}}}
    text = markdown(report)
    assert "0.5 false wakes per hour" in text and "miss rate 12.5%" in text
    assert "near misses 4" in text
    assert "model 3.5" in text


def test_the_png_gains_end_of_turn_and_wake_panels(tmp_path: Path) -> None:
    import struct

    from samantha.bench.chart import waterfall

    marks = {"endpoint": (0.0, 0.5), "asr": (0.1, 0.4)}
    s = {"p50": 0.5, "p95": 0.6, "max": 0.7, "n": 3}
    report = {"end_of_turn": {"items": 10, "paused": 8, "hangover_s": 0.5,
                              "fixed": {"cut_off_rate": 0.7, "endpoint_delay_s": s},
                              "smart_turn": {"cut_off_rate": 0.3, "endpoint_delay_s": s}},
              "wake": {"model": "okay_nabu", "false_wakes_per_hour": 0.0, "hours": 1.0,
                       "miss_rate": 0.1, "misses": {"near": "1/10", "far": "3/10"},
                       "idle_cpu_pct": {"phrase": 2.0, "model": 3.0}}}

    def height(path: Path) -> int:
        return int(struct.unpack(">II", path.read_bytes()[16:24])[1])

    plain, full = tmp_path / "plain.png", tmp_path / "full.png"
    waterfall(marks, marks, plain, "t")
    waterfall(marks, marks, full, "t", report)
    assert height(full) > height(plain) + 400  # two more panels


@pytest.mark.slow
def test_her_voice_reaches_the_word_through_the_echo_canceller_as_in_the_loop() -> None:
    """Her own voice ("Okay, I will remind you …") is what she played: the loop hears it through
    the echo canceller, so the bench does too, and reports the raw figure beside it."""
    from samantha.inference.engines import build_voice

    cfg = load(board="")
    voice = build_voice(cfg)
    try:
        src = wake.Sources(voice, None)
    finally:
        voice.close()
    src.talk, src.near, src.music = [], [], []  # her voice only (and the pauses)
    src.her = [src.her[-1]] * 3  # "Okay, I will remind you about that tomorrow morning."
    raw_only, through = WakeWord("okay_nabu", 0.5), WakeWord("okay_nabu", 0.5)
    try:
        plain = wake.false_wakes(raw_only, src, hours=0.02)
        cancelled = wake.false_wakes(through, src, hours=0.02, aec_cfg=cfg.aec)
    finally:
        raw_only.close()
        through.close()
    assert "her_voice_raw_per_hour" not in plain
    assert cancelled["her_voice_raw_per_hour"] == plain["per_hour_by_source"]["her voice"] > 0
    assert cancelled["per_hour_by_source"]["her voice"] < plain["per_hour_by_source"]["her voice"]
