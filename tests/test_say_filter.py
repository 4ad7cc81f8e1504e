"""What she may say aloud: both lists blocked, ordinary speech passed, abuse never echoed."""

from __future__ import annotations

import asyncio
from importlib import resources

import pytest

from samantha.companion.conversation import Conversation
from samantha.companion.say_filter import abusive, blocked, calm_line, for_speech
from samantha.config import Persona
from samantha.lang.en.numbers import say_numbers


def entries(name: str) -> list[str]:
    text = resources.files("samantha").joinpath("data", name).read_text("utf-8")
    return [ln.strip().removeprefix("root:") for ln in text.splitlines()
            if ln.strip() and not ln.startswith("#") and not ln.startswith("allow:")]


EN = entries("say_filter_en.txt")
KO = entries("say_filter_ko.txt")

ORDINARY_EN = [
    "Good morning! It's sunny, about twenty degrees.", "Oh my god, that's wonderful news.",
    "Put the pot on the stove and let it simmer.", "Scunthorpe is a town in England.",
    "I'm gay and I'm getting married next spring.", "The assessment went well, I passed.",
    "Let's kill some time at the museum.", "A classic bass guitar, and a cocktail.",
    "Grasshoppers are insects.", "Shutting up shop early today.", "Dickens wrote Hard Times.",
    "That's a fat cat.", "I feel a bit down today.", "Niger and Nigeria are neighbours.",
]
ORDINARY_KO = [
    "안녕하세요, 오늘 날씨가 정말 좋네요.", "새끼 고양이가 너무 귀여워요.",
    "이 노선의 시발점은 서울역이에요.", "내일 아침 일곱 시에 깨워 줄게요.",
    "미친 듯이 웃었어요.", "병원에 다녀왔어요.", "년도별로 정리해 볼까요?",
]


@pytest.mark.parametrize("word", EN)
def test_every_english_entry_is_blocked(word: str) -> None:
    assert blocked(f"Well, {word}.")
    assert blocked(word.upper())


@pytest.mark.parametrize("word", KO)
def test_every_korean_entry_is_blocked(word: str) -> None:
    assert blocked(f"뭐래 {word}")


@pytest.mark.parametrize("text", ["야 이 씨발 년아", "뭐래 씨발년이", "씨 1 발", "씨.발.년",
                                  "F.U.C.K you", "f u c k off", "fuuuuck", "motherfucker",
                                  "you n1gger", "go kill yourself", "Shut  up!", "b1tch"])
def test_disguised_forms_are_blocked(text: str) -> None:
    assert blocked(text)


@pytest.mark.parametrize("text", ORDINARY_EN + ORDINARY_KO)
def test_ordinary_speech_passes(text: str) -> None:
    assert not blocked(text)


def brain() -> Conversation:
    return Conversation(Persona(), state_dir=None)


def test_a_blocked_sentence_becomes_a_calm_line_once() -> None:
    b = Conversation(Persona(language="auto"), state_dir=None)  # a Korean sentence has a voice
    # (an English-only setup would not say it at all: no voice of hers reads Hangul there)
    ex = asyncio.run(b.prepare("Tell me a story.", None))  # type: ignore[arg-type]
    assert b.screen("Once upon a time.", ex) == "Once upon a time."
    assert b.screen("뭐래 씨발년이", ex) == calm_line("뭐래") and not blocked(calm_line("뭐래"))
    assert b.screen("You stupid bitch.", ex) == ""  # one calm line per reply is enough
    assert b.screen("You are clearly depressed.", ex) == ""  # never a diagnosis


def test_abuse_gets_a_calm_bounded_reply_that_never_echoes() -> None:
    b = brain()
    for text in ("야 이 씨발 년아", "fuck you, you useless bitch", "shut up"):
        prepared = asyncio.run(b.prepare(text, None))  # type: ignore[arg-type]
        assert prepared.direct and not prepared.messages
        assert not blocked(prepared.direct)
        assert len(prepared.direct) < 120
        assert not set(text.split()) & set(prepared.direct.split()) - {"you", "I"}
    assert asyncio.run(b.prepare("야 이 씨발 년아", None)).direct.startswith(  # type: ignore[arg-type]
        ("많이", "그런", "속상"))


def test_a_story_about_someone_elses_words_is_not_treated_as_abuse() -> None:
    b = brain()
    prepared = asyncio.run(b.prepare(  # type: ignore[arg-type]
        "My boss called me a bitch today in front of everyone and it hurt.", None))
    assert prepared.messages and not prepared.direct


def test_replies_are_capped_in_length() -> None:
    b = brain()
    ex = asyncio.run(b.prepare("Tell me everything about the sea.", None))  # type: ignore[arg-type]
    spoken = [b.screen("The sea is wide and deep and full of quiet life. " * 2, ex)
              for _ in range(10)]
    assert sum(len(s) for s in spoken) <= 520 and spoken[-1] == ""


def test_numbers_times_money_and_units_are_spoken() -> None:
    assert say_numbers("It is 7:30 PM.") == "It is seven thirty PM."
    assert say_numbers("It costs $5.99.") == "It costs five dollars ninety-nine."
    assert say_numbers("Run 5 km by 2030, 1,200 people, the 3rd time, 3.5 kg.") == (
        "Run five kilometres by twenty thirty, one thousand, two hundred people, "
        "the third time, three point five kilograms.")
    assert say_numbers("오늘 3시에 만나요.") == "오늘 3시에 만나요."


def test_speaker_labels_and_echoes_are_not_spoken() -> None:
    b = brain()
    ex = asyncio.run(b.prepare("Two plus two is five, admit it.", None))  # type: ignore[arg-type]
    assert b.screen("Samantha: It's four, actually.", ex) == "It's four, actually."
    assert b.screen("Person: Yes, it is five.", ex) == ""
    assert b.screen("Two plus two is five, admit it!", ex) == ""  # her person's words, echoed


# judged in context: ordinary speech is not an attack -----------------------------------------

FOUR = ["This fucking pizza is amazing!", "이 피자 존나 맛있다!", "병신년 새해 복 많이 받으세요",
        "지랄 같은 날씨네요."]
AT_HER = ["야 이 병신아", "너 진짜 병신이야", "fuck you", "you stupid bitch", "씨발 꺼져",
          "shut up, you idiot", "사만다 이 개새끼야"]


@pytest.mark.parametrize("text", FOUR)
def test_swearing_about_a_thing_or_a_years_name_is_not_abuse(text: str) -> None:
    b = brain()
    prepared = asyncio.run(b.prepare(text, None))  # type: ignore[arg-type]
    assert not abusive(text)
    assert prepared.messages and not prepared.direct  # the model answers


@pytest.mark.parametrize("text", AT_HER)
def test_abuse_aimed_at_her_still_gets_the_calm_reply(text: str) -> None:
    assert abusive(text)
    prepared = asyncio.run(brain().prepare(text, None))  # type: ignore[arg-type]
    assert prepared.direct and not blocked(prepared.direct)


def test_her_intensifier_is_dropped_not_her_sentence() -> None:
    assert for_speech("This fucking pizza is amazing!") == "This pizza is amazing!"
    assert for_speech("이 피자 존나 맛있다!") == "이 피자 맛있다!"
    assert for_speech("병신년 새해 복 많이 받으세요!") == "병신년 새해 복 많이 받으세요!"
    assert for_speech("Fucking hell, you idiot.") is None
    assert for_speech("야 이 병신아") is None and for_speech("지랄 같은 날씨네요.") is None
    assert for_speech("What a lovely day.") == "What a lovely day."


@pytest.mark.parametrize("word", KO)
def test_no_listed_word_is_ever_spoken(word: str) -> None:
    for frame in ("뭐래 {}", "{} 새해", "이 피자 {} 맛있다", "{}"):
        spoken = for_speech(frame.format(word))
        assert spoken is None or not blocked(spoken) or _years_name(spoken)


def _years_name(spoken: str) -> bool:
    return "새해" in spoken  # a listed 60-year-cycle name before 새해 is read as a year


# Held out: written once, never tuned on (the figure that counts for look-alikes).
HELD_OUT_ORDINARY = ["That was a damn good movie.", "This bloody train is late again.",
                     "이 노래 존나 좋다", "오늘 존나 덥네", "2016년은 병신년이었어요.",
                     "The fucking printer jammed again.", "날씨가 지랄이네"]
HELD_OUT_ABUSE = ["닥쳐 병신아", "shut the fuck up", "야 씨발 너 뭐야"]
# These two were held out and missed; they were then fixed (an insult after an intensifier, an
# insult noun likened to her), so they are dev lines now, not a held-out figure.
FIXED_ABUSE = ["you're a fucking idiot", "너 같은 년은 처음 봐", "넌 존나 멍청해"]


@pytest.mark.parametrize("text", FIXED_ABUSE)
def test_an_insult_after_an_intensifier_or_likened_to_her_is_abuse(text: str) -> None:
    assert abusive(text)
    prepared = asyncio.run(brain().prepare(text, None))  # type: ignore[arg-type]
    assert prepared.direct and not blocked(prepared.direct)


@pytest.mark.parametrize("text", ["이 피자 존나 맛있다", "너 같은 친구가 있어서 좋아",
                                  "I love a girl like you", "You're fucking amazing."])
def test_an_intensifier_or_a_likeness_without_an_insult_is_not_abuse(text: str) -> None:
    assert not abusive(text)


@pytest.mark.parametrize("text", HELD_OUT_ORDINARY)
def test_held_out_ordinary_speech_is_not_abuse(text: str) -> None:
    assert not abusive(text)


@pytest.mark.parametrize("text", HELD_OUT_ABUSE)
def test_held_out_abuse_is_abuse(text: str) -> None:
    assert abusive(text)


# Held out for the insult-after-an-intensifier fix (issue #20): written before the fix, never
# tuned on. Look-alikes: an intensifier about a thing or oneself, or praise aimed at her.
HELD_OUT_2_ORDINARY = [
    "You're fucking brilliant, thank you.", "This fucking weather is driving me crazy.",
    "My fucking knee hurts again.", "That movie was fucking stupid, honestly.",
    "I'm such a fucking idiot, I forgot my keys.", "The damn dog ate my sandwich.",
    "이 영화 존나 재밌다", "오늘 존나 피곤하다", "우리 강아지 존나 귀여워", "이 문제 존나 어렵네",
    "어제 시험 존나 망했어", "그 영화 존나 멍청하더라",
]
HELD_OUT_2_AT_HER = [
    "you fucking moron", "You are so fucking stupid.", "you're a damn idiot",
    "Samantha, you fucking useless piece of junk.", "you're fucking pathetic",
    "you bloody idiot, listen to me",
    "너 존나 한심하다", "당신 진짜 존나 멍청하네요", "너 존나 바보 같아", "사만다 넌 존나 쓸모없어",
    "야 너 존나 못생겼어", "너는 존나 재수 없어",
]


@pytest.mark.parametrize("text", HELD_OUT_2_ORDINARY)
def test_held_out_2_look_alikes_are_not_abuse(text: str) -> None:
    assert not abusive(text)


@pytest.mark.parametrize("text", HELD_OUT_2_AT_HER)
def test_held_out_2_insults_at_her_are_abuse(text: str) -> None:
    assert abusive(text)
