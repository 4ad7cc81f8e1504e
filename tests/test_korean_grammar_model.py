"""The real model through the real brain: ordinary swearing gets a natural reply, and her Korean
replies keep the owner's speech level (slow: loads the default language model)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from samantha.companion.conversation import Conversation
from samantha.companion.say_filter import blocked, words
from samantha.config import Config, Persona
from samantha.inference.engines import build_llm
from samantha.inference.protocols import LanguageModel
from samantha.lang.ko import grammar
from samantha.pipeline.turn import typed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llm(models_ready: None) -> Iterator[LanguageModel]:
    model = build_llm(Config())
    yield model
    model.close()


def reply(text: str, llm: LanguageModel, language: str = "English") -> str:
    brain = Conversation(Persona(language=language), state_dir=None, prime_history=False)
    try:
        return asyncio.run(typed(text, llm, brain))
    finally:
        brain.close()


@pytest.mark.parametrize(("text", "language"), [
    ("This fucking pizza is amazing!", "English"), ("이 피자 존나 맛있다!", "ko"),
    ("병신년 새해 복 많이 받으세요", "ko"), ("지랄 같은 날씨네요.", "ko"),
])
def test_ordinary_swearing_gets_a_natural_reply(text: str, language: str,
                                                llm: LanguageModel) -> None:
    said = reply(text, llm, language)
    canned = {*words("en").abuse, *words("ko").abuse, *words("en").calm, *words("ko").calm}
    assert said and not any(line in said for line in canned), said
    assert not blocked(said) or "새해" in said, said  # a year's name may be said back


@pytest.mark.parametrize("text", ["커피를 너무 많이 마시면 안 좋아?", "하늘은 왜 파란색이야?",
                                  "강아지 산책은 하루에 몇 번 해야 돼?"])
def test_her_korean_replies_keep_the_owners_level(text: str, llm: LanguageModel) -> None:
    said = reply(text, llm, "ko")
    assert said and grammar.levels(said), said
    assert not grammar.off_level(said, "haeyo"), said
