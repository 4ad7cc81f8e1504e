"""Korean grammar by Kiwi (real analyser, no model): particles, speech level, non-words,
parroting in both languages."""

from __future__ import annotations

import pytest

from samantha.companion.guards import grammar_guard
from samantha.companion.guards.parrot import parrots
from samantha.lang import get
from samantha.lang.ko import grammar


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("사과", "을/를", "사과를"), ("책", "을/를", "책을"), ("사만다", "은/는", "사만다는"),
    ("지우", "이/가", "지우가"), ("밥", "이/가", "밥이"), ("친구", "와/과", "친구와"),
    ("동생", "와/과", "동생과"), ("학교", "(으)로", "학교로"), ("집", "(으)로", "집으로"),
    ("서울", "(으)로", "서울로"), ("연필", "으로/로", "연필로"), ("3", "이/가", "3이"),
    ("2", "을/를", "2를"), ("지민", "아/야", "지민아"),
])
def test_particles_follow_the_final_consonant(word: str, pair: str, expected: str) -> None:
    assert grammar.particle(word, pair) == expected


def test_an_unknown_particle_pair_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="은/는"):
        grammar.particle("사과", "에게/한테")


@pytest.mark.parametrize(("written", "haeyo", "banmal"), [
    ("좋습니다.", "좋아요.", "좋아."),
    ("감사합니다.", "감사해요.", "감사해."),
    ("저는 사만다입니다.", "저는 사만다예요.", "저는 사만다야."),
    ("학생입니까?", "학생이에요?", "학생이야?"),
    ("지금은 점심시간이 아닙니다.", "지금은 점심시간이 아니에요.", "지금은 점심시간이 아니야."),
    ("하십시오.", "하세요.", "해."),
    ("같이 갑시다.", "같이 가요.", "같이 가자."),
    ("그건 좋은 생각이야.", "그건 좋은 생각이에요.", "그건 좋은 생각이야."),
    ("밥 먹었어?", "밥 먹었어요?", "밥 먹었어?"),
    ("그렇구나.", "그렇군요.", "그렇구나."),
    ("도와줄게.", "도와줄게요.", "도와줄게."),
    ("다른 시간에 먹을게요.", "다른 시간에 먹을게요.", "다른 시간에 먹을게."),
    ("물론이죠.", "물론이죠.", "물론이지."),
    ("오늘은 날씨가 좋습니다. 산책을 추천합니다.", "오늘은 날씨가 좋아요. 산책을 추천해요.",
     "오늘은 날씨가 좋아. 산책을 추천해."),
    ("네, 맞습니다!", "네, 맞아요!", "네, 맞아!"),
])
def test_sentence_endings_are_brought_to_the_owners_level(written: str, haeyo: str,
                                                          banmal: str) -> None:
    assert grammar.to_level(written) == haeyo
    assert grammar.to_level(written, "banmal") == banmal
    assert not grammar.off_level(haeyo, "haeyo")


def test_quoted_speech_and_english_are_left_alone() -> None:
    assert grammar.to_level('친구가 "좋아"라고 했어요.') == '친구가 "좋아"라고 했어요.'
    assert grammar.to_level("Hello there.") == "Hello there."
    with pytest.raises(ValueError, match="haeyo"):
        grammar.to_level("좋습니다.", "hamnida")


def test_levels_are_read_from_the_final_endings() -> None:
    assert grammar.levels("좋습니다. 그런데 비가 와요.") == ["formal", "haeyo"]
    assert grammar.off_level("커피는 좋습니다.") and not grammar.off_level("커피는 좋아요.")


@pytest.mark.parametrize("sentence", ["약당근무가 필요해요.", "냉단식을 하면 좋습니다.",
                                      "밥당근을 먹어요."])
def test_words_that_do_not_exist_are_found(sentence: str) -> None:
    assert grammar.unreadable(sentence)


@pytest.mark.parametrize("sentence", [
    "오늘 생일선물을 샀어요.", "주말여행 가요.", "김치찌개가 맛있어요.", "감기약 먹고 푹 쉬어요.",
    "밤하늘에 별이 많아요.", "저는 사만다예요.", "Hello there.",
])
def test_real_words_are_read(sentence: str) -> None:
    assert grammar.unreadable(sentence, ("사만다",)) is None


def test_a_name_the_person_said_is_not_a_non_word() -> None:
    assert grammar.unreadable("차공부 씨가 왔어요.", ("우리 팀장은 차공부 씨야",)) is None


@pytest.mark.parametrize(("mine", "theirs", "lang"), [
    ("I had a rough day at work, too.", "I had a rough day at work.", "en"),
    ("오늘 회사에서 너무 힘들었어요.", "오늘 회사에서 너무 힘들었어.", "ko"),
    ("저도 오늘 처음으로 요리를 해 봤어요.", "나 오늘 처음으로 요리를 해 봤어.", "ko"),
])
def test_her_persons_sentence_said_as_her_own_is_parroting(mine: str, theirs: str,
                                                           lang: str) -> None:
    assert parrots(mine, theirs, get(lang).content)


@pytest.mark.parametrize(("mine", "theirs", "lang"), [
    ("You had a rough day at work?", "I had a rough day at work.", "en"),
    ("I'm sorry, a rough day at work is hard.", "I had a rough day at work.", "en"),
    ("오늘 회사에서 많이 힘드셨군요.", "오늘 회사에서 너무 힘들었어.", "ko"),
    ("처음 요리라니 멋져요! 뭘 만들었어요?", "나 오늘 처음으로 요리를 해 봤어.", "ko"),
    ("커피는 정상적으로 마시면 좋습니다.", "커피를 너무 많이 마시면 안 좋아?", "ko"),
    ("요가를 하면 몸이 좋아요.", "요가는 몸에 좋아?", "ko"),
    ("Yes, I like tea with milk.", "Do I like tea with milk?", "en"),
])
def test_listening_back_is_not_parroting(mine: str, theirs: str, lang: str) -> None:
    assert not parrots(mine, theirs, get(lang).content)


def test_the_guard_drops_or_rewrites_a_sentence() -> None:
    assert grammar_guard.check("오늘 회사에서 너무 힘들었어요.", "오늘 회사에서 너무 힘들었어.",
                               banmal=False)[0]
    assert grammar_guard.check("약당근무가 필요해요.", "뭐가 필요해?", banmal=False)[0]
    said = "커피는 좋습니다."
    assert grammar_guard.check(said, "커피 어때?", banmal=False) == ("", "커피는 좋아요.")
    assert grammar_guard.check(said, "커피 어때?", banmal=True) == ("", "커피는 좋아.")
    assert grammar_guard.check("Coffee is fine.", "Is coffee ok?", banmal=False) == (
        "", "Coffee is fine.")


def test_an_english_turn_never_loads_kiwi() -> None:
    import subprocess
    import sys

    code = """
import asyncio
from samantha.companion.conversation import Conversation
from samantha.config import Persona
from samantha.lang.ko import grammar
b = Conversation(Persona(), state_dir=None)
ex = asyncio.run(b.prepare("This fucking pizza is amazing!", None))
assert b.screen("I had a rough day at work.", ex)
assert b.screen("That fucking pizza sounds great.", ex) == "That pizza sounds great."
print(grammar._kiwi is None)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "True", done.stderr
