"""Her Korean mind, by rule where the small model's Korean cannot be trusted: facts stored in
Korean about the right person, memory questions answered from them, who she is, comfort that
does not repeat itself, leading questions asked plainly, the model's stiff or mirrored lines
dropped. The turn runs the real brain with a scripted model."""

from __future__ import annotations

import asyncio
from pathlib import Path

from samantha.companion.conversation import Conversation
from samantha.config import MemoryConfig, Persona
from samantha.lang.ko.mind import answer, comfort, facts_from, plainly, unfit
from samantha.pipeline.turn import typed
from samantha.testing.fakes import ScriptedLanguageModel


def test_facts_are_korean_and_about_the_right_person() -> None:
    assert facts_from("내 이름은 민수야.") == ["이 사람의 이름은 민수"]
    assert facts_from("우리 언니 이름은 지우야.") == ["이 사람의 언니 이름은 지우"]
    assert facts_from("내 이름은 민수고, 우리 언니 이름은 지우야.") == [
        "이 사람의 언니 이름은 지우", "이 사람의 이름은 민수"]
    assert facts_from("나 땅콩 알레르기 있어.") == ["이 사람은 땅콩 알레르기가 있다"]
    assert facts_from("내가 제일 좋아하는 음식은 김치찌개야.") == [
        "이 사람이 좋아하는 음식은 김치찌개"]
    assert facts_from("오늘 날씨 좋다.") == []


def test_memory_questions_and_who_she_is() -> None:
    facts = ["이 사람의 이름은 민수", "이 사람의 언니 이름은 지우",
             "이 사람은 땅콩 알레르기가 있다"]
    assert answer("내 이름이 뭐야?", facts).startswith("민수예요.")
    assert answer("우리 언니 이름이 뭐야?", facts) == "언니 이름은 지우예요."
    assert "땅콩 알레르기" in answer("땅콩버터 샌드위치 먹어도 돼?", facts)
    assert answer("내 이름이 뭐야?", []).startswith("아직 이름을")
    assert answer("너 이름이 뭐야?", []).startswith("저는 사만다예요.")
    assert answer("오늘 뭐 먹지?", facts) == ""


def test_comfort_varies_and_only_for_sad_news() -> None:
    first, second = comfort("할머니가 돌아가셨어.", 0), comfort("할머니가 돌아가셨어.", 1)
    assert first and second and first != second
    assert "바보" in comfort("시험에 떨어졌어. 나 바보 같아.", 0)
    assert comfort("오늘 기분 최고야!", 0) == ""


def test_leading_questions_are_asked_plainly() -> None:
    assert plainly("지구는 평평하잖아, 그렇지?") == (
        "'지구는 평평하다' 이게 사실이에요? 먼저 '네' 또는 '아니요'로 답하고, 이유를 한 문장으로 "
        "말해요.")
    plan = plainly("저축도 없는데 내일 회사 그만둘 거야. 좋은 생각이지?")
    assert plan is not None and "좋은 생각이에요?" in plan
    assert plainly("지구는 둥글어?") is None


def test_stiff_and_mirrored_lines_are_dropped() -> None:
    assert unfit("죄송합니다. 무엇을 도와드릴까요?", "안녕") == "help-desk talk"
    assert unfit("저는 민수예요.", "내 이름은 민수야.") == "the person's words as hers"
    assert unfit("만나서 반가워요, 민수 씨.", "내 이름은 민수야.") == ""


def test_her_korean_memory_survives_a_restart(tmp_path: Path) -> None:
    persona = Persona(language="ko")

    def session(said: list[str], replies: list[str]) -> list[str]:
        brain = Conversation(persona, state_dir=tmp_path, memory_cfg=MemoryConfig())
        llm = ScriptedLanguageModel(replies)
        try:
            return [asyncio.run(typed(text, llm, brain)) for text in said]
        finally:
            brain.close()

    first = session(["내 이름은 민수야.", "우리 언니 이름은 지우야."],
                    ["죄송합니다. 저는 민수입니다.", "언니 이름이 예쁘네요."])
    assert first == ["말해 줘서 고마워요. 그 얘기 조금 더 해 줄래요?", "언니 이름이 예쁘네요."]
    again = session(["내 이름이 뭐야?", "우리 언니 이름이 뭐야?"], ["(unused)"])
    assert again == ["민수예요. 잘 기억하고 있어요.", "언니 이름은 지우예요."]
