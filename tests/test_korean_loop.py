"""The real turn loop in the simulated room, spoken to in Korean (scripted transcriber and
model, a tone voice): her Korean name wakes her, her name alone gets "네?", the follow-up window
needs no name, and a Korean request is answered by the Korean secretary without the model."""

from __future__ import annotations

from test_turn_loop import loop_for, room_with, run


def test_korean_name_alone_follow_up_and_secretary() -> None:
    heard = ["불 켜줘", "사만다", "사만다야, 안녕!", "고마워", "5분 타이머 맞춰 줘"]
    loop, playback = loop_for(heard, ["안녕하세요!", "천만에요."])
    run(loop, room_with(playback, (0.5, 1.0), (3.0, 0.6), (5.5, 1.0), (9.0, 1.0), (11.5, 1.0)),
        5)
    answered = [(t.transcript, " ".join(t.spoken)) for t in loop.turns]
    assert answered == [("불 켜줘", ""),                    # not for her: no name
                        ("사만다", "네?"),                   # her name alone, in Korean
                        ("사만다야, 안녕!", "안녕하세요!"),
                        ("고마워", "천만에요."),              # the follow-up window
                        ("5분 타이머 맞춰 줘", "네, 5분 타이머를 시작할게요.")]
    assert [m[-1]["content"] for m in loop.engines.llm.prompts] == [  # type: ignore[attr-defined]
        "안녕!", "고마워"]  # the timer needed no model pass


def test_a_dropped_first_sentence_does_not_stall_the_stream() -> None:
    """The stream waits for the first clause to be voiced before pulling more tokens; a first
    sentence the filter drops (her help-desk "죄송합니다") must release it, not hang the turn
    (seen in `samantha bench` with the Korean configuration: 2 of 3 turns timed out)."""
    loop, playback = loop_for(["사만다, 안녕?"], ["죄송합니다. 오늘은 기분이 좋아요. 당신은요?"])
    run(loop, room_with(playback, (0.5, 1.0)), 1)
    assert " ".join(loop.turns[0].spoken) == "오늘은 기분이 좋아요. 당신은요?"
