"""Bringing the engines up: every model verified, then loaded, one function per engine.

Every command (demo, chat, run, bench, serve) builds its engines here, so a setting such as
``gpu_layers`` or ``prefix_cache`` can never be dropped by one of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from samantha.clock import now_ns
from samantha.config import Config
from samantha.errors import ModelError
from samantha.inference.llm import Sampling
from samantha.inference.protocols import EndOfTurn, LanguageModel, Message, Transcriber, Voice
from samantha.models import store as modelstore

if TYPE_CHECKING:
    from samantha.inference.llama_server import RoomBrain

log = logging.getLogger(__name__)


@dataclass
class Engines:
    """The three C models, each on its own worker thread, and the optional end-of-turn model."""

    asr: Transcriber
    llm: LanguageModel
    tts: Voice
    turn: EndOfTurn | None = None
    """Semantic end of turn (``[vad] turn_model``); None: the fixed hang-over."""
    rooms: Callable[[str], LanguageModel] | None = None
    """Each room's own language model, answered at once (llama-server's slots); None: every
    room takes its turn with ``llm``."""

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
    return WhisperTranscriber(path, cfg.asr.threads, cfg.asr.language, cfg.asr.sized_ctx,
                              cfg.asr.windows)


def build_llm(cfg: Config) -> LanguageModel:
    """The on-device model; with ``[llm] endpoint``, the home server first and it as the
    fallback."""
    from samantha.inference.llm import LlamaModel
    from samantha.inference.openmp import import_llama

    path = modelstore.path_for(cfg.llm.model, cfg.models_path)
    endpoint = None
    if cfg.llm.endpoint:  # a bad address fails before the model loads
        from samantha.inference.openai_llm import parse_endpoint

        endpoint = parse_endpoint(cfg.llm.endpoint)
    import_llama(cfg.llm.omp_spin)  # here, on the loading thread, after whisper.cpp's runtime
    local = LlamaModel(path, cfg.llm.threads, cfg.llm.n_ctx, sampling(cfg),
                       gpu_layers=cfg.system.gpu_layers, mmap=cfg.llm.mmap)
    local.prefix_cache = cfg.engine.prefix_cache
    if endpoint is None:
        return local
    from samantha.inference.fallback import FallbackModel
    from samantha.inference.openai_llm import OpenAIModel

    server = OpenAIModel(endpoint, cfg.llm.endpoint_model, sampling(cfg),
                         prefix_cache=cfg.engine.prefix_cache)
    log.info("language model: %s first, %s when it does not answer", endpoint, cfg.llm.model)
    return FallbackModel(server, local, cfg.llm.endpoint_timeout_s, notice=server_down(cfg))


def server_down(cfg: Config) -> Callable[[str], str]:
    """The home-server notice in the language of what was said (each language pack's
    ``phrases.server_down``; the one step here that reaches up to the packs, as
    ``build_voice`` does)."""
    from samantha import lang

    home = lang.resolve(cfg.persona)
    return lambda said: lang.pack_for(said, home).phrases.server_down


def sampling(cfg: Config) -> Sampling:
    return Sampling(max_tokens=cfg.llm.max_tokens, temperature=cfg.llm.temperature)


def room_slots(cfg: Config) -> int:
    """How many rooms the language model answers at once (``[serve] slots``; 0: one per
    configured satellite when there are two or more, plus one for clients when listening)."""
    if cfg.serve.slots:
        return max(1, cfg.serve.slots)
    sats = len(cfg.serve.satellites)
    clients = 1 if (cfg.serve.listen or cfg.serve.socket) else 0
    return sats + clients if sats >= 2 else 1


def build_room_brain(cfg: Config, slots: int) -> RoomBrain:
    """llama-server with one slot per room (``inference.llama_server``)."""
    from samantha.inference.llama_server import find_binary, start_room_brain

    binary = find_binary(cfg.serve.llama_server)
    path = modelstore.path_for(cfg.llm.model, cfg.models_path)
    brain = start_room_brain(binary, path, slots, cfg.llm.n_ctx, cfg.llm.threads, sampling(cfg),
                             cfg.system.gpu_layers, cfg.llm.omp_spin, cfg.llm.mmap)
    brain.prefix_cache = cfg.engine.prefix_cache
    return brain


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


def load_engines(cfg: Config, progress: Callable[[str], None], slots: int = 1) -> Engines:
    """Every model file is checked (size and sha256) before any is loaded. ``slots`` above 1
    runs the language model in llama-server, one slot per room (``samantha serve``)."""
    start = now_ns()
    progress(f"verifying models: {cfg.asr.model}, {cfg.llm.model}, {cfg.tts.voice}")
    for name in (cfg.asr.model, cfg.llm.model, cfg.tts.voice):
        modelstore.path_for(name, cfg.models_path)
    progress("loading speech recognition, language model and voice")
    asr = build_asr(cfg)
    rooms: Callable[[str], LanguageModel] | None = None
    try:
        if slots > 1:
            progress(f"starting llama-server with {slots} slots, one per room")
            brain = build_room_brain(cfg, slots)
            llm: LanguageModel = brain
            rooms = brain.for_room
        else:
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
    return Engines(asr, llm, tts, turn, rooms)
