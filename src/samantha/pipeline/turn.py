"""One turn, every way a turn happens: utterance → transcript → reply → speech → speaker.

The spoken turn, the typed ``chat`` turn, announcements, "Yes?" and the benchmark's naive
cascade all run through ``deliver``: sentences in, each passed through the brain's output filter
exactly once, voiced, played, and what was heard handed back to the brain. They differ only by
their ``Style`` and by where the sentences come from (the model's stream, a rule's reply, a
reminder).

Streaming style: generation, synthesis and playback overlap, three tasks joined by bounded
queues, and her first clause is spoken as soon as it is complete. Naive style: the whole
transcript (30 s window), then the whole reply, then all of its audio, then play.
History keeps only what reached the person's ears, cut at the sample.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

import numpy as np

from samantha.audio.chunk import AudioChunk
from samantha.audio.playback import cut_words
from samantha.audio.protocols import Speaker
from samantha.clock import now_ns
from samantha.companion.brain import Heard
from samantha.companion.exchange import Exchange
from samantha.companion.protocols import Brain
from samantha.errors import SamanthaError
from samantha.inference.engines import Engines
from samantha.inference.protocols import LanguageModel, Transcript, Voice
from samantha.pipeline.chunker import Chunker
from samantha.pipeline.events import (
    AskedAgain,
    FirstAudio,
    FirstToken,
    PlaybackDone,
    PromptSent,
    ReplyDone,
    RuleAnswered,
    SentenceGuarded,
    StageFailed,
    SynthesisDone,
    TranscriptReady,
    TurnLog,
)
from samantha.pipeline.kept import Kept, transcribe_rest

log = logging.getLogger(__name__)
_END = None
CHIME_PAUSE_S = 0.7
"""Silence between an announcement's chime and her words: long enough for the echo gate to
forget the chime (``aec.EchoGate.forget_frames``), so her words are judged on their own echo."""


@dataclass(frozen=True, slots=True)
class Style:
    """How a turn is delivered."""

    streaming: bool = True
    """Overlap generation, synthesis and playback. False: the naive cascade."""
    first_clause: bool = True
    """Voice the first clause as soon as it is complete (streaming only)."""
    max_sentences: int = 3
    """Her longest reply, in sentences."""


STREAMING = Style()
NAIVE = Style(streaming=False, first_clause=False)
TYPED = NAIVE
"""The typed turn: the whole reply at once, as text."""


@dataclass
class TurnResult:
    """What one turn did, for the log line, the demo, the bench and the tests."""

    transcript: str = ""
    reply: str = ""
    spoken: list[str] = field(default_factory=list)
    audio: list[AudioChunk] = field(default_factory=list)
    log: TurnLog = field(default_factory=TurnLog)
    heard: Transcript | None = None
    """The recogniser's transcript with its confidence (None for a typed turn)."""


async def transcribe(utterance: AudioChunk, engines: Engines, brain: Brain,
                     result: TurnResult, style: Style = STREAMING,
                     kept: Kept | None = None) -> Heard:
    """The utterance to text, into ``result``; the brain hears the voice meanwhile. With
    ``kept`` (the words before a pause, heard while the person went on), only the rest."""
    heard = brain.hear(utterance)
    try:
        transcript = await transcribe_rest(engines.asr, utterance, kept,
                                           full_window=not style.streaming)
    except SamanthaError as err:
        result.log.emit(StageFailed(now_ns(), err.stage, err.code, err.message))
        raise
    result.transcript = transcript.text
    result.heard = transcript
    result.log.emit(TranscriptReady(now_ns(), transcript.text, transcript.audio_s,
                                    transcript.asr_ns))
    log.debug("transcript: %s", transcript.text)
    return heard


async def respond(text: str, llm: LanguageModel, voice: Voice | None, brain: Brain,
                  speaker: Speaker | None, result: TurnResult, style: Style = STREAMING,
                  go: asyncio.Event | None = None, heard: Heard | None = None,
                  on_first_audio: Callable[[], None] = lambda: None) -> Exchange:
    """Answer ``text``: the brain prepares, the model (or a rule) replies, ``deliver`` speaks.

    A turn that writes (a tool, a memory command) writes once it is released and before its
    reply is voiced, so a dropped speculation writes nothing and a failed write is never
    confirmed. Without a voice and speaker it is the typed turn (``samantha chat``): the same
    brain, the same filter, the same history, as text. With ``go``, everything up to the
    speaker runs at once but nothing is played until ``go`` is set (a speculative start).
    """
    ex = await brain.prepare(text, llm, heard)
    decided(ex, result)
    if ex.confirm is not None:  # its writes, once released; the reply says if they failed
        if go is not None:
            await go.wait()
        brain.confirm(ex)
    lead = brain.notice(ex)  # "I can't save anything right now: …", once
    if ex.direct:
        result.log.emit(FirstToken(now_ns()))
        pieces = _once(f"{lead} {ex.direct}".strip())
    else:
        if not llm.prefix_cache:
            await llm.forget()
        result.log.emit(PromptSent(now_ns()))
        pieces = llm.astream(ex.messages)
        if lead:
            pieces = _lead(lead, pieces)
    await deliver(pieces, ex, voice, brain, speaker, result, style, go, on_first_audio)
    return ex


async def typed(text: str, llm: LanguageModel, brain: Brain) -> str:
    """The typed turn (``samantha chat``): the spoken turn without ears or voice."""
    result = TurnResult(transcript=text)
    ex = await respond(text, llm, None, brain, None, result, TYPED)
    reply = " ".join(result.spoken)
    await brain.after_turn(ex, reply, llm)
    return reply


async def announce(texts: list[str], voice: Voice, brain: Brain, speaker: Speaker,
                   result: TurnResult, chime: bool = True) -> None:
    """Her own words, unasked: reminders that came due (after a chime), or "Yes?". The same
    filter and voice as a reply; nothing enters the history."""
    if chime:  # then a breath: her words start after the chime's echo has died away
        result.log.emit(FirstAudio(now_ns()))
        await speaker.write(brain.chime(), -1)
        await speaker.write(AudioChunk(np.zeros(int(CHIME_PAUSE_S * speaker.rate), np.int16),
                                       speaker.rate), -1)
    await deliver(_once(" ".join(texts)), Exchange(keep=False, own_line=True), voice, brain,
                  speaker, result,
                  Style(first_clause=False, max_sentences=len(texts) + 2), commit=False)


def decided(ex: Exchange, result: TurnResult) -> None:
    """The brain's decisions so far (which rule answered, which guard changed what), into the
    turn's event log."""
    decisions, ex.decisions = ex.decisions, []
    for d in decisions:
        result.log.emit(RuleAnswered(d.t_ns, d.name) if d.kind == "rule"
                        else SentenceGuarded(d.t_ns, d.name, d.action, d.why))


async def ask_again(line: str, reason: str, voice: Voice, brain: Brain,
                    speaker: Speaker, result: TurnResult, go: asyncio.Event | None = None,
                    on_first_audio: Callable[[], None] = lambda: None) -> None:
    """She did not catch it (``pipeline.hearing``): ``line`` ("Sorry, I didn't catch that…")
    instead of an answer to a guess, through the same filter and voice as any reply. Nothing
    enters the history: no exchange took place."""
    result.log.emit(AskedAgain(now_ns(), reason))
    log.info("asked again: %s", reason)
    await deliver(_once(line), Exchange(keep=False, own_line=True), voice, brain, speaker, result,
                  Style(first_clause=False, max_sentences=2), go, on_first_audio, commit=False)


async def _once(text: str) -> AsyncGenerator[str, None]:
    yield text + " "


async def _lead(first: str, rest: AsyncGenerator[str, None]) -> AsyncGenerator[str, None]:
    try:
        yield first + " "
        async for piece in rest:
            yield piece
    finally:
        await rest.aclose()


async def deliver(pieces: AsyncGenerator[str, None], ex: Exchange, voice: Voice | None,
                  brain: Brain, speaker: Speaker | None, result: TurnResult,
                  style: Style = STREAMING, go: asyncio.Event | None = None,
                  on_first_audio: Callable[[], None] = lambda: None,
                  commit: bool = True) -> None:
    """Text pieces → sentences → the output filter → the voice → the speaker → the history."""
    if speaker is not None:
        speaker.forget()  # a new reply: its pieces are counted from zero
    written: list[tuple[int, str]] = []

    async def say(source: AsyncGenerator[str, None]) -> None:
        if style.streaming and voice is not None and speaker is not None:
            await _stream(source, ex, voice, brain, speaker, result, style, go, on_first_audio,
                          written)
        else:
            await _whole(source, ex, voice, brain, speaker, result, style, go, on_first_audio,
                         written)

    try:
        await say(pieces)
        if commit and ex.text and not written:  # never silent: her line, through the same path
            log.info("nothing of the reply could be said; her fallback line instead")
            ex.own_line = True
            await say(_once(brain.fallback(ex)))
    finally:
        if speaker is None:
            result.spoken = [s for _, s in written]
        else:
            result.spoken = [w for w in (cut_words(s, _heard_fraction(speaker, tag))
                                         for tag, s in written) if w]
        if commit and written:
            brain.commit(ex, " ".join(result.spoken))


def _heard_fraction(speaker: Speaker, tag: int) -> float:
    done, total = speaker.played(tag)
    return done / total if total else 0.0


async def _collect(pieces: AsyncGenerator[str, None], result: TurnResult, style: Style,
                   chunker: Chunker, out: asyncio.Queue[str | None] | None = None,
                   first_voiced: asyncio.Event | None = None) -> list[str]:
    """Pull the reply, cut into sentences (into ``out`` as they come, when given)."""
    tokens, count, text, sentences = 0, 0, [], []
    try:
        async for piece in pieces:
            if tokens == 0 and not result.log.first(FirstToken):
                result.log.emit(FirstToken(now_ns()))
            tokens += 1
            text.append(piece)
            for sentence in chunker.push(piece):
                sentences.append(sentence)
                count += 1
                if out is not None:
                    await out.put(sentence)
            if count and first_voiced is not None and not first_voiced.is_set():
                await first_voiced.wait()  # small boards: voice the first clause, then go on
            if count >= style.max_sentences:
                break
        else:
            for sentence in chunker.flush():
                sentences.append(sentence)
                if out is not None:
                    await out.put(sentence)
    finally:
        await pieces.aclose()
        result.reply = "".join(text).strip()
        result.log.emit(ReplyDone(now_ns(), result.reply, tokens))
    return sentences


async def _stream(pieces: AsyncGenerator[str, None], ex: Exchange, voice: Voice,
                  brain: Brain, speaker: Speaker, result: TurnResult, style: Style,
                  go: asyncio.Event | None, on_first_audio: Callable[[], None],
                  written: list[tuple[int, str]]) -> None:
    sentences: asyncio.Queue[str | None] = asyncio.Queue(maxsize=4)
    audio: asyncio.Queue[tuple[str, AudioChunk] | None] = asyncio.Queue(maxsize=4)
    # On a small board the first clause's synthesis and the next tokens fight for the same
    # cores: generation waits (no token is pulled) until the first clause is voiced.
    first_voiced = asyncio.Event()
    analyser = ex.pack.analyser if style.first_clause else None
    chunker = Chunker(first_clause_words=2 if style.first_clause else 10_000,
                      clauses=analyser.clause_end if analyser is not None else None)

    async def generate() -> None:
        try:
            await _collect(pieces, result, style, chunker, sentences, first_voiced)
        finally:
            await sentences.put(_END)

    async def synthesize() -> None:
        try:
            while (planned := await sentences.get()) is not _END:
                sentence = brain.screen(planned, ex)
                decided(ex, result)
                if not sentence:  # dropped: generation must not wait for it to be voiced
                    first_voiced.set()
                    continue
                start = now_ns()
                chunk = await voice.synthesize_async(sentence, ex.pace)
                result.log.emit(SynthesisDone(now_ns(), sentence, chunk.seconds,
                                              now_ns() - start))
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
            await _play(speaker, chunk, sentence, result, on_first_audio, written)
            total += chunk.seconds
        await speaker.drain()
        result.log.emit(PlaybackDone(now_ns(), total))

    tasks = [asyncio.create_task(c) for c in (generate(), synthesize(), play())]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _whole(pieces: AsyncGenerator[str, None], ex: Exchange, voice: Voice | None,
                 brain: Brain, speaker: Speaker | None, result: TurnResult,
                 style: Style, go: asyncio.Event | None, on_first_audio: Callable[[], None],
                 written: list[tuple[int, str]]) -> None:
    """The whole reply, then all of its audio, then play (and the typed turn: text only)."""
    planned = await _collect(pieces, result, style, Chunker(first_clause_words=10_000))
    screened = [s for s in (brain.screen(p, ex) for p in planned) if s]
    decided(ex, result)
    if voice is None or speaker is None:
        written.extend(enumerate(screened))
        return
    if not screened:
        return
    reply = " ".join(screened)
    start = now_ns()
    chunk = await voice.synthesize_async(reply, ex.pace)
    result.log.emit(SynthesisDone(now_ns(), reply, chunk.seconds, now_ns() - start))
    if go is not None:
        await go.wait()
    if len(chunk.samples):
        await _play(speaker, chunk, reply, result, on_first_audio, written)
    await speaker.drain()
    result.log.emit(PlaybackDone(now_ns(), chunk.seconds))


async def _play(speaker: Speaker, chunk: AudioChunk, sentence: str, result: TurnResult,
                on_first_audio: Callable[[], None], written: list[tuple[int, str]]) -> None:
    if not result.log.first(FirstAudio):  # (an announcement's chime came first)
        result.log.emit(FirstAudio(now_ns()))
    if not written:
        on_first_audio()
    await speaker.write(chunk, len(written))
    written.append((len(written), sentence))
    result.audio.append(chunk)
