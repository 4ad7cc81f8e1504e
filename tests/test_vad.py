"""Voice activity: frame cutting, end-of-speech decisions on scripted flags, and real speech."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from samantha.audio.chunk import RATE, AudioChunk, read_wav, rms_dbfs
from samantha.audio.listening import sounds_like_speech
from samantha.audio.vad import (
    EndpointConfig,
    Endpointer,
    EndpointState,
    EventKind,
    FrameCutter,
    Segmenter,
    SpeechEvent,
    Utterance,
)
from samantha.errors import AudioError, ConfigError

SPEECH = Path("/work/shared/fixtures/speech")
FRAME = 0.01  # scripted frames are 10 ms so the times below are round
K = EventKind


# --- FrameCutter --------------------------------------------------------------------------------

@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_frame_cutter_gives_exact_frames_and_loses_no_samples(frame_ms: int) -> None:
    rng = np.random.default_rng(frame_ms)
    audio = rng.integers(-32768, 32767, 48_013, dtype=np.int16)
    cutter = FrameCutter(frame_ms)
    frames, pos = [], 0
    while pos < len(audio):
        size = int(rng.integers(0, 2_000))
        frames += cutter.push(audio[pos:pos + size])
        pos += size
    rest = cutter.flush()
    assert all(len(f) == RATE * frame_ms // 1000 for f in frames)
    assert len(rest) < RATE * frame_ms // 1000
    np.testing.assert_array_equal(np.concatenate([*frames, rest]), audio)
    assert cutter.pending == 0 and len(cutter.flush()) == 0


def test_frame_cutter_frames_survive_the_caller_reusing_its_buffer() -> None:
    cutter = FrameCutter(10)
    buf = np.arange(400, dtype=np.int16)
    frames = cutter.push(buf)
    buf[:] = 0  # a sound card driver refilling its buffer
    np.testing.assert_array_equal(np.concatenate(frames), np.arange(320, dtype=np.int16))


@pytest.mark.parametrize("frame_ms", [0, 15, 25, 40])
def test_frame_cutter_refuses_frames_webrtcvad_cannot_use(frame_ms: int) -> None:
    with pytest.raises(AudioError) as err:
        FrameCutter(frame_ms)
    assert err.value.code == "bad-frame" and "10, 20 or 30" in str(err.value)


def test_frame_cutter_refuses_float_samples() -> None:
    with pytest.raises(AudioError):
        FrameCutter().push(np.zeros(480, dtype=np.float32))


# --- Endpointer on scripted flags ---------------------------------------------------------------

def script(ep: Endpointer, *parts: tuple[float, bool | str]) -> list[SpeechEvent]:
    """Feed (seconds, flag) parts in 10 ms frames; a str flag repeats a pattern of S/. frames."""
    events = []
    for seconds, flag in parts:
        n = round(seconds / FRAME)
        flags = [c == "S" for c in flag] * (n // len(flag)) if isinstance(flag, str) else [flag] * n
        for f in flags:
            if (event := ep.update(FRAME, f)) is not None:
                events.append(event)
    return events


def kinds(events: list[SpeechEvent]) -> list[EventKind]:
    return [e.kind for e in events]


def test_speech_starts_once_speech_start_s_of_speech_is_heard() -> None:
    ep = Endpointer()
    assert script(ep, (1.0, False), (0.06, True)) == []
    [start] = script(ep, (0.03, True))
    assert start.kind is K.SPEECH_START
    assert start.at_s == pytest.approx(1.0)  # where the speech began, not where it was decided
    assert start.decided_at_s == pytest.approx(1.09)
    assert ep.state is EndpointState.SPEECH


def test_a_dropout_in_the_first_syllable_does_not_move_the_start() -> None:
    ep = Endpointer()
    events = script(ep, (0.5, False), (0.04, True), (0.01, False), (1.0, True))
    assert kinds(events) == [K.SPEECH_START]
    assert events[0].at_s == pytest.approx(0.5)


@pytest.mark.parametrize("blip", ["S" * 3 + "." * 27, "S" * 6 + "." * 24, "S" * 3 + "." * 6])
def test_isolated_speech_blips_never_start_an_utterance(blip: str) -> None:
    ep = Endpointer()
    assert script(ep, (30.0, blip)) == []
    assert ep.state is EndpointState.IDLE


def test_hangover_ends_the_utterance_at_the_start_of_the_silence() -> None:
    ep = Endpointer(EndpointConfig(hangover_s=0.8))
    events = script(ep, (1.0, False), (1.2, True), (2.0, False))
    assert kinds(events) == [K.SPEECH_START, K.SPEECH_PAUSE, K.SPEECH_END]
    pause, end = events[1], events[2]
    assert pause.at_s == pytest.approx(2.2) and pause.decided_at_s < 2.3
    assert end.reason == "silence"
    assert end.speech_start_s == pytest.approx(1.0)
    assert end.at_s == pytest.approx(2.2)  # the true end of talking
    assert end.decided_at_s == pytest.approx(2.2 + 0.8)  # later by the hang-over
    assert ep.state is EndpointState.IDLE


def test_a_pause_shorter_than_the_hangover_pauses_and_resumes_without_ending() -> None:
    ep = Endpointer()
    events = script(ep, (0.5, False), (1.0, True), (0.3, False), (1.0, True), (1.0, False))
    assert kinds(events) == [K.SPEECH_START, K.SPEECH_PAUSE, K.SPEECH_RESUME,
                             K.SPEECH_PAUSE, K.SPEECH_END]
    assert events[1].at_s == pytest.approx(1.5)
    assert events[2].at_s == pytest.approx(1.8)
    assert events[4].speech_start_s == pytest.approx(0.5)
    assert events[4].at_s == pytest.approx(2.8)


def test_single_silent_frames_inside_speech_are_ignored() -> None:
    ep = Endpointer()
    events = script(ep, (0.3, False), (6.0, "S" * 27 + "." * 3), (1.0, False))
    assert kinds(events) == [K.SPEECH_START, K.SPEECH_PAUSE, K.SPEECH_END]


def test_a_speech_blip_in_the_hangover_does_not_resume() -> None:
    ep = Endpointer()
    events = script(ep, (1.0, True), (0.3, False), (0.03, True), (1.0, False))
    assert kinds(events) == [K.SPEECH_START, K.SPEECH_PAUSE, K.SPEECH_END]
    assert events[-1].at_s == pytest.approx(1.0)
    assert events[-1].decided_at_s == pytest.approx(1.5)


def test_max_length_cuts_and_the_next_utterance_starts_where_it_was_cut() -> None:
    ep = Endpointer(EndpointConfig(max_utterance_s=5.0))
    events = script(ep, (1.0, False), (12.0, True), (1.0, False))
    ends = [e for e in events if e.kind is K.SPEECH_END]
    assert [e.reason for e in ends] == ["max_length", "max_length", "silence"]
    assert ends[0].speech_start_s == pytest.approx(1.0)
    assert ends[0].at_s == pytest.approx(6.0) == ends[0].decided_at_s
    starts = [e for e in events if e.kind is K.SPEECH_START]
    assert starts[1].at_s == pytest.approx(6.0)
    assert all(e.at_s - e.speech_start_s <= 5.0 + 1e-6 for e in ends)
    assert ends[-1].at_s == pytest.approx(13.0)


def test_too_short_utterances_are_dropped_as_noise() -> None:
    ep = Endpointer()
    events = script(ep, (1.0, False), (0.15, True), (1.0, False))
    assert kinds(events) == [K.SPEECH_START, K.SPEECH_PAUSE, K.SPEECH_DROP]
    assert events[-1].reason == "too_short"
    events = script(ep, (0.3, True), (1.0, False))
    assert kinds(events)[-1] is K.SPEECH_END


def test_finish_closes_speech_cut_off_by_the_end_of_the_stream() -> None:
    ep = Endpointer()
    script(ep, (0.5, False), (1.0, True))
    end = ep.finish()
    assert end is not None and end.kind is K.SPEECH_END and end.reason == "end_of_stream"
    assert end.at_s == pytest.approx(1.5)
    assert ep.finish() is None


def test_settings_that_cannot_work_are_refused() -> None:
    with pytest.raises(ConfigError):
        EndpointConfig(hangover_s=0.05)
    with pytest.raises(ConfigError):
        EndpointConfig(preroll_s=-1)
    with pytest.raises(ConfigError):
        Segmenter(aggressiveness=4)


# --- Segmenter on real audio --------------------------------------------------------------------

def load(name: str) -> np.ndarray:
    return read_wav(SPEECH / name).samples


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.int16)


def noise(seconds: float, dbfs: float, seed: int = 0) -> np.ndarray:
    amp = 10 ** (dbfs / 20) * 32768
    data = np.random.default_rng(seed).normal(0, amp, round(seconds * RATE))
    return np.clip(np.round(data), -32768, 32767).astype(np.int16)


def stream(seg: Segmenter, audio: np.ndarray, seed: int = 0) -> list[SpeechEvent]:
    rng = np.random.default_rng(seed)
    events, pos = [], 0
    while pos < len(audio):
        size = int(rng.integers(1, 4_000))
        events += seg.feed(AudioChunk(audio[pos:pos + size]))
        pos += size
    return events


def utterances(events: list[SpeechEvent]) -> list[Utterance]:
    return [e.utterance for e in events if e.utterance is not None]


def speech_bounds(samples: np.ndarray) -> tuple[float, float]:
    """First and last 10 ms window louder than -45 dBFS, in seconds."""
    loud = [i for i in range(0, len(samples), 160) if rms_dbfs(samples[i:i + 160]) > -45]
    return loud[0] / RATE, (loud[-1] + 160) / RATE


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_one_spoken_command_gives_one_whole_utterance(frame_ms: int) -> None:
    speech = load("living_room_light_en.wav")
    audio = np.concatenate([silence(1.0), speech, silence(1.0)])
    true_start, true_end = speech_bounds(audio)
    seg = Segmenter(frame_ms=frame_ms)
    events = stream(seg, audio, seed=frame_ms)
    assert kinds(events) == [K.SPEECH_START, K.SPEECH_PAUSE, K.SPEECH_END]
    [utt] = utterances(events)
    assert utt.reason == "silence"
    assert abs(utt.speech_start_s - true_start) < 0.1
    assert abs(utt.speech_end_s - true_end) < 0.3
    assert utt.decided_at_s - utt.speech_end_s == pytest.approx(0.5, abs=frame_ms / 1000)
    # the pre-roll is in the audio, and the audio is exactly the stream's samples
    assert utt.speech_start_s - utt.audio_start_s == pytest.approx(0.3, abs=frame_ms / 1000)
    first = round(utt.audio_start_s * RATE)
    assert first <= round(true_start * RATE) and first + len(utt.audio.samples) >= true_end * RATE
    np.testing.assert_array_equal(utt.audio.samples, audio[first:first + len(utt.audio.samples)])
    assert seg.position_s == pytest.approx(len(audio) / RATE)


def test_two_commands_with_a_gap_give_two_utterances() -> None:
    a, b = load("living_room_light_en.wav"), load("whats_your_name_french.wav")
    audio = np.concatenate([silence(0.5), a, silence(1.0), b, silence(1.0)])
    utts = utterances(stream(Segmenter(), audio))
    assert [u.reason for u in utts] == ["silence", "silence"]
    assert utts[0].decided_at_s < utts[1].audio_start_s  # no audio shared between them
    assert utts[1].speech_start_s > 0.5 + len(a) / RATE


def test_silence_and_low_hiss_give_no_utterance() -> None:
    seg = Segmenter()
    assert stream(seg, silence(60.0)) == []
    assert stream(seg, noise(60.0, -60.0)) == []
    assert seg.state is EndpointState.IDLE


def test_the_energy_floor_keeps_hiss_from_even_starting_speech() -> None:
    hiss = noise(60.0, -60.0)
    assert stream(Segmenter(), hiss) == []
    # webrtcvad alone hears "speech" in it: the floor is what keeps the pipeline quiet
    assert K.SPEECH_START in kinds(stream(Segmenter(min_dbfs=None), hiss))


def test_endless_loud_noise_is_cut_at_max_length_and_memory_stays_bounded() -> None:
    config = EndpointConfig()
    utts = utterances(stream(Segmenter(config), noise(40.0, -20.0)))
    assert [u.reason for u in utts] == ["max_length", "max_length"]
    for u in utts:
        assert u.audio.seconds <= config.preroll_s + config.max_utterance_s + 0.03


def square(seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (np.sign(np.sin(2 * np.pi * hz * t)) * 32767).astype(np.int16)


@pytest.mark.parametrize("sound", ["hiss", "fan", "square"])
def test_a_burst_of_steady_sound_between_silences_is_not_speech(sound: str) -> None:
    # the segmenter keeps silence around it (pre-roll, hang-over), which is no syllable dip
    burst = {"hiss": lambda: noise(3.0, -20.0),
             "fan": lambda: np.convolve(noise(3.0, -5.0), np.ones(30) / 30, "same").astype(
                 np.int16),
             "square": lambda: square(3.0)}[sound]()
    utts = utterances(stream(Segmenter(), np.concatenate([silence(1.0), burst, silence(1.5)])))
    assert utts, "the VAD lets this through: the loudness check is what stops it"
    assert not any(sounds_like_speech(u.audio) for u in utts)


@pytest.mark.parametrize("name", ["living_room_light_en.wav", "living_room_light_ko.wav",
                                  "turn_on_the_living_room_lamp.wav",
                                  "whats_your_name_french.wav"])
def test_speech_between_silences_sounds_like_speech(name: str) -> None:
    audio = np.concatenate([silence(1.0), load(name), silence(1.5)])
    utts = utterances(stream(Segmenter(), audio))
    assert utts and all(sounds_like_speech(u.audio) for u in utts)


def test_long_speech_is_cut_at_max_length_without_losing_or_repeating_audio() -> None:
    names = ["living_room_light_en.wav", "turn_on_the_living_room_lamp.wav",
             "living_room_light_ko.wav", "whats_your_name_french.wav"] * 2
    talk = []
    for name in names:  # the commands back to back, no pauses between them
        samples = load(name)
        start, end = speech_bounds(samples)
        talk.append(samples[round(start * RATE):round(end * RATE)])
    audio = np.concatenate([silence(0.5), *talk, silence(1.0)])
    utts = utterances(stream(Segmenter(EndpointConfig(max_utterance_s=3.0)), audio))
    assert [u.reason for u in utts][:3] == ["max_length"] * 3
    assert utts[-1].reason == "silence"
    assert all(u.speech_end_s - u.speech_start_s <= 3.0 + 1e-6 for u in utts)
    for before, after in itertools.pairwise(utts):
        assert before.reason == "max_length"
        # the talk went on: the next utterance picks up exactly where the cut was
        assert after.audio_start_s == pytest.approx(before.decided_at_s)
    heard = np.concatenate([u.audio.samples for u in utts])
    first = round(utts[0].audio_start_s * RATE)
    np.testing.assert_array_equal(heard, audio[first:first + len(heard)])


def test_finish_hands_out_speech_cut_off_by_the_end_of_a_file() -> None:
    seg = Segmenter()
    audio = np.concatenate([silence(0.5), load("living_room_light_en.wav")[: RATE]])
    assert utterances(stream(seg, audio)) == []
    [utt] = utterances(seg.finish())
    assert utt.reason == "end_of_stream" and utt.audio.seconds > 0.8
    assert utt.speech_end_s == pytest.approx(1.5, abs=0.03)
    assert seg.position_s == 0.0


def test_reset_forgets_speech_in_progress() -> None:
    seg = Segmenter()
    stream(seg, np.concatenate([silence(0.5), load("living_room_light_en.wav")[: RATE]]))
    assert seg.state is not EndpointState.IDLE
    seg.reset()
    assert seg.state is EndpointState.IDLE and seg.position_s == 0.0
    assert stream(seg, silence(2.0)) == []


def test_segmenter_refuses_audio_that_was_not_converted() -> None:
    with pytest.raises(AudioError):
        Segmenter().feed(AudioChunk(np.zeros(441, dtype=np.int16), rate=44_100))
