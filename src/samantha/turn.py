"""One turn: utterance → transcript → streamed reply → clause-by-clause speech → speaker.

Generation, synthesis and playback overlap: three tasks joined by bounded queues. Her first
clause is spoken as soon as it is complete. History keeps only what reached the speaker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from samantha.asr import Transcriber
from samantha.audio import AudioChunk
from samantha.conversation import Conversation
from samantha.errors import SamanthaError
from samantha.events import (
    FirstAudio,
    FirstToken,
    PlaybackDone,
    PromptSent,
    ReplyDone,
    StageFailed,
    SynthesisDone,
    TranscriptReady,
    TurnLog,
    now_ns,
)
from samantha.llm import LanguageModel
from samantha.playback import cut_words
from samantha.speech_text import Chunker, speakable
from samantha.tts import Voice

log = logging.getLogger(__name__)
_END = None


class Sink(Protocol):
    """Where her voice goes: a real speaker, or a recorder in tests and the demo."""

    async def write(self, chunk: AudioChunk, tag: int = 0) -> None: ...


def heard_fraction(sink: Sink, tag: int) -> float:
    """How much of piece ``tag`` the person heard (1.0 for sinks that don't know)."""
    played = getattr(sink, "played", None)
    if played is None:
        return 1.0
    done, total = played(tag)
    return done / total if total else 0.0


@dataclass
class Engines:
    """The three C models, each on its own worker thread."""

    asr: Transcriber
    llm: LanguageModel
    tts: Voice

    def warm_up(self, conversation: Conversation) -> None:
        self.asr.warm_up()
        self.llm.warm_up([conversation.system()])
        self.tts.warm_up()

    def close(self) -> None:
        for engine in (self.tts, self.llm, self.asr):
            engine.close()


@dataclass
class TurnResult:
    transcript: str = ""
    reply: str = ""
    spoken: list[str] = field(default_factory=list)
    audio: list[AudioChunk] = field(default_factory=list)
    log: TurnLog = field(default_factory=TurnLog)


async def reply_to(text: str, engines: Engines, conversation: Conversation, sink: Sink,
                   result: TurnResult, max_sentences: int = 3, go: asyncio.Event | None = None,
                   first_clause: bool = True,
                   on_first_audio: Callable[[], None] = lambda: None) -> None:
    """Stream a spoken reply to ``text`` into ``sink``; fills ``result`` as it goes.

    With ``go``, everything up to the speaker runs at once but nothing is played until ``go``
    is set (a speculative start). History keeps only what the person heard, cut at the sample.
    """
    sentences: asyncio.Queue[str | None] = asyncio.Queue(maxsize=4)
    # On a small board the first clause's synthesis and the next tokens fight for the same
    # cores: generation waits (no token is pulled) until the first clause is voiced.
    first_voiced = asyncio.Event()
    audio: asyncio.Queue[tuple[str, AudioChunk] | None] = asyncio.Queue(maxsize=4)
    written: list[tuple[int, str]] = []
    tl = result.log
    forget = getattr(sink, "forget", None)
    if forget is not None:  # a new reply: its pieces are counted from zero
        forget()

    async def generate() -> None:
        chunker = Chunker(first_clause_words=2 if first_clause else 10_000)
        tokens, count, pieces = 0, 0, []
        prepared = await conversation.prepare(text, engines.llm)
        if prepared.direct:
            tl.emit(FirstToken(now_ns()))
            result.reply = prepared.direct
            for sentence in chunker.push(prepared.direct + " ") + chunker.flush():
                await sentences.put(sentence)
            tl.emit(ReplyDone(now_ns(), result.reply, 0))
            await sentences.put(_END)
            return
        if not engines.llm.prefix_cache:
            await engines.llm.worker.run(engines.llm.forget)
        tl.emit(PromptSent(now_ns()))
        stream = engines.llm.astream(prepared.messages)
        try:
            async for piece in stream:
                if tokens == 0:
                    tl.emit(FirstToken(now_ns()))
                tokens += 1
                pieces.append(piece)
                for sentence in chunker.push(piece):
                    await sentences.put(sentence)
                    count += 1
                if count and not first_voiced.is_set():
                    await first_voiced.wait()
                if count >= max_sentences:
                    break
            else:
                for sentence in chunker.flush():
                    await sentences.put(sentence)
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
            result.reply = "".join(pieces).strip()
            tl.emit(ReplyDone(now_ns(), result.reply, tokens))
            await sentences.put(_END)

    async def synthesize() -> None:
        try:
            while (planned := await sentences.get()) is not _END:
                sentence = conversation.screen(planned)
                if not sentence:
                    continue
                start = now_ns()
                chunk = await engines.tts.synthesize_async(
                    sentence, float(getattr(conversation, "pace", 1.0) or 1.0))
                tl.emit(SynthesisDone(now_ns(), sentence, chunk.seconds, now_ns() - start))
                first_voiced.set()
                if len(chunk.samples):
                    await audio.put((sentence, chunk))
        finally:
            first_voiced.set()
            await audio.put(_END)

    async def play() -> None:
        total = 0.0
        while (item := await audio.get()) is not _END:
            sentence, chunk = item
            if go is not None and not go.is_set():
                await go.wait()
            if not written:
                tl.emit(FirstAudio(now_ns()))
                on_first_audio()
            await sink.write(chunk, len(written))
            written.append((len(written), sentence))
            result.audio.append(chunk)
            total += chunk.seconds
        drain = getattr(sink, "drain", None)
        if drain is not None:
            await drain()
        tl.emit(PlaybackDone(now_ns(), total))

    tasks = [asyncio.create_task(c) for c in (generate(), synthesize(), play())]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        result.spoken = [w for w in (cut_words(s, heard_fraction(sink, tag)) for tag, s in written)
                         if w]
        if written:
            conversation.commit(text, " ".join(result.spoken))


async def transcribe(utterance: AudioChunk, speech_end_ns: int, engines: Engines,
                     conversation: Conversation, result: TurnResult) -> None:
    """The utterance to text, into ``result`` (with its event)."""
    conversation.hear(utterance)
    try:
        transcript = await engines.asr.transcribe_async(utterance)
    except SamanthaError as err:
        result.log.emit(StageFailed(now_ns(), err.stage, err.code, err.message))
        raise
    result.transcript = transcript.text
    result.log.emit(TranscriptReady(now_ns(), transcript.text, transcript.audio_s,
                                    transcript.asr_ns))
    log.debug("transcript: %s", transcript.text)


async def think(text: str, llm: LanguageModel, conversation: Conversation,
                max_sentences: int = 3) -> str:
    """The same reply as a spoken turn, as text only (``samantha chat``)."""
    chunker, spoken = Chunker(), []
    prepared = await conversation.prepare(text, llm)
    if prepared.direct:
        reply = conversation.screen(speakable(prepared.direct))
        conversation.commit(text, reply)
        await conversation.after_turn(text, reply, llm)
        return reply
    stream = llm.astream(prepared.messages)
    try:
        async for piece in stream:
            spoken.extend(chunker.push(piece))
            if len(spoken) >= max_sentences:
                break
        else:
            spoken.extend(chunker.flush())
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    screened = (conversation.screen(speakable(s)) for s in spoken[:max_sentences])
    reply = " ".join(s for s in screened if s)
    conversation.commit(text, reply)
    await conversation.after_turn(text, reply, llm)
    return reply
