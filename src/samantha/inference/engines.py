"""Bringing the engines up: every model verified, then loaded, one function per engine.

Every command (demo, chat, run, bench, serve) builds its engines here, so a setting such as
``gpu_layers`` or ``prefix_cache`` can never be dropped by one of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from samantha.clock import now_ns
from samantha.config import Config
from samantha.errors import ModelError
from samantha.inference.protocols import EndOfTurn, LanguageModel, Message, Transcriber, Voice
from samantha.models import store as modelstore

log = logging.getLogger(__name__)


@dataclass
class Engines:
    """The three C models, each on its own worker thread, and the optional end-of-turn model."""

    asr: Transcriber
    llm: LanguageModel
    tts: Voice
    turn: EndOfTurn | None = None
    """Semantic end of turn (``[vad] turn_model``); None: the fixed hang-over."""

    def warm_up(self, prefix: list[Message]) -> None:
        """Every engine once; the language model prefills ``prefix`` (the persona and her
        few-shot examples), so the first turn finds it in the KV cache."""
        self.asr.warm_up()
        self.llm.warm_up(prefix)
        self.tts.warm_up()
        if self.turn is not None:
            self.turn.warm_up()

    def close(self) -> None:
        for engine in (self.tts, self.llm, self.asr, self.turn):
            if engine is not None:
                engine.close()


def build_asr(cfg: Config) -> Transcriber:
    from samantha.inference.asr import WhisperTranscriber

    path = modelstore.path_for(cfg.asr.model, cfg.models_path)
    return WhisperTranscriber(path, cfg.asr.threads, cfg.asr.language, cfg.asr.sized_ctx)


def build_llm(cfg: Config) -> LanguageModel:
    from samantha.inference.llm import LlamaModel, Sampling

    path = modelstore.path_for(cfg.llm.model, cfg.models_path)
    llm = LlamaModel(path, cfg.llm.threads, cfg.llm.n_ctx,
                     Sampling(max_tokens=cfg.llm.max_tokens, temperature=cfg.llm.temperature),
                     gpu_layers=cfg.system.gpu_layers)
    llm.prefix_cache = cfg.engine.prefix_cache
    return llm


def build_voice(cfg: Config) -> Voice:
    """Piper; with a Korean or bilingual persona, Piper for English sentences and each other
    language's own voice for its sentences (``lang.voices``: voice routing belongs to the
    language packs, so this one composition step reaches up to them)."""
    from samantha.inference.tts import PiperVoice
    from samantha.lang.voices import for_persona

    path = modelstore.path_for(cfg.tts.voice, cfg.models_path)
    english = PiperVoice(path, threads=cfg.tts.threads, length_scale=cfg.tts.length_scale)
    try:
        return for_persona(cfg, english)
    except BaseException:
        english.close()
        raise


def build_turn(cfg: Config) -> EndOfTurn | None:
    """The end-of-turn model, or None (with one warning) where it is off or not provisioned."""
    if not cfg.vad.turn_model:
        return None
    from samantha.inference.turn_model import SmartTurn

    try:
        path = modelstore.path_for(cfg.vad.turn_model, cfg.models_path)
    except ModelError as err:
        log.warning("end of turn: %s; using the fixed %.1f s hang-over", err, cfg.vad.hangover_s)
        return None
    return SmartTurn(path, threshold=cfg.vad.turn_threshold)


def load_engines(cfg: Config, progress: Callable[[str], None]) -> Engines:
    """Every model file is checked (size and sha256) before any is loaded."""
    start = now_ns()
    progress(f"verifying models: {cfg.asr.model}, {cfg.llm.model}, {cfg.tts.voice}")
    for name in (cfg.asr.model, cfg.llm.model, cfg.tts.voice):
        modelstore.path_for(name, cfg.models_path)
    progress("loading speech recognition, language model and voice")
    asr = build_asr(cfg)
    try:
        llm = build_llm(cfg)
        try:
            tts = build_voice(cfg)
        except BaseException:
            llm.close()
            raise
    except BaseException:
        asr.close()
        raise
    try:
        turn = build_turn(cfg)
    except BaseException:
        for engine in (tts, llm, asr):
            engine.close()
        raise
    log.info("engines loaded in %.2f s", (now_ns() - start) / 1e9)
    return Engines(asr, llm, tts, turn)
