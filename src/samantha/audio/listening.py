"""Listening: the microphone protocol, the configured VAD segmenter, and a check that an
utterance sounds like speech rather than steady noise."""

from __future__ import annotations

import logging

from samantha.audio.chunk import AudioChunk
from samantha.audio.vad import EndpointConfig, Segmenter
from samantha.config import VadConfig

log = logging.getLogger(__name__)


def make_segmenter(cfg: VadConfig, semantic: bool = False, words: bool = False) -> Segmenter:
    """The configured segmenter; ``semantic``: an end-of-turn model will answer its checks
    (a "complete" ends the utterance at once); ``words``: the words so far will, and can only
    hold the end (unfinished words wait up to ``max_hangover_s``; otherwise the usual
    hang-over, however late the answer comes)."""
    asks = semantic or words
    ep = EndpointConfig(hangover_s=cfg.hangover_s, preroll_s=cfg.preroll_s,
                        max_utterance_s=cfg.max_utterance_s,
                        turn_check_s=cfg.turn_check_s if asks else 0.0,
                        max_hangover_s=max(cfg.max_hangover_s, cfg.hangover_s),
                        hold_only=words and not semantic)
    return Segmenter(ep, aggressiveness=cfg.aggressiveness, min_dbfs=cfg.min_dbfs)


EDGE_DB = 30.0
"""Leading and trailing frames this far below the loudest are the quiet around the sound (the
segmenter's pre-roll and hang-over), not part of it."""


def sounds_like_speech(audio: AudioChunk, min_range_db: float = 12.0) -> bool:
    """Speech rises and falls by tens of dB between syllables and pauses; fans, hiss and hum
    hold steady. An utterance whose loudness barely moves is noise the VAD let through.

    Only the sound itself is judged, from its first to its last loud frame: the silence the
    segmenter keeps around a 3 s burst of hiss or a tone would otherwise read as the dips of
    speech (measured: trimmed, speech fixtures range 18-164 dB, hiss, fan and tones 0-6 dB)."""
    import numpy as np

    frames = audio.samples[: len(audio.samples) // 160 * 160].reshape(-1, 160)
    if len(frames) < 10:
        return False
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    db = 10 * np.log10(power + 1e-9)
    loud = np.flatnonzero(db > db.max() - EDGE_DB)
    db = db[loud[0]:loud[-1] + 1]
    if len(db) < 10:
        return False
    p10, p90 = np.percentile(db, [10, 90])
    return bool(p90 - p10 >= min_range_db)
