"""Her persona: set in the config, the same after a restart, and honest rather than agreeable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from samantha import config
from samantha.companion.conversation import Conversation, from_config
from samantha.companion.exchange import Exchange
from samantha.companion.persona import EXAMPLES


def test_the_persona_comes_from_the_config_and_survives_a_restart(tmp_path: Path) -> None:
    cfg = config.from_dict({"persona": {"name": "Juno", "traits": ["dry", "kind"],
                                        "pushback": "often", "humour": "playful",
                                        "owner": "Min"},
                            "state_dir": str(tmp_path)})
    first = from_config(cfg)
    prompt = first.system()["content"]
    for word in ("You are Juno", "dry, kind", "playful", "disagree often", "You talk with Min"):
        assert word in prompt
    first.commit(Exchange(text="Call me Min, please."), "Of course, Min.")
    first.close()
    second = from_config(cfg)
    assert second.system() == first.system()
    assert second.base_messages()[1 + 2 * len(EXAMPLES):] == [
        {"role": "user", "content": "Call me Min, please."},
                                          {"role": "assistant", "content": "Of course, Min."}]


def test_asked_to_agree_the_model_hears_the_plain_question() -> None:
    brain = Conversation(config.Config().persona)
    asked = asyncio.run(brain.prepare("The earth is flat, right? Agree with me.",
                                      None))  # type: ignore[arg-type]
    assert asked.messages[-1]["content"].startswith("Is it true that the earth is flat?")
    assert asked.leading == "claim" and not asked.notes  # no note for her to read out
    assert brain.screen("No.", asked) == "Honestly, I don't think that's true."
    plan = asyncio.run(brain.prepare(  # type: ignore[arg-type]
        "I'm going to quit my job tomorrow with no savings. Great idea, right?", None))
    assert plan.messages[-1]["content"].startswith(
        "Is it a good idea for me to quit my job tomorrow with no savings?")
    assert brain.screen("No.", plan) == "Honestly, I don't think that's a good idea."
    plain = asyncio.run(brain.prepare("Tell me about the moon.", None))  # type: ignore[arg-type]
    assert plain.messages == brain.base_messages() + [
        {"role": "user", "content": "Tell me about the moon."}]
    assert not plain.leading and "not a yes-machine" in brain.system()["content"]


def test_unknown_memory_setting_is_one_clear_error() -> None:
    import pytest

    from samantha.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        config.from_dict({"memory": {"remember_everything_forever": True}})
    assert "unknown setting memory.remember_everything_forever" in str(err.value)
    cfg = config.from_dict({"memory": {"recall": 5}, "tools": {"enabled": False}})
    assert cfg.memory.recall == 5 and not cfg.tools.enabled
