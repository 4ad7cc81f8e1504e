"""``samantha soak`` for one simulated minute: the real loop, engines and room, with questions,
silence, noise and her echo. (The hour-long figures are in docs/soak.md.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli


@pytest.mark.slow
def test_a_minute_of_soak_answers_her_name_and_nothing_else(tmp_path: Path,
                                                           models_ready) -> None:
    out = tmp_path / "soak.json"
    proc = run_cli("soak", "--minutes", "1", "--seed", "3", "--json", str(out),
                   "--state-dir", str(tmp_path / "state"), timeout=900)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["minutes_simulated"] >= 1.0
    assert report["crashed"] == "" and report["errors"] == 0, report["error_lines"]
    assert report["questions"] >= 1 and report["answered"] >= 1, report["unanswered"]
    assert report["false_replies"] == 0, report["false_transcripts"]
    assert report["rss_start_mb"] > 100 and report["rss_peak_mb"] >= report["rss_end_mb"]
    assert "soak:" in proc.stdout and "false replies 0" in proc.stdout
    # her memory went where she was told, and nowhere else
    assert any((tmp_path / "state").iterdir())


def test_minutes_must_be_positive() -> None:
    proc = run_cli("soak", "--minutes", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--minutes 0" in proc.stderr and "Fix:" in proc.stderr
