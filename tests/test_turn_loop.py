"""The turn loop in milliseconds: the real loop, segmenter, brain, filter and playback, with
scripted engines (``samantha.testing.fakes``) in a simulated room running faster than real time.
What a person would notice is asserted: what she answered, what she said, what she remembers."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import pytest

from samantha.audio.chunk import RATE, AudioChunk
from samantha.audio.playback import Playback
from samantha.clock import StreamClock
from samantha.companion.conversation import Conversation
from samantha.companion.exchange import Exchange
from samantha.config import Config, MemoryConfig, load
from samantha.errors import LlmError
from samantha.inference.engines import Engines
from samantha.inference.protocols import Message
from samantha.pipeline.events import StageFailed
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.pipeline.turn import NAIVE, Style
from samantha.testing.fakes import (
    ScriptedClock,
    ScriptedLanguageModel,
    ScriptedTranscriber,
    ToneVoice,
    speech_like,
)
from samantha.testing.room import Room

QUIET_ECHO = -90.0  # her voice barely reaches the microphone: no echo canceller needed here


def config(mode: str = "phrase") -> Config:
    return load(board="", overrides={"wake": {"mode": mode}, "aec": {"enabled": False}})


def loop_for(lines: list[str], replies: list[str], cfg: Config | None = None,
             style: Style | None = None, token_s: float = 0.0,
             brain: Conversation | None = None) -> tuple[TurnLoop, Playback]:
    cfg = cfg or config()
    engines = Engines(ScriptedTranscriber(lines), ScriptedLanguageModel(replies, token_s),
                      ToneVoice())
    brain = brain or Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    playback = Playback(22050)
    return TurnLoop(engines, brain, cfg, playback, None, style), playback


def run(loop: TurnLoop, room: Room, until_idle_turns: int) -> None:
    """Serve until ``until_idle_turns`` turns are done and she is idle again.

    The room runs on a scripted clock: each chunk of audio arrives once the loop is idle (no
    task ready, no worker thread busy) and the fakes' pauses are the room's time, so what
    happens between two chunks is the same on a busy machine as on a quiet one. The bound is
    generous and in real time: a safety net against a hang, never a pass/fail timing.
    """
    room.stop_when = lambda: len(loop.turns) >= until_idle_turns and loop.state is State.IDLE \
        and loop.current is None
    asyncio.run(asyncio.wait_for(loop.serve(room), 120))


def room_with(playback: Playback, *utterances: tuple[float, float]) -> Room:
    """The person says something ``seconds`` long at ``at_s``, for each (at_s, seconds)."""
    room = Room(playback, duration_s=30, realtime=False, echo_gain_db=QUIET_ECHO,
                clock=StreamClock())
    for i, (at_s, seconds) in enumerate(utterances):
        room.say(speech_like(seconds, seed=i), at_s)
    return room


def test_a_spoken_turn_is_answered_and_remembered() -> None:
    loop, playback = loop_for(["Samantha, how's your day?"], ["Lovely, thanks. How was yours?"])
    run(loop, room_with(playback, (0.5, 1.5)), 1)
    turn = loop.turns[0]
    assert turn.transcript == "Samantha, how's your day?"
    assert " ".join(turn.spoken) == "Lovely, thanks. How was yours?"
    assert loop.engines.tts.said == ["Lovely, thanks.", "How was yours?"]  # type: ignore[attr-defined]
    assert loop.conversation.history == [("how's your day?", "Lovely, thanks. How was yours?")]
    assert len(loop.engines.asr.calls) == 1  # type: ignore[attr-defined]  # speculation was kept


def test_what_was_heard_before_a_pause_is_kept_and_only_the_rest_transcribed() -> None:
    # the same 0.3 s pause: the dropped guess's words are kept, the end hears only the rest
    loop, playback = loop_for(["Samantha, tell me", "a joke."],
                              ["Why did the owl stay in? It was too hoot."], token_s=0.01)
    run(loop, room_with(playback, (0.5, 1.0), (1.8, 1.0)), 1)
    asr = loop.engines.asr
    assert [t.transcript for t in loop.turns] == ["Samantha, tell me a joke."]
    assert loop.conversation.history == [("tell me a joke.",
                                          "Why did the owl stay in? It was too hoot.")]
    # the first call heard up to the pause, the second only what came after it
    first, rest = asr.calls  # type: ignore[attr-defined]
    assert 1.0 < first < 1.5 and rest < 1.4 < first + rest
    # while the person went on, the request so far was read into the model: the whole
    # request's prompt begins with it (its persona, notes and first words)
    llm = loop.engines.llm
    primed = llm.primed[0]  # type: ignore[attr-defined]
    prompt = next(p for p in llm.prompts if p[-1]["content"] == "tell me a joke.")  # type: ignore[attr-defined]
    assert primed[-1] == {"role": "user", "content": "tell me"}
    assert primed[:-1] == prompt[:-1]
    assert not loop._unwinding


@pytest.mark.parametrize(("heard", "again_at", "keep"), [
    # a 0.3 s pause (shorter than the 0.5 s hang-over), keeping off: the first guess is
    # dropped unheard and the end hears the whole utterance
    (["Samantha, tell me", "Samantha, tell me a joke."], 1.8, False),
    # a gap of 0.09 s (a closure inside a word) is not a break between phrases
    (["Samantha, tell me", "Samantha, tell me a joke."], 1.59, True),
    # her name alone, cut at the pause after it, misheard ("Hey, some men."): it would not
    # wake her, so the end hears it whole, where the name has what follows (seen in the soak)
    (["Hey, some men.", "Hey Samantha, tell me a joke."], 1.8, True),
])
def test_what_is_not_kept_is_heard_again_whole(heard: list[str], again_at: float,
                                               keep: bool) -> None:
    cfg = load(board="", overrides={"wake": {"mode": "phrase"}, "aec": {"enabled": False},
                                    "engine": {"keep_heard": keep}})
    loop, playback = loop_for(heard, ["Why did the owl stay in? It was too hoot."], cfg,
                              token_s=0.01)
    run(loop, room_with(playback, (0.5, 1.0), (again_at, 1.0)), 1)
    assert [t.transcript for t in loop.turns] == [heard[1]]
    assert loop.conversation.history == [("tell me a joke.",
                                          "Why did the owl stay in? It was too hoot.")]
    first, whole = loop.engines.asr.calls  # type: ignore[attr-defined]
    assert first > 1.0 and whole > first + 0.9
    # no request was read in early (only the conversation, once she had answered)
    assert all(p[-1]["role"] == "assistant" for p in loop.engines.llm.primed)  # type: ignore[attr-defined]
    # the dropped turn was held (asyncio keeps tasks only weakly) until it had unwound
    assert not loop._unwinding


def test_barge_in_stops_her_and_history_keeps_what_was_heard() -> None:
    long_reply = ("Once upon a time a dragon lived by the sea. Every morning she swam far out "
                  "past the rocks. The fishermen waved to her from their boats.")
    loop, playback = loop_for(["Samantha, tell me a story.", "Samantha, wait."],
                              [long_reply, "I'm listening."])
    room = room_with(playback, (0.5, 1.2))

    def on_state(state: State) -> None:
        if state is State.SPEAKING and not loop.barge_ins and len(loop.turns) == 0:
            room.say(speech_like(0.8, seed=9), room.position / RATE + 1.0)

    loop.on_state = on_state
    run(loop, room, 2)
    assert len(loop.barge_ins) == 1 and loop.barge_ins[0].state == "speaking"
    story, stop = loop.turns
    heard = " ".join(story.spoken)
    assert heard and len(heard) < len(long_reply), heard
    assert long_reply.startswith(heard.rsplit(" ", 1)[0])
    assert loop.conversation.history[0] == ("tell me a story.", heard)
    assert stop.transcript == "Samantha, wait." and stop.spoken == ["I'm listening."]


def test_wake_phrase_follow_up_window_and_her_name_alone() -> None:
    loop, playback = loop_for(["What time is the game on?", "Samantha", "Samantha, hello!",
                               "And how are you?"],
                              ["Hello to you too!", "I'm doing well."])
    run(loop, room_with(playback, (0.5, 1.0), (3.0, 0.6), (5.5, 1.0), (9.0, 1.0)), 4)
    answered = [(t.transcript, " ".join(t.spoken)) for t in loop.turns]
    assert answered == [("What time is the game on?", ""),        # not for her
                        ("Samantha", "Yes?"),                      # her name alone
                        ("Samantha, hello!", "Hello to you too!"),
                        ("And how are you?", "I'm doing well.")]  # the follow-up window
    assert [m[-1]["content"] for m in loop.engines.llm.prompts] == [  # type: ignore[attr-defined]
        "hello!", "And how are you?"]


def test_a_due_reminder_is_announced_once_while_idle() -> None:
    clock = ScriptedClock()
    cfg = config()
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False), clock=clock)
    said = asyncio.run(brain.prepare("Remind me in 5 minutes to call Ana.",
                                     ScriptedLanguageModel()))
    brain.confirm(said)
    brain.commit(said, said.direct)
    clock.advance(minutes=6)
    loop, playback = loop_for([], ["unused"], cfg, brain=brain)
    loop.clock = clock
    room = Room(playback, duration_s=3.0, realtime=False, echo_gain_db=-60.0,
                clock=StreamClock())
    asyncio.run(asyncio.wait_for(loop.serve(room), 120))
    announced = [t for t in loop.turns if any("Ana" in s for s in t.spoken)]
    assert len(announced) == 1, loop.turns
    assert loop.engines.tts.said == ["A reminder: call Ana."]  # type: ignore[attr-defined]
    assert np.abs(room.echo_only).max() > 1, "the chime and her voice were played"
    assert loop.state is State.IDLE
    assert len(brain.history) == 1  # the request; an announcement is not a turn


def test_a_failing_engine_fails_the_turn_not_her(caplog: pytest.LogCaptureFixture) -> None:
    def broken_on_hi(messages: list[Message]) -> str:
        if messages[-1]["content"] == "hi.":
            raise LlmError("generate", "scripted failure", "none: this is a test")
        return "I'm here."

    # the speculative start fails during the hang-over; the end of speech retries the turn,
    # which hears the same words again and fails for good; the next question is answered
    loop, playback = loop_for(["Samantha, hi.", "Samantha, hi.", "Samantha, are you there?"],
                              [broken_on_hi])
    caplog.set_level(logging.INFO, logger="samantha.pipeline.loop")
    run(loop, room_with(playback, (0.5, 1.0), (3.5, 1.0)), 2)
    assert "speculative turn failed, to be retried" in caplog.text
    assert "turn failed: llm error" in caplog.text
    assert [" ".join(t.spoken) for t in loop.turns] == ["", "I'm here."]
    assert loop.state is State.IDLE

    asr_down = ScriptedTranscriber([], fail=True)
    loop, playback = loop_for([], ["unused"])
    loop.engines.asr = asr_down
    run(loop, room_with(playback, (0.5, 1.0)), 1)
    assert isinstance(loop.turns[0].log.first(StageFailed), StageFailed)
    assert loop.state is State.IDLE


def test_the_naive_cascade_is_the_same_turn_in_another_style() -> None:
    loop, playback = loop_for(["Samantha, what's new?"], ["Not much. The sea is calm."],
                              style=NAIVE)
    run(loop, room_with(playback, (0.5, 1.0)), 1)
    assert loop.engines.tts.said == ["Not much. The sea is calm."]  # type: ignore[attr-defined]
    assert loop.turns[0].spoken == ["Not much. The sea is calm."]
    assert loop.conversation.history == [("what's new?", "Not much. The sea is calm.")]


def test_every_sentence_passes_the_filter_once_in_every_kind_of_turn() -> None:
    seen: list[str] = []
    cfg = config("always")
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    screen = brain.screen

    def counting(sentence: str, ex: Exchange) -> str:
        seen.append(sentence)
        return screen(sentence, ex)

    brain.screen = counting  # type: ignore[method-assign]
    loop, playback = loop_for(["Tell me about 3 cats."], ["I know 3 cats. They nap a lot."],
                              cfg, brain=brain)
    run(loop, room_with(playback, (0.5, 1.0)), 1)
    assert seen == ["I know 3 cats.", "They nap a lot."]
    assert loop.turns[0].spoken == ["I know three cats.", "They nap a lot."]


def test_silence_gives_no_turn() -> None:
    loop, playback = loop_for(["never heard"], ["never said"])
    room = Room(playback, AudioChunk(np.zeros(RATE, np.int16), RATE), duration_s=5.0,
                realtime=False, clock=StreamClock())
    asyncio.run(loop.serve(room))
    assert loop.turns == [] and loop.engines.asr.calls == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("prime", [True, False])
def test_the_conversation_so_far_is_read_in_once_she_has_answered(prime: bool) -> None:
    """After each turn the brain hands the model the prompt's growing part, her reply as she
    said it included, so the next turn prefills only what is new; switched off, nothing."""
    from samantha.pipeline.turn import typed
    from samantha.serve.fair import FairQueue, QueuedLanguageModel

    llm = ScriptedLanguageModel(["Lovely, thanks.", "It was sunny."])
    brain = Conversation(config().persona, memory_cfg=MemoryConfig(extract_facts=False),
                         prime_history=prime)
    asyncio.run(typed("How's your day?", llm, brain))
    asyncio.run(typed("And the weather?", llm, brain))
    if not prime:
        assert llm.primed == []
        return
    assert len(llm.primed) == 2
    assert llm.primed[-1] == brain.base_messages()
    assert llm.primed[-1][-2:] == [{"role": "user", "content": "And the weather?"},
                                   {"role": "assistant", "content": "It was sunny."}]
    # the next prompt starts with what was read in
    asyncio.run(typed("Thanks.", llm, brain))
    assert llm.prompts[-1][:len(llm.primed[1])] == llm.primed[1]
    # rooms share one cache: a room's history is not read in for it
    queued = QueuedLanguageModel(llm, FairQueue("llm"), "kitchen")
    asyncio.run(queued.prime(brain.base_messages()))
    assert len(llm.primed) == 3


def test_her_own_words_heard_back_get_no_reply() -> None:
    """Seen in an hour's soak: the tail of her reply came through the echo canceller, was heard
    in the follow-up window as "Thank you for telling me I'll keep that in mind.", and she
    answered herself (a line she no longer says: it claimed a deed). Her words heard back are
    not for her; a real follow-up still is."""
    loop, playback = loop_for(
        ["Samantha, I'm allergic to peanuts.",
         "Thank you for telling me peanuts are off the menu then.",
         "What should I cook tonight?"],
        ["Thank you for telling me. Peanuts are off the menu, then.", "Try a lentil curry."])
    run(loop, room_with(playback, (0.5, 1.5), (4.0, 1.5), (7.0, 1.5)), 3)
    answered = [(t.transcript, " ".join(t.spoken)) for t in loop.turns]
    assert answered == [
        ("Samantha, I'm allergic to peanuts.",
         "Thank you for telling me. Peanuts are off the menu, then."),
        ("Thank you for telling me peanuts are off the menu then.", ""),  # her echo
        ("What should I cook tonight?", "Try a lentil curry.")]   # the follow-up window
    assert len(loop.engines.llm.prompts) == 2  # type: ignore[attr-defined]


def test_what_counts_as_her_echo() -> None:
    from samantha.pipeline.wake import echoes

    said = ["Thank you for telling me.", "I'll keep that in mind.",
            "Thank you for telling me. I'll keep that in mind."]
    assert echoes("Thank you for telling me I'll keep that in mind.", said)
    assert echoes("for telling me, I'll keep that in mind", said)  # a tail, heard a bit off
    assert not echoes("Thank you.", said)  # too short to tell
    assert not echoes("What should I cook for dinner tonight?", said)
    assert not echoes("pasta or rice?", ["Would you like pasta or rice?"])  # an answer
    assert echoes("오늘은 기분이 정말 좋아요", ["오늘은 기분이 정말 좋아요. 당신은요?"])
