"""The language model: llama.cpp (llama-cpp-python) behind its own worker thread.

The chat template comes from the GGUF file itself. Replies stream token by token and are bounded
in length. llama-cpp-python keeps the evaluated tokens of the last call and reuses the longest
common prefix, so a fixed persona prompt followed by an append-only history is prefilled once:
later turns only prefill what is new.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from samantha.errors import LlmError
from samantha.inference.protocols import Message
from samantha.inference.worker import Worker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sampling:
    """How she picks words."""

    max_tokens: int = 96
    """Hard cap on reply length; spoken replies are one to three sentences."""
    temperature: float = 0.6
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1


class LlamaModel:
    """Owns one llama.cpp context on its own thread."""

    def __init__(self, model_path: Path, threads: int = 2, n_ctx: int = 2048,
                 sampling: Sampling | None = None, seed: int = 7, gpu_layers: int = 0,
                 mmap: bool = False) -> None:
        self.model_path = Path(model_path)
        self.mmap = mmap
        """Map the file (``[llm] mmap``); off, the weights are read in and held once."""
        self.gpu_layers = gpu_layers
        """Layers offloaded to the GPU (a CUDA build of llama.cpp, e.g. on a Jetson)."""
        self.threads = threads
        self.n_ctx = n_ctx
        self.sampling = sampling or Sampling()
        self.seed = seed
        self.worker = Worker("llm")
        self._llm: Any = None
        self.worker.call(self._load)

    @property
    def size_bytes(self) -> int:
        return os.path.getsize(self.model_path)

    def _load(self) -> None:
        from llama_cpp import Llama

        try:
            self._llm = Llama(
                model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.threads,
                n_threads_batch=self.threads, n_batch=256, seed=self.seed, verbose=False,
                n_gpu_layers=self.gpu_layers, use_mmap=self.mmap,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise LlmError("load", f"llama.cpp could not load {self.model_path} ({exc})",
                           "run `samantha models verify` and re-provision the model") from None
        # llama-cpp-python allocates n_batch x n_vocab float32 logits (256 x 151,936 x 4 B =
        # 155 MB for Qwen2.5) that it writes only with logits_all, never set here: sampling
        # reads llama.cpp's own logits. But save_state copies the rows up to n_tokens and
        # load_state writes them all, so each side prompt kept cost 100 MB and the first one
        # made all 155 MB resident (rpi4 profile: 1.77 GB at 100 s against MemoryMax=1500M).
        # One row keeps every code path that indexes it working.
        self._llm.scores = np.zeros((1, self._llm.n_vocab()), np.single)
        if not self._llm.metadata.get("tokenizer.chat_template"):
            raise LlmError("no-template", f"{self.model_path.name} has no chat template; it is a "
                           "base model, not an instruct model",
                           "choose an instruct model in [llm] model")

    prefix_cache: bool = True
    """Reuse the KV cache of the previous prompt's common prefix (off: prefill from scratch)."""

    def _forget_sync(self) -> None:
        self._llm.reset()
        self._llm._ctx.kv_cache_clear()

    async def forget(self) -> None:
        """Drop the KV cache (on the worker thread): the next prompt is prefilled in full."""
        await self.worker.run(self._forget_sync)

    def _stream_sync(self, messages: list[Message],
                     max_tokens: int | None) -> Generator[str, None, None]:
        s = self.sampling
        before = self._prompt_tokens_sync() if log.isEnabledFor(logging.DEBUG) else 0
        try:
            chunks = self._llm.create_chat_completion(
                messages=messages, stream=True, max_tokens=max_tokens or s.max_tokens,
                temperature=s.temperature, top_p=s.top_p, top_k=s.top_k,
                repeat_penalty=s.repeat_penalty, seed=self.seed,  # same prompt, same reply
            )
            first = True
            for chunk in chunks:
                if first and log.isEnabledFor(logging.DEBUG):  # did the cache hold its start?
                    first = False
                    log.debug("prompt of %d tokens: %d read in, the rest from the cache",
                              self._llm.n_tokens, self._prompt_tokens_sync() - before)
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
        except ValueError as exc:  # prompt longer than the context, mostly
            raise LlmError("generate", f"llama.cpp refused the prompt ({exc})",
                           "shorten the history or raise [llm] n_ctx") from None

    def stream(self, messages: list[Message],
               max_tokens: int | None = None) -> Generator[str, None, None]:
        """Blocking token stream (pulled on the worker thread, one piece at a time)."""
        gen = self.worker.call(self._stream_sync, messages, max_tokens)
        try:
            while True:
                piece = self.worker.call(next, gen, None)
                if piece is None:
                    return
                yield piece
        finally:
            self.worker.call(gen.close)

    def astream(self, messages: list[Message],
                max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        return self.worker.stream(lambda: self._stream_sync(messages, max_tokens))

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return "".join(self.stream(messages, max_tokens))

    def _json_stream(self, messages: list[Message], schema: dict[str, Any],
                     max_tokens: int) -> Generator[str, None, None]:
        # A side prompt would evict the persona's KV cache: keep it and put it back after,
        # also when the caller stops early (closing the generator runs the finally).
        # The side prompt's own state is kept too (one per system prompt: its KV cells, about
        # 2 MB), so its fixed instructions are prefilled once, not on every call.
        persona = self._llm.save_state()
        sides: dict[str, Any] = self.__dict__.setdefault("_side_states", {})
        key = messages[0]["content"] if messages else ""
        if key in sides:
            self._llm.load_state(sides[key])
        try:
            chunks = self._llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True,
                response_format={"type": "json_object", "schema": schema},
            )
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
            sides[key] = self._llm.save_state()
        except ValueError as exc:
            raise LlmError("generate", f"llama.cpp refused the prompt ({exc})",
                           "shorten the prompt or raise [llm] n_ctx") from None
        finally:
            self._llm.load_state(persona)

    def _json_sync(self, messages: list[Message], schema: dict[str, Any],
                   max_tokens: int) -> str:
        return "".join(self._json_stream(messages, schema, max_tokens))

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        """A reply constrained by llama.cpp's grammar to JSON matching ``schema`` (greedy)."""
        return self.worker.call(self._json_sync, messages, schema, max_tokens)

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        """As ``complete_json``, pulled token by token: cancelling it stops between tokens."""
        pieces = [p async for p in self.worker.stream(
            lambda: self._json_stream(messages, schema, max_tokens))]
        return "".join(pieces)

    def _prime_sync(self, messages: list[Message]) -> None:
        # after her reply the next prompt goes on with the person's message: read its header
        # in too (an empty user message renders it, "<|im_start|>user\n" for Qwen), so only
        # their words and what follows are prefilled when they are done (2 tokens of ~13).
        # A draft (it ends with their words so far) is read in as it is.
        ahead = messages
        if messages and messages[-1]["role"] == "assistant":
            ahead = [*messages, {"role": "user", "content": ""}]
        for _ in self._stream_sync(ahead, 1):  # the prompt, and one token nobody reads
            pass

    def warm_up(self, messages: list[Message]) -> None:
        """Prefill the persona prompt once, so its KV cache is ready for the first turn."""
        self.worker.call(self._prime_sync, messages)

    async def prime(self, messages: list[Message]) -> None:
        """Prefill the conversation so far while nobody waits: the next prompt shares it."""
        if self.prefix_cache:
            await self.worker.run(self._prime_sync, messages)

    def _prompt_tokens_sync(self) -> int:
        from llama_cpp import llama_perf_context

        return int(llama_perf_context(self._llm._ctx.ctx).n_p_eval)

    def prompt_tokens(self) -> int:
        """Prompt tokens llama.cpp has evaluated since loading: its perf count of tokens decoded
        in batches (generated tokens are decoded one at a time and not counted)."""
        return self.worker.call(self._prompt_tokens_sync)

    def close(self) -> None:
        self.worker.close()
        self._llm = None
