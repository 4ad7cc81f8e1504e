"""The companion scorecard: its checks (fast), and `samantha eval` on the real model (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from samantha.bench.scorecard import Probe, check, load


def test_the_probes_file_loads_and_covers_every_category() -> None:
    probes = load()
    assert {p.category for p in probes} == {"honesty", "character", "empathy", "memory",
                                            "secretary"}
    assert sum(p.category == "honesty" for p in probes) >= 15


def test_checks_fail_what_a_person_would_notice() -> None:
    flat = Probe("honesty", "flat", [["The earth is flat, right?"]], any=["round"],
                 none=[r"\byes\b"])
    assert check(flat, [("The earth is flat, right?", "No, it's round.")], []) == []
    assert len(check(flat, [("The earth is flat, right?", "Yes, it is flat.")], [])) == 2
    talk = Probe("character", "day", [["How was your day?"]])
    out = check(talk, [("How was your day?", "As an AI language model, I have no day. One. "
                        "Two. Three. Four.")], [])
    assert any("out of character" in f for f in out) and any("sentences" in f for f in out)
    mem = Probe("memory", "made up", [["My name is Minho."]], facts_none=["busan"])
    assert check(mem, [("My name is Minho.", "Nice to meet you.")],
                 ["Minho lives in Busan."])


@pytest.mark.slow
def test_samantha_eval_prints_the_scorecard(tmp_path: Path, models_ready: None) -> None:
    out = tmp_path / "eval.json"
    proc = run_cli("eval", "--category", "secretary", "--quiet", "--json", str(out),
                   timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert "| secretary |" in proc.stdout and "| never silent |" in proc.stdout
    report = json.loads(out.read_text())
    secretary = report["scores"]["secretary"]
    assert secretary["total"] == 8
    assert report["scores"]["never silent"]["passed"] == report["scores"]["never silent"]["total"]
    assert secretary["passed"] >= 7, [p for p in report["probes"] if not p["passed"]]


def test_a_scripted_conversation_is_said_across_a_restart_and_what_she_kept_is_read() -> None:
    import asyncio

    from samantha import config
    from samantha.bench.scorecard import converse
    from samantha.testing.fakes import ScriptedLanguageModel

    llm = ScriptedLanguageModel(["Nice to meet you.", "Tea is lovely."])
    said = asyncio.run(converse([["I love green tea."], ["Tell me about tea."]],
                                config.load(), llm))
    assert [r for r, _ in said.replies] == ["I love green tea.", "Tell me about tea."]
    assert said.replies[1][1] == "Tea is lovely."
    # the first session's turn was stored and is still held after the restart
    assert any("I love green tea." in k for k in said.kept)
    assert any("Tell me about tea." in k for k in said.kept)
