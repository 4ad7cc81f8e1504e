"""The brain's two lists, against every language: a rule or guard that exists for one language
and not another fails here unless that language says why; and a third language is one folder
(tests/toy_lang.py) that the brain loads and runs through whole typed turns."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

import pytest
import toy_lang

from samantha import lang
from samantha.companion.brain import Conversation, guards_for, rules_for
from samantha.config import Persona
from samantha.lang import Pack
from samantha.pipeline.events import RuleAnswered, SentenceGuarded
from samantha.pipeline.turn import TYPED, TurnResult, respond
from samantha.testing.fakes import ScriptedLanguageModel


def gaps(packs: Sequence[Pack], brain: Conversation) -> list[str]:
    """Every (rule or guard, language) pair that neither works nor is declared not to apply;
    and every declaration that is not true (it does apply)."""
    problems = []
    listings: tuple[tuple[str, Callable[[Pack, Conversation], tuple[object, ...]]], ...] = (
        ("rule", rules_for), ("guard", guards_for))
    for kind, listing in listings:
        names = {item.name for p in packs for item in listing(p, brain)}
        for pack in packs:
            mine = {item.name: item for item in listing(pack, brain)}
            for name in sorted(names):
                item = mine.get(name)
                works = item is not None and item.applies(pack)
                declared = name in pack.not_applicable
                if not works and not declared:
                    problems.append(f"{kind} {name!r} has nothing in {pack.code}")
                if works and declared:
                    problems.append(f"{kind} {name!r} applies in {pack.code}, yet it says not")
    return problems


@pytest.fixture
def toy() -> Iterator[Pack]:
    pack = lang.register(toy_lang.Pirate())
    yield pack
    lang.unregister(pack.code)


def test_every_rule_and_guard_exists_in_every_language_or_says_why_not() -> None:
    brain = Conversation(Persona())
    assert [p.code for p in lang.packs()] == ["en", "ko"]
    assert gaps(lang.packs(), brain) == []
    rules = [r.name for r in rules_for(lang.get("ko"), brain)]
    assert rules[:9] == ["crisis", "persona kept", "memory commands", "abuse at her", "identity",
                         "recall", "her life", "devices", "cannot do"]
    assert rules[-1:] == ["secretary"] and "comfort" in rules
    assert "comfort" in lang.get("en").not_applicable  # a Korean rule, and English says why


def test_a_language_that_lacks_a_guard_without_saying_why_fails(toy: Pack) -> None:
    brain = Conversation(Persona(language="xx"))
    assert gaps([toy], brain) == []
    silent = replace(toy_lang.Pirate(), not_applicable={})
    found = gaps([silent], brain)
    assert "guard 'health made light of' has nothing in xx" in found
    assert "rule 'devices' has nothing in xx" in found
    assert "rule 'crisis' has nothing in xx" in found  # a language without crisis words fails
    lying = replace(toy_lang.Pirate(), not_applicable={**toy.not_applicable, "echo": "why"})
    assert "guard 'echo' applies in xx, yet it says not" in gaps([lying], brain)
    # the builtin languages have no 'ahoy' rule nor 'landlubber' guard: declared or it fails
    assert "rule 'ahoy' has nothing in en" in gaps([*lang.packs()], brain)


def _turn(brain: Conversation, text: str, llm: ScriptedLanguageModel) -> TurnResult:
    result = TurnResult(transcript=text)
    asyncio.run(respond(text, llm, None, brain, None, result, TYPED))
    return result


def test_a_third_language_is_one_folder(toy: Pack) -> None:
    brain = Conversation(Persona(language="xx", traits=("salty", "kind")),
                         clock=lambda: datetime(2026, 12, 6, 19, 7))
    assert brain.home is toy and lang.pack_for("what be the hour?", brain.home) is toy
    llm = ScriptedLanguageModel([
        "I be not helpin' with that. The sea be wide, ye landlubber. The sea be 7 leagues deep.",
        "How can I be of service?",
    ])
    greeted = _turn(brain, "Ahoy!", llm)  # the pack's own rule
    assert " ".join(greeted.spoken) == "Ahoy, matey! Samantha be listenin'."
    assert RuleAnswered in {type(e) for e in greeted.log.events}
    assert [e.name for e in greeted.log.events if isinstance(e, RuleAnswered)] == ["ahoy"]
    assert not llm.prompts  # answered by rule
    told = _turn(brain, "Tell me of the sea.", llm)  # the model, through every guard
    assert told.spoken == ["The sea be seven leagues deep."]
    guarded = [(e.guard, e.action) for e in told.log.events if isinstance(e, SentenceGuarded)]
    assert guarded == [("refusal", "drop"), ("landlubber", "drop"), ("numbers", "rewrite")]
    prompt = llm.prompts[-1]
    persona = prompt[0]["content"]
    assert persona.startswith("Ye be Samantha") and "salty, kind" in persona
    assert prompt[1]["content"] == "Where be the treasure?"  # its own examples
    empty = _turn(brain, "Sing me a shanty.", llm)  # nothing she may say: its own fallback
    assert empty.spoken == ["Arr, tell me more, matey."]
    asked = _turn(brain, "Be ye a real person?", llm)  # a shared rule, in its words
    assert " ".join(asked.spoken) == "Nay, I be no person. I be Samantha, a voice in this wee box."
    hour = _turn(brain, "Ahoy, what be the hour?", llm)  # its secretary
    assert hour.spoken == ["'Tis 19:07 by the ship's bell."]
    assert [e.name for e in hour.log.events if isinstance(e, RuleAnswered)] == ["secretary"]
    brain.close()


def test_rules_and_guards_are_events_in_english_and_korean() -> None:
    brain = Conversation(Persona(language="auto"))
    llm = ScriptedLanguageModel(["As an AI language model, I have no view. Yes."])
    light = _turn(brain, "거실 불 켜 줘", llm)
    assert [e.name for e in light.log.events if isinstance(e, RuleAnswered)] == ["devices"]
    assert light.spoken and all("\uac00" <= c <= "\ud7a3" or not c.isalpha()
                                for c in light.spoken[0])  # answered in Korean
    plain = _turn(brain, "Tell me about tea.", llm)
    assert plain.spoken == ["Yes."]
    assert [(e.guard, e.why) for e in plain.log.events if isinstance(e, SentenceGuarded)] == \
        [("AI talk", "AI talk")]
    brain.close()
