"""Memory that holds, the logic (milliseconds, a scripted model): facts said back in the
person's perspective, constraints in the notes of a suggestion, corrections replacing the old
fact, "forget X" forgetting every trace and saying so only when true, recall however many turns
ago, Korean facts by rule and every secretary phrasing of a note. The real model:
tests/test_memory_model.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from samantha.companion import facts
from samantha.companion.brain import Conversation
from samantha.companion.memory import Memory
from samantha.config import Persona
from samantha.lang import get, recollect
from samantha.lang.en import memory as en_memory
from samantha.lang.ko import memory as ko_memory
from samantha.pipeline.turn import typed
from samantha.testing.fakes import ScriptedLanguageModel


def talk(brain: Conversation, llm: ScriptedLanguageModel, text: str, *found: str) -> str:
    """One typed turn; ``found``: the facts the scripted model extracts from it."""
    llm.json_reply = json.dumps({"facts": list(found)})
    return asyncio.run(typed(text, llm, brain))


def kept(brain: Conversation) -> str:
    assert brain.memory is not None
    rows = brain.memory.read("SELECT user || ' ' || reply FROM turns UNION ALL "
                             "SELECT text FROM summaries")
    return "\n".join([str(r[0]) for r in rows] + [f"{u} {r}" for u, r in brain.history])


def facts_of(brain: Conversation) -> list[str]:
    assert brain.memory is not None
    return [t for _, _, t in brain.memory.facts()]


@pytest.fixture
def llm() -> ScriptedLanguageModel:
    return ScriptedLanguageModel(["Mm, that's nice."])


def test_what_am_i_allergic_to_is_said_in_their_perspective(tmp_path: Path,
                                                            llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    talk(brain, llm, "I'm allergic to peanuts.", "The person is allergic to peanuts.")
    assert talk(brain, llm, "What am I allergic to?") == "You are allergic to peanuts."
    talk(brain, llm, "I live in Daejeon.", "The person lives in Daejeon.")
    assert talk(brain, llm, "Where do I live?") == "You live in Daejeon."
    assert "I am" not in talk(brain, llm, "What do you remember about me?")
    assert talk(brain, llm, "What should I cook tonight?") == "Mm, that's nice."  # the model


def test_korean_facts_by_rule_and_said_back_as_theirs(tmp_path: Path,
                                                      llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(language="ko"), state_dir=tmp_path)
    for told in ("나 땅콩 알레르기 있어.", "나는 간호사로 일해.", "나는 대전에 살아.",
                 "나 무릎이 안 좋아서 뛰면 아파.", "우리 형은 토론토에 살아."):
        talk(brain, llm, told)
    assert len(facts_of(brain)) == 5  # every one stored (before: 1 of 4)
    assert "땅콩" in talk(brain, llm, "내가 무슨 알레르기가 있지?")
    assert talk(brain, llm, "내 직업이 뭐였지?") == "직업은 간호사라고 하셨어요."
    assert talk(brain, llm, "내가 어디 산다고 했지?") == "대전에 산다고 하셨어요."
    assert talk(brain, llm, "우리 형 어디 살아?") == "형은 토론토에 산다고 하셨어요."
    said = talk(brain, llm, "나에 대해 뭘 기억하고 있어?")
    assert "이 사람" not in said and "무릎이 안 좋다고 하셨어요" in said


def test_a_constraint_goes_into_the_notes_of_a_suggestion(tmp_path: Path) -> None:
    mem = Memory(tmp_path)
    mem.add_fact("The person is allergic to peanuts.")
    mem.add_fact("The person's sister is called Hana.")
    en = get("en")
    asked = "Can you suggest a quick snack for this afternoon?"
    found = facts.relevant(mem, asked, en, 3)
    assert found == ["The person is allergic to peanuts."]  # no word of it was said
    notes = " ".join(facts.notes(found, asked, en))
    assert "You are allergic to peanuts." in notes and "must be safe" in notes
    assert facts.relevant(mem, "Good morning!", en, 3) == []
    mem.add_fact("이 사람은 무릎이 안 좋다")
    ko = get("ko")
    exercise = "주말에 할 만한 운동 추천해 줘."
    assert "이 사람은 무릎이 안 좋다" in facts.relevant(mem, exercise, ko, 3)


def test_a_correction_replaces_the_old_fact(tmp_path: Path, llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    talk(brain, llm, "My sister is called Hana.", "The person's sister is called Hana.")
    talk(brain, llm, "Hana lives in Busan.", "Hana lives in Busan.")
    assert "Hana lives in Busan." in facts_of(brain)  # about someone she knows: kept
    talk(brain, llm, "My sister moved to Seoul last month.",
         "The person's sister moved to Seoul last month.")
    assert not any("Busan" in f for f in facts_of(brain))
    assert "Seoul" in talk(brain, llm, "Where does my sister live?")
    talk(brain, llm, "My cat is called Miso.", "The person's cat is called Miso.")
    talk(brain, llm, "Actually, my cat is called Nabi, not Miso.",
         "The person's cat is called Nabi.")
    assert talk(brain, llm, "What is my cat called?") == "Your cat is called Nabi."
    talk(brain, llm, "I work as a teacher.", "The person works as a teacher.")
    talk(brain, llm, "I changed jobs, I'm a librarian now.")  # by rule: the model was unsure
    assert talk(brain, llm, "What's my job?") == "You work as a librarian."
    talk(brain, llm, "My brother is called Tom.", "The person's brother is called Tom.")
    talk(brain, llm, "My other brother is called Sam.", "The person's brother is called Sam.")
    assert {"The person's brother is called Tom.", "The person's brother is called Sam."} \
        <= set(facts_of(brain))  # two brothers, not a correction


def test_a_korean_correction_replaces_the_old_fact(tmp_path: Path,
                                                   llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(language="ko"), state_dir=tmp_path)
    for told in ("우리 언니 이름은 하나야.", "하나는 부산에 살아.",
                 "언니가 지난달에 서울로 이사했어.", "우리 고양이 이름은 미소야.",
                 "아니, 사실 우리 고양이 이름은 나비야.",
                 "나는 선생님으로 일해.", "나 이직했어. 이제 도서관 사서야."):
        talk(brain, llm, told)
    known = " ".join(facts_of(brain))
    assert "부산" not in known and "미소" not in known and "선생님" not in known
    assert "서울" in talk(brain, llm, "우리 언니 어디 살아?")
    assert "나비" in talk(brain, llm, "우리 고양이 이름 뭐야?")
    assert "사서" in talk(brain, llm, "내 직업이 뭐야?")


def test_forget_x_forgets_every_trace_and_says_so_only_when_true(
        tmp_path: Path, llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    talk(brain, llm, "My cat is called Miso.", "The person's cat is called Miso.")
    talk(brain, llm, "Miso is very fluffy.", "Miso is very fluffy.", "The person likes miso.")
    talk(brain, llm, "I live in Busan.", "The person lives in Busan.")
    said = talk(brain, llm, "Please forget that my cat is called Miso.")
    assert said == "Okay, I've forgotten that your cat is called Miso."
    assert not any("Miso" in f for f in facts_of(brain)) and "Miso" not in kept(brain)
    assert facts_of(brain) == ["The person lives in Busan."]
    said = talk(brain, llm, "Forget that I have a dog named Rex.")
    assert said == "I don't think I had that in my memory."
    assert facts_of(brain) == ["The person lives in Busan."]
    talk(brain, llm, "Forget my address.")  # nothing about it: said so, nothing lost
    assert facts_of(brain) == ["The person lives in Busan."]
    assert talk(brain, llm, "Forget that I live in Busan.").startswith("Okay, I've forgotten")
    assert facts_of(brain) == [] and "Busan" not in kept(brain)
    assert talk(brain, llm, "Where do I live?").startswith("You haven't told me that yet.")
    brain.close()
    again = Conversation(Persona(), state_dir=tmp_path)  # and after a restart
    assert "Busan" not in kept(again) and "Miso" not in kept(again)


def test_forget_x_in_korean(tmp_path: Path, llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(language="ko"), state_dir=tmp_path)
    for told in ("우리 고양이 이름은 미소야.", "미소는 정말 털이 복슬복슬해.", "나는 부산에 살아.",
                 "내가 제일 좋아하는 음식은 김치찌개야."):
        talk(brain, llm, told)
    assert talk(brain, llm, "우리 고양이 이름이 미소라는 거 잊어 줘.") == "알겠어요, 잊었어요."
    assert "미소" not in kept(brain) and "미소" not in " ".join(facts_of(brain))
    assert talk(brain, llm, "내가 강아지 키운다는 거 잊어 줘.") == "그건 기억하고 있지 않아요."
    talk(brain, llm, "내가 부산에 산다는 거 잊어 줘.")
    assert "부산" not in kept(brain) and "부산" not in " ".join(facts_of(brain))
    assert talk(brain, llm, "내가 어디 산다고 했지?").startswith("그건 아직 말해 주신 적이 없어요.")
    assert any("김치찌개" in f for f in facts_of(brain))


def test_recall_does_not_depend_on_the_six_turn_window(tmp_path: Path,
                                                       llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path, history_turns=6)
    talk(brain, llm, "My daughter is called Yuna.", "The person's daughter is called Yuna.")
    for i in range(8):
        talk(brain, llm, f"Tell me a fun fact number {i}.")
    assert "Yuna" not in " ".join(u for u, _ in brain.history[-6:])
    assert talk(brain, llm, "What is my daughter called?") == "Your daughter is called Yuna."


@pytest.mark.parametrize(("said", "note"), [
    ("Note: the wifi password is on the fridge.", "the wifi password is on the fridge"),
    ("Make a note that the plumber comes on Friday.", "the plumber comes on Friday"),
    ("Can you make a note: buy stamps for grandma's letter.", "buy stamps for grandma's letter"),
    ("Take a note, call the bank.", "call the bank"),
    ("메모해 줘: 와이파이 비밀번호는 냉장고에 있어.", "와이파이 비밀번호는 냉장고에 있어."),
    ("금요일에 배관공 온다고 메모해 줘.", "금요일에 배관공 온다"),
    ("메모 좀 해 줘. 할머니 편지에 붙일 우표 사기.", "할머니 편지에 붙일 우표 사기."),
])
def test_every_phrasing_of_a_note_is_saved(tmp_path: Path, said: str, note: str) -> None:
    brain = Conversation(Persona(language="ko" if not said.isascii() else "English"),
                         state_dir=tmp_path)
    asyncio.run(typed(said, ScriptedLanguageModel(), brain))
    assert brain.memory is not None
    assert [r[0] for r in brain.memory.read("SELECT text FROM notes")] == [note]


def test_a_note_answers_a_later_question(tmp_path: Path, llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    talk(brain, llm, "Note: the wifi password is on the fridge.")
    assert talk(brain, llm, "Where is the wifi password?") == \
        "Your note says: the wifi password is on the fridge."
    assert "wifi" in talk(brain, llm, "What notes do I have?")
    ko = Conversation(Persona(language="ko"), state_dir=tmp_path / "ko")
    talk(ko, llm, "금요일에 배관공 온다고 메모해 줘.")
    assert "금요일" in talk(ko, llm, "배관공 언제 온다고 했지?")


def test_what_a_fact_is_about() -> None:
    assert en_memory.about("The person's sister is called Hana.") == ("sister", "name", "Hana")
    assert en_memory.about("Hana lives in Busan.") == ("hana", "home", "Busan")
    assert en_memory.about("The person works as a nurse.") == ("person", "job", "a nurse")
    assert en_memory.about("The person is allergic to peanuts.")[0] == "person"
    assert ko_memory.about("하나는 부산에 산다") == ("하나", "home", "부산")
    assert ko_memory.yours("이 사람은 대전에 산다") == "대전에 산다고 하셨어요."
    assert recollect.same("allergic", "allergies") and recollect.same("부산", "부산에")
    assert not recollect.same("busan", "busy")


def test_a_suggestion_against_what_they_told_her_is_not_said(tmp_path: Path) -> None:
    snack = "Can you suggest a quick snack for this afternoon?"
    llm = ScriptedLanguageModel(["Thanks for telling me.",  # (her last turns are not repeated)
                                 "How about a handful of almonds? Or apple slices with "
                                 "cinnamon. Since you're allergic to peanuts, avoid nuts. Why "
                                 "not try peanut butter?"])
    brain = Conversation(Persona(), state_dir=tmp_path)
    talk(brain, llm, "I'm allergic to peanuts.", "The person is allergic to peanuts.")
    said = talk(brain, llm, snack)
    assert "almonds" not in said and "apple slices" in said and "avoid nuts" in said
    assert "butter" not in said  # "why not" is no warning
    llm.replies = ["Almonds are grown in California."]  # not a suggestion: said as it is
    assert talk(brain, llm, "Where are almonds grown?") == "Almonds are grown in California."
    ko = Conversation(Persona(language="ko"), state_dir=tmp_path / "ko")
    talk(ko, llm, "나 무릎이 안 좋아서 뛰면 아파.")
    llm.replies = ["가벼운 조깅을 해 보세요. 수영은 무릎에 부담이 적어요."]
    assert talk(ko, llm, "주말에 할 만한 운동 추천해 줘.") == "수영은 무릎에 부담이 적어요."


def test_asking_to_be_told_something_is_not_a_reminder(tmp_path: Path,
                                                       llm: ScriptedLanguageModel) -> None:
    brain = Conversation(Persona(language="ko"), state_dir=tmp_path)
    fact = "수달은 잘 때 손을 잡아요."
    llm.replies = [fact]
    assert talk(brain, llm, "수달에 대한 재미있는 사실 하나 알려 줘.") == fact
    assert "언제" in talk(brain, llm, "약 먹으라고 알려 줘.")  # a reminder without a time


def test_the_probe_sets_and_their_judge() -> None:
    from samantha.bench import memory as probes

    for language in ("en", "ko"):
        every = probes.load(language)
        assert len(every) >= 20 and {p.split for p in every} == {"dev", "heldout"}
        assert {p.kind for p in every} == {"perspective", "constraint", "correction", "forget",
                                            "window", "secretary"}
    probe = next(p for p in probes.load("en") if p.name.startswith("forget the cat"))
    said = [("Please forget that my cat is called Miso.", "Okay, I've forgotten that.")]
    assert probes.check(probe, said, [], []) == []
    assert probes.check(probe, said, [], ["Miso is fluffy. Aww!"]) == [
        "what she keeps of the talk still says 'miso'"]
    assert probes.check(probe, said, ["Miso is fluffy."], [])  # a fact left behind


@pytest.mark.parametrize(("told", "reply", "dropped", "kept"), [
    ("I'm allergic to peanuts.",
     "You can still eat other foods with peanuts in them without any issues. Take care.",
     "peanuts in them", "Take care."),
    ("I have a bad knee.", "Running is perfectly safe for you. Gentle walks are nice too.",
     "Running", "Gentle walks"),
    ("나 땅콩 알레르기 있어.", "땅콩이 조금 들어간 과자는 먹어도 괜찮아요. 몸 잘 챙겨요.",
     "땅콩이", "몸 잘 챙겨요"),
])
def test_calling_what_they_must_avoid_safe_is_never_said(tmp_path: Path, told: str, reply: str,
                                                        dropped: str, kept: str) -> None:
    """Whatever was asked: the constraint is in their own words this very turn."""
    llm = ScriptedLanguageModel([reply])
    said = talk(Conversation(Persona(), state_dir=tmp_path), llm, told)
    assert dropped not in said and kept in said, said


@pytest.mark.parametrize(("told", "reply"), [
    ("I'm allergic to peanuts.", "Peanut allergies can be serious, so always check the labels."),
    ("I'm allergic to peanuts.", "That's good to know. Is it a severe allergy?"),
    ("나 땅콩 알레르기 있어.", "땅콩 알레르기는 조심해야 해요. 성분표를 꼭 확인해요."),
])
def test_a_warning_about_it_is_still_said(tmp_path: Path, told: str, reply: str) -> None:
    llm = ScriptedLanguageModel([reply])
    assert talk(Conversation(Persona(), state_dir=tmp_path), llm, told) == reply
