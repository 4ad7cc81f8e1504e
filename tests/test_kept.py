"""What was heard before a pause is kept, and only the rest transcribed (``pipeline/kept.py``)."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from samantha.audio.chunk import AudioChunk, read_wav
from samantha.audio.playback import Playback
from samantha.bench import hearing as ears_set
from samantha.clock import StreamClock
from samantha.companion import mood
from samantha.companion.conversation import Conversation
from samantha.config import MemoryConfig, load
from samantha.inference.engines import Engines
from samantha.inference.protocols import Confidence, Message, Transcriber, Transcript
from samantha.pipeline.kept import doubled, joined
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.testing.fakes import ScriptedLanguageModel, ToneVoice
from samantha.testing.room import Room

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_kept_words_and_the_rest_make_one_transcript() -> None:
    before = Transcript("지난해 삼월", 3.0, 900, Confidence((0.9, 0.8), "ko"))
    rest = Transcript("들어갔다.", 2.0, 400, Confidence((0.7,), "ko", looped=True))
    whole = joined(before, rest, 5.0, 500)
    assert whole.text == "지난해 삼월 들어갔다."
    assert (whole.audio_s, whole.asr_ns) == (5.0, 500)  # the whole utterance, the time waited
    assert whole.confidence == Confidence((0.9, 0.8, 0.7), "ko", looped=True)
    # the rest heard nothing: the kept words alone, in their language
    quiet = joined(before, Transcript("", 1.0, 100, Confidence((), "en")), 4.0, 100)
    assert quiet.text == "지난해 삼월"
    assert quiet.confidence == Confidence((0.9, 0.8), "ko")
    # a recogniser that cannot say how sure it was (a fake) on either side: whichever can
    assert joined(before, Transcript("x", 1.0, 1), 4.0, 1).confidence == before.confidence


class Ears:
    """The real recogniser, with the length of every clip it was given (an edge, not a fake)."""

    def __init__(self, inner: Transcriber) -> None:
        self.inner, self.calls = inner, []  # type: ignore[var-annotated]

    def transcribe(self, chunk: AudioChunk, full_window: bool = False) -> Transcript:
        self.calls.append(chunk.seconds)
        return self.inner.transcribe(chunk, full_window)

    async def transcribe_async(self, chunk: AudioChunk,
                               full_window: bool = False) -> Transcript:
        self.calls.append(chunk.seconds)
        return await self.inner.transcribe_async(chunk, full_window)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def close(self) -> None:
        self.inner.close()


@pytest.mark.slow
def test_a_real_korean_sentence_with_a_pause_is_heard_in_two_parts() -> None:
    """A read sentence with a 0.27 s pause at 6.0 s (Zeroth-Korean, dev) through the loop on
    real whisper-base: the end transcribes only what followed the pause, and the whole is
    heard nearly as well as in one piece (0.05 in one piece; the corpus spells numbers out)."""
    from samantha.inference.engines import build_asr

    name = "korean/zeroth_ko_07.wav"
    said = ears_set.fixtures(["ko"])[name][1]
    assert ears_set.split_of(said) == "dev"
    cfg = load(board="", overrides={"persona": {"language": "ko"}, "wake": {"mode": "always"},
                                    "aec": {"enabled": False}})
    asr = Ears(build_asr(cfg))
    engines = Engines(asr, ScriptedLanguageModel(["좋아요."]), ToneVoice())
    playback = Playback(22050)
    loop = TurnLoop(engines, Conversation(cfg.persona, memory_cfg=MemoryConfig(
        extract_facts=False)), cfg, playback)
    audio = read_wav(FIXTURES / name)
    room = Room(playback, duration_s=audio.seconds + 8, realtime=False, echo_gain_db=-90.0,
                clock=StreamClock())
    room.say(audio, 0.5)
    room.stop_when = lambda: len(loop.turns) >= 1 and loop.state is State.IDLE \
        and loop.current is None
    try:
        asyncio.run(asyncio.wait_for(loop.serve(room), 300))
    finally:
        asr.close()
    heard = loop.turns[0].transcript
    assert ears_set.error_rate(said, heard, "ko") <= 0.15, heard
    assert asr.calls[-1] < audio.seconds / 2, asr.calls  # only the part after the pause


@pytest.mark.slow
def test_a_dropped_guess_stops_whisper_and_the_next_call_hears_right(
        caplog: pytest.LogCaptureFixture) -> None:
    """A guess dropped at a pause it did not keep stops its whisper call at whisper.cpp's next
    check (after the encoder), so the call the person waits for does not wait out its
    decoding; whisper's report of the stop is a debug line, and the context hears right after."""
    from samantha.inference.asr import WhisperTranscriber
    from samantha.inference.engines import build_asr

    name = "korean/zeroth_ko_07.wav"
    said = ears_set.fixtures(["ko"])[name][1]
    audio = read_wav(FIXTURES / name)
    asr = build_asr(load(board="", overrides={"persona": {"language": "ko"}}))
    assert isinstance(asr, WhisperTranscriber)
    stop = threading.Event()
    stop.set()  # the caller went while the call waited its turn: it stops after the encoder

    async def after_a_cancel() -> Transcript:
        guess = asyncio.create_task(asr.transcribe_async(audio))
        await asyncio.sleep(0.05)
        guess.cancel()
        return await asr.transcribe_async(audio)

    try:
        with caplog.at_level(logging.DEBUG, "samantha.inference.asr"):
            stopped, _ = asr.worker.call(asr._transcribe_sync, audio.samples, False, stop)
            heard = asyncio.run(after_a_cancel())
    finally:
        asr.close()
    assert stopped == ""
    reports = [r for r in caplog.records if "whisper.cpp: " in r.getMessage()
               and "failed to" in r.getMessage()]
    assert reports and all(r.levelno == logging.DEBUG for r in reports)
    assert ears_set.error_rate(said, heard.text, "ko") <= 0.15, heard.text


@pytest.mark.slow
def test_the_words_before_a_pause_read_in_spare_the_prompt(
        models_ready) -> None:  # type: ignore[no-untyped-def]
    """On the real llama.cpp (the small smollm2 model): with the request so far read in while
    the person went on, the whole request's prompt evaluates only its last words (llama.cpp's
    own count of prompt tokens), against all of them without."""
    from samantha.inference.engines import build_llm

    cfg = load(board="", overrides={"llm": {"model": "smollm2-135m-instruct-q4_1",
                                            "max_tokens": 4},
                                    "memory": {"extract_facts": False}})
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    so_far = "Can you tell me about the moon, and how far away it"
    whole = so_far + " is from us tonight?"
    llm = build_llm(cfg)

    def read(messages: list[Message]) -> int:
        before = llm.prompt_tokens()
        llm.complete(messages, 1)
        return llm.prompt_tokens() - before

    try:
        llm.warm_up(brain.base_messages())  # the persona is in the cache, as at start-up
        draft = asyncio.run(brain.draft(so_far))
        assert draft is not None
        cold = read(brain.messages(whole))
        llm.warm_up(brain.base_messages())
        asyncio.run(llm.prime(draft))
        warm = read(brain.messages(whole))
    finally:
        llm.close()
    assert cold >= 15 and warm <= 12 and warm < cold - 8, (cold, warm)


@pytest.mark.parametrize(("text", "loop"), [
    ("그 바람에 나의 몸도 겹쳐스러지면 그 바람에 나의 몸도 겹쳐스러지면", True),  # seen
    ("Turn on the light, turn on the light", True),
    ("Turn on the light. Then turn on the fan.", False),
    ("no no no no", False),  # a word said over: a person, not a loop
    ("", False),
])
def test_a_phrase_written_twice_is_not_kept(text: str, loop: bool) -> None:
    assert doubled(text) is loop


def test_only_a_clean_head_is_kept() -> None:
    from samantha.pipeline.kept import Kept
    from samantha.pipeline.turn import TurnResult

    async def head(transcript: Transcript | None) -> Transcript | None:
        done: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        result = TurnResult()
        result.heard = transcript
        return await Kept(16000, done, result).transcript()

    clean = Transcript("내일 날씨", 1.2, 1, Confidence((0.9,), "ko"))
    assert asyncio.run(head(clean)) is clean
    looped = Transcript("오,", 1.2, 1, Confidence((0.9,), "ko", looped=True))
    assert asyncio.run(head(looped)) is None
    assert asyncio.run(head(Transcript("a b c d a b c d", 1.2, 1))) is None
    assert asyncio.run(head(Transcript("", 1.2, 1))) is None
    assert asyncio.run(head(None)) is None  # its transcription failed


def test_the_draft_hears_the_voice_of_the_kept_words() -> None:
    """The prompt read in while the person goes on carries the mood their voice suggested so
    far, as the whole request's will when the voice stays the same: its notes are shared."""
    from concurrent.futures import Future

    brain = Conversation(load(board="").persona, memory_cfg=MemoryConfig(extract_facts=False))
    brain.baseline = mood.Baseline(count=mood.KNOWN_AFTER)  # a voice she knows
    words = "I have to finish the report before"
    tense: Future[dict[str, float] | None] = Future()
    tense.set_result({"pitch": 12.0, "spread": 2.5, "energy": -16.0, "rate": 6.0})
    calm: Future[dict[str, float] | None] = Future()
    calm.set_result({"pitch": 5.0, "spread": 2.5, "energy": -26.0, "rate": 4.0})

    def notes(messages: list[Message] | None) -> list[str]:
        assert messages is not None and messages[-1] == {"role": "user", "content": words}
        return [m["content"] for m in messages[1:-1] if m["role"] == "system"]

    assert any("stressed" in n for n in notes(asyncio.run(brain.draft(words, tense))))
    assert notes(asyncio.run(brain.draft(words, calm))) == notes(asyncio.run(brain.draft(words)))
    assert not any("stressed" in n for n in notes(asyncio.run(brain.draft(words))))


def test_the_request_kept_is_what_would_wake_her() -> None:
    from samantha.pipeline.kept import Kept
    from samantha.pipeline.turn import TurnResult

    def request_in(text: str) -> str | None:  # phrase mode: "Samantha, ..." -> "..."
        return text.split(", ", 1)[1] if text.startswith("Samantha, ") else None

    async def kept(text: str) -> tuple[Transcript | None, str | None]:
        done: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        result = TurnResult()
        result.heard = Transcript(text, 1.2, 1, Confidence((0.9,), "en"))
        head = Kept(16000, done, result, request_in)
        return await head.transcript(), await head.request()

    heard, request = asyncio.run(kept("Samantha, tell me"))
    assert heard is not None and heard.text == "Samantha, tell me" and request == "tell me"
    assert asyncio.run(kept("Hey, some men.")) == (None, None)  # her name misheard: not kept
