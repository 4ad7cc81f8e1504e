"""Listening: audio chunks from a microphone into the VAD segmenter, out come utterances."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

from samantha.audio import AudioChunk
from samantha.config import VadConfig
from samantha.vad import EndpointConfig, EventKind, Segmenter, Utterance

log = logging.getLogger(__name__)


class Source(Protocol):
    def chunks(self) -> AsyncIterator[AudioChunk]: ...


@dataclass(frozen=True, slots=True)
class Heard:
    """An utterance, and when (perf_counter_ns) the person actually stopped talking."""

    utterance: Utterance
    speech_end_ns: int


def make_segmenter(cfg: VadConfig) -> Segmenter:
    ep = EndpointConfig(hangover_s=cfg.hangover_s, preroll_s=cfg.preroll_s,
                        max_utterance_s=cfg.max_utterance_s)
    return Segmenter(ep, aggressiveness=cfg.aggressiveness, min_dbfs=cfg.min_dbfs)


async def utterances(source: Source, segmenter: Segmenter,
                     heartbeat: Callable[[], None] = lambda: None) -> AsyncIterator[Heard]:
    """Yield each utterance as soon as the VAD decides it has ended.

    The end of talking is placed in real time from the stream position: the chunk that carried
    the last speech sample is stamped with its capture time.
    """
    async for chunk in source.chunks():
        heartbeat()
        chunk_start_s = segmenter.position_s
        for event in segmenter.feed(chunk):
            if event.kind is EventKind.SPEECH_END and event.utterance is not None:
                offset_ns = int((event.at_s - chunk_start_s) * 1e9)
                stamp = chunk.timestamp_ns
                end_ns = stamp + offset_ns if stamp else event.timestamp_ns
                yield Heard(event.utterance, min(end_ns, event.timestamp_ns))
    for event in segmenter.finish():
        if event.kind is EventKind.SPEECH_END and event.utterance is not None:
            yield Heard(event.utterance, event.timestamp_ns)


def sounds_like_speech(audio: AudioChunk, min_range_db: float = 12.0) -> bool:
    """Speech rises and falls by tens of dB between syllables and pauses; fans, hiss and hum
    hold steady. An utterance whose loudness barely moves is noise the VAD let through."""
    import numpy as np

    frames = audio.samples[: len(audio.samples) // 160 * 160].reshape(-1, 160)
    if len(frames) < 10:
        return False
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    db = 10 * np.log10(power + 1e-9)
    p10, p90 = np.percentile(db, [10, 90])
    return bool(p90 - p10 >= min_range_db)
