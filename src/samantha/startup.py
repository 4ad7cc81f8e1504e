"""Bringing her up: verify every model, load the three engines, warm them."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from samantha import modelstore
from samantha.asr import Transcriber
from samantha.config import Config
from samantha.events import now_ns
from samantha.llm import LanguageModel, Sampling
from samantha.tts import Voice
from samantha.turn import Engines

log = logging.getLogger(__name__)


def say_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_engines(cfg: Config, progress: Callable[[str], None] = say_progress) -> Engines:
    """Every model file is checked (size and sha256) before it is loaded."""
    start = now_ns()
    progress(f"verifying models: {cfg.asr.model}, {cfg.llm.model}, {cfg.tts.voice}")
    asr_path = modelstore.path_for(cfg.asr.model)
    llm_path = modelstore.path_for(cfg.llm.model)
    voice_path = modelstore.path_for(cfg.tts.voice)
    progress("loading speech recognition, language model and voice")
    asr = Transcriber(asr_path, cfg.asr.threads, cfg.asr.language, cfg.asr.sized_ctx)
    llm = LanguageModel(llm_path, cfg.llm.threads, cfg.llm.n_ctx,
                        Sampling(max_tokens=cfg.llm.max_tokens, temperature=cfg.llm.temperature),
                        gpu_layers=cfg.system.gpu_layers)
    tts = Voice(voice_path, threads=cfg.tts.threads, length_scale=cfg.tts.length_scale)
    log.info("engines loaded in %.2f s", (now_ns() - start) / 1e9)
    llm.prefix_cache = cfg.engine.prefix_cache
    return Engines(asr, llm, tts)
