"""Memory that holds, on the board's model (x86: qwen2.5-coder-1.5b): what she says back is in
the person's perspective, a correction replaces the old fact, "forget X" leaves no trace of X
in her facts or in the talk she keeps, Korean facts are kept, a note answers a later question,
and a constraint keeps nuts out of a snack. The whole probe set (``data/eval/memory_*.toml``,
dev and held-out) is measured by ``python -m samantha.bench.memory``; its held-out figures are
printed here with ``-s``:

    pytest -q -s tests/test_memory_model.py
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from samantha.bench import memory as probes
from samantha.inference.protocols import LanguageModel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llm(models_ready: None) -> Iterator[LanguageModel]:
    from samantha.inference.llm import LlamaModel
    from samantha.models import store

    cfg = probes.config_for("en")  # this board's model: the 1.5B on x86
    model = LlamaModel(store.path_for(cfg.llm.model, cfg.models_path), cfg.llm.threads,
                       cfg.llm.n_ctx)
    yield model
    model.close()


def run(language: str, name: str, llm: LanguageModel) -> probes.Outcome:
    probe = next(p for p in probes.load(language) if p.name == name)
    outcome = asyncio.run(probes.run_probe(probe, probes.config_for(language), llm))
    for said, reply in outcome.replies:
        print(f"  > {said}\n  < {reply}")
    return outcome


@pytest.mark.parametrize(("language", "name"), [
    ("en", "what am I allergic to"),
    ("ko", "나에 대해 기억하는 것"),
])
def test_said_back_in_their_perspective(language: str, name: str, llm: LanguageModel) -> None:
    outcome = run(language, name, llm)
    assert outcome.passed, outcome.failures


@pytest.mark.parametrize(("language", "name"), [
    ("en", "my sister moved"),
    ("ko", "사실 고양이 이름은 나비"),
])
def test_a_correction_replaces_the_old_fact(language: str, name: str,
                                            llm: LanguageModel) -> None:
    outcome = run(language, name, llm)
    assert outcome.passed, outcome.failures


@pytest.mark.parametrize(("language", "name"), [
    ("en", "forget the cat's name, every trace"),
    ("ko", "부산에 산다는 거 잊고 묻기"),
    ("ko", "들은 적 없는 것 잊기"),
])
def test_forget_leaves_no_trace_and_says_so_only_when_true(language: str, name: str,
                                                           llm: LanguageModel) -> None:
    outcome = run(language, name, llm)
    assert outcome.passed, outcome.failures


@pytest.mark.parametrize(("language", "name"), [
    ("en", "a daughter's name eight turns later"),
    ("ko", "메모해 줘: 와이파이 비밀번호"),
])
def test_recall_past_the_window_and_from_a_note(language: str, name: str,
                                                llm: LanguageModel) -> None:
    outcome = run(language, name, llm)
    assert outcome.passed, outcome.failures


def test_a_peanut_allergy_keeps_nuts_out_of_a_snack(llm: LanguageModel) -> None:
    outcome = run("en", "no nuts as a snack for a peanut allergy", llm)
    assert outcome.passed, outcome.failures
