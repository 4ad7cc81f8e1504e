"""The turn's states and their transitions, as a pure table: idle → listening → thinking →
speaking. No audio and no clocks; the engine feeds it what happened and acts on the answer."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    IDLE = "idle"            # nobody is talking to her
    LISTENING = "listening"  # someone is speaking
    THINKING = "thinking"    # the utterance ended: transcribing and generating, nothing heard yet
    SPEAKING = "speaking"    # her reply is playing


class Happened(StrEnum):
    SPEECH_START = "speech_start"
    SPEECH_END = "speech_end"
    SPEECH_DROP = "speech_drop"    # too short to be speech
    NOT_FOR_HER = "not_for_her"    # no wake phrase, or nothing transcribed
    FIRST_AUDIO = "first_audio"    # her first sample went to the speaker
    REPLY_DONE = "reply_done"      # her reply finished playing (or there was nothing to say)
    FAILED = "failed"
    ANNOUNCE = "announce"          # a reminder, alarm or timer came due: she speaks unasked


BARGE_IN_STATES = frozenset({State.THINKING, State.SPEAKING})

_TABLE: dict[tuple[State, Happened], State] = {
    (State.IDLE, Happened.SPEECH_START): State.LISTENING,
    (State.LISTENING, Happened.SPEECH_END): State.THINKING,
    (State.LISTENING, Happened.SPEECH_DROP): State.IDLE,
    (State.THINKING, Happened.NOT_FOR_HER): State.IDLE,
    (State.THINKING, Happened.FIRST_AUDIO): State.SPEAKING,
    (State.THINKING, Happened.REPLY_DONE): State.IDLE,
    (State.THINKING, Happened.SPEECH_START): State.LISTENING,   # barge-in before she speaks
    (State.SPEAKING, Happened.SPEECH_START): State.LISTENING,   # barge-in
    (State.SPEAKING, Happened.REPLY_DONE): State.IDLE,
    (State.IDLE, Happened.ANNOUNCE): State.SPEAKING,
}


def next_state(state: State, happened: Happened) -> State:
    """The state after ``happened``. Anything unexpected leaves the state as it is, except a
    failure, which always returns to idle."""
    if happened is Happened.FAILED:
        return State.IDLE
    return _TABLE.get((state, happened), state)


def is_barge_in(state: State, happened: Happened) -> bool:
    """Speech that starts while she is thinking or speaking interrupts her."""
    return happened is Happened.SPEECH_START and state in BARGE_IN_STATES
