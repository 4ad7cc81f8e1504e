"""Speech recognition: whisper.cpp (pywhispercpp) behind its own worker thread.

pywhispercpp keeps every parameter set by a call for the calls after it: a short ``audio_ctx``
left over from a 2 s question makes a later 11 s clip loop into nonsense. So every call passes
the *whole* parameter set, built fresh.

whisper.cpp pads every clip to a 30 s window; a smaller audio context is the biggest saving on
short questions. But whisper.cpp's state breaks when the context *shrinks* between calls on one
context (seen here: a 1 s clip at 119 positions, then every later question decoded as "... to
the to the to the", 15x slower). So each context size gets its own whisper context that always
runs at that size: one per bucket in ``SIZED_CTX`` and one for the full window.

A call whose caller has gone (a speculative start dropped at a pause it did not keep, a
barge-in) is stopped at whisper.cpp's next check: after the encoder pass and between decoded
tokens (the encoder itself runs to its end). The next call, the one the person waits for, does
not wait out a dropped guess's decoding. whisper.cpp reports such a stop as "failed to encode"
or "failed to decode": its log lines come through Python's logging (``_whisper_says``), where a
stop that was asked for is a debug line, not an error.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import importlib
import logging
import math
import re
import sys
import threading
import types
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.chunk import RATE, AudioChunk
from samantha.clock import now_ns
from samantha.errors import AsrError
from samantha.inference.protocols import Confidence, Transcript
from samantha.inference.worker import Worker

log = logging.getLogger(__name__)

FULL_CTX = 1500
"""whisper's encoder positions for its 30 s window (50 per second)."""
SIZED_CTX = (320, 640)
"""Context buckets: up to (320 - 64) / 50 = 5.1 s, up to 11.5 s, else the full window. Each
bucket holds its own copy of the weights (78 MB for tiny.en)."""

# whisper.cpp's annotations for non-speech, and the usual hallucinations on noise.
_NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+")


def audio_ctx_for(seconds: float, windows: tuple[int, ...] = SIZED_CTX) -> int:
    """The context an utterance runs at: the smallest window it fits with a 64-position margin
    (1.3 s), else the full one. Never a per-clip size: see the module notes."""
    need = int(math.ceil(seconds * 50)) + 64
    return next((ctx for ctx in windows if need <= ctx), FULL_CTX)


def _same_words(a: str, b: str, at_least: float = 0.9) -> bool:
    """Do two transcripts of one clip say the same (letters alone, ``at_least`` alike)?"""
    def letters(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())
    return bool(letters(a)) and SequenceMatcher(None, letters(a), letters(b)).ratio() >= at_least


def max_tokens_for(seconds: float) -> int:
    """A bound on tokens: fast speech is ~4 tokens a second, so a loop on noise stops early."""
    return int(seconds * 8) + 24


class _RequestsOnUse(types.ModuleType):
    """Stands in for ``requests`` while pywhispercpp is imported; the real module on first use."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("requests"), name)


_call = threading.local()
"""The stop flag of the call the worker thread is in (``_call.stop``), for the log below."""


def _whisper_says(level: int, text: str) -> None:
    """whisper.cpp's log lines (level 4: error), as Python logging; on a worker thread."""
    stop = getattr(_call, "stop", None)
    if level >= 4 and not (stop is not None and stop.is_set()):
        log.warning("whisper.cpp: %s", text.strip())
    else:
        log.debug("whisper.cpp: %s", text.strip())


@functools.cache
def _route_logs() -> None:
    """Once per process: whisper.cpp's log into ``_whisper_says``; back to its own logger at
    exit, before the interpreter finalises (a Python callback called then would abort it)."""
    import _pywhispercpp as pw  # type: ignore[import-not-found]  # (pywhispercpp's own)

    pw.whisper_log_set(_whisper_says)
    atexit.register(pw.whisper_log_set, None)


def import_whisper() -> Any:
    """pywhispercpp's ``Model``, imported without importing ``requests``.

    pywhispercpp's utils import requests at the top for a model downloader we never call (we
    pass a path). Importing requests imports urllib3, which probes IPv6 by creating a socket:
    the network guard refuses it and logs it at every start. While pywhispercpp is imported,
    ``requests`` is a stand-in that imports the real module only if an attribute is used.
    (importlib's LazyLoader does not do here: on Python 3.11 a second ``import requests``
    reads ``__spec__`` and so loads it.)
    """
    if "requests" in sys.modules or "pywhispercpp.model" in sys.modules:
        from pywhispercpp.model import Model
        return Model
    sys.modules["requests"] = _RequestsOnUse("requests")
    try:
        from pywhispercpp.model import Model
    finally:
        if isinstance(sys.modules.get("requests"), _RequestsOnUse):
            del sys.modules["requests"]
    return Model


def clean_transcript(text: str) -> str:
    """Drop non-speech annotations, collapse whitespace, and keep a loop's phrase once."""
    text = _NON_SPEECH.sub(" ", text).replace("\ufffd", "")  # U+FFFD: a character cut in two
    return collapse_loops(" ".join(text.split()))


def _key(word: str) -> str:
    return word.strip(".,!?;:'\"").lower()


def _cut_tail(tail: list[str], unit: list[str]) -> bool:
    """Is ``tail`` (the rest of the text) the start of one more ``unit``, its last word cut?"""
    return 0 < len(tail) <= len(unit) and tail[:-1] == unit[:len(tail) - 1] \
        and unit[len(tail) - 1].startswith(tail[-1][:1])


def collapse_loops(text: str) -> str:
    """whisper.cpp has no guard against repeating itself, and loops until its token bound:
    "Turn on the living room lamp. Turn on the living room lamp. Turn on the living ..." (seen
    in the bench on tiny.en), one Korean syllable over and over (base, on unclear Korean). A
    phrase said three times in a row (one word: four), or twice and cut off at the end, is kept
    once."""
    words = text.split()
    keys = [_key(w) for w in words]
    for size in range(1, len(words) // 2 + 1):
        need = 4 if size == 1 else 3
        for start in range(len(words) - size * 2 + 1):
            unit, times = keys[start:start + size], 1
            if not all(unit):
                continue
            while keys[start + times * size:start + (times + 1) * size] == unit:
                times += 1
            end = start + times * size
            cut = _cut_tail(keys[end:], unit)
            if times >= need or (size > 1 and times == need - 1 and cut):
                rest = [] if cut else words[end:]
                return collapse_loops(" ".join(words[:start + size] + rest))
    return text


def token_probs(ctx: Any) -> tuple[tuple[float, ...], str]:
    """The probability of every text token of the last decode on ``ctx``, and its language.

    Read from whisper.cpp's own per-token data (``whisper_full_get_token_data``), which the
    decode already holds: no second pass. Special tokens (the end, timestamps: every id from
    ``whisper_token_eot`` up) are left out. whisper.cpp's no-speech probability is not
    reachable through pywhispercpp 1.5.1's bindings; whisper.cpp itself drops a segment it
    judges silent (``no_speech_thold``), which leaves an empty transcript."""
    pw: Any = importlib.import_module("_pywhispercpp")
    eot = pw.whisper_token_eot(ctx)
    probs = tuple(float(data.p)
                  for i in range(pw.whisper_full_n_segments(ctx))
                  for j in range(pw.whisper_full_n_tokens(ctx, i))
                  if (data := pw.whisper_full_get_token_data(ctx, i, j)).id < eot)
    lang_id = pw.whisper_full_lang_id(ctx)
    return probs, pw.whisper_lang_str(lang_id) if lang_id >= 0 else ""


class WhisperTranscriber:
    """Owns one whisper.cpp context on its own thread."""

    def __init__(self, model_path: Path, threads: int = 2, language: str = "en",
                 sized_ctx: bool = True, windows: tuple[int, ...] = SIZED_CTX) -> None:
        self.model_path = Path(model_path)
        self.threads = threads
        self.language = language
        self.sized_ctx = sized_ctx
        self.windows: tuple[int, ...] = ()
        """The short contexts loaded beside the full window (``[asr] windows``)."""
        self._wanted = windows
        self.worker = Worker("asr")
        self._models: dict[int, Any] = {}
        self.worker.call(self._load)

    def _load(self) -> None:
        Model = import_whisper()  # noqa: N806 (a class)
        _route_logs()

        # auto-detect encodes the full window first, a shrink inside one call: full window only
        sized = self.sized_ctx and self.language != "auto"
        self.windows = tuple(self._wanted) if sized else ()
        sizes = [FULL_CTX, *self.windows]
        try:
            for ctx in sizes:
                self._models[ctx] = Model(str(self.model_path), redirect_whispercpp_logs_to=None)
        except Exception as exc:  # the C loader reports failure as a generic exception
            raise AsrError("load", f"whisper.cpp could not load {self.model_path} ({exc})",
                           "run `samantha models verify` and re-provision the model") from None

    def params(self, seconds: float) -> dict[str, Any]:
        """Every decoding parameter, every call (pywhispercpp keeps old values otherwise)."""
        return {
            "n_threads": self.threads,
            "language": self.language,
            "translate": False,
            "detect_language": False,
            "audio_ctx": audio_ctx_for(seconds, self.windows),
            "no_context": True,
            "single_segment": seconds <= 12.0,
            "no_timestamps": True,
            "max_tokens": max_tokens_for(seconds),
            "offset_ms": 0,
            "duration_ms": 0,
            "temperature": 0.0,
            "temperature_inc": 0.0,
            "suppress_blank": True,
            "suppress_non_speech_tokens": True,
            "print_progress": False,
            "print_realtime": False,
            "print_timestamps": False,
            "print_special": False,
            "token_timestamps": False,
            "max_len": 0,
            "split_on_word": False,
        }

    def _transcribe_sync(self, samples: np.ndarray, full_window: bool = False,
                         stop: threading.Event | None = None) -> tuple[str, Confidence]:
        seconds = len(samples) / RATE
        audio = samples.astype(np.float32) / 32768.0
        if seconds < 1.0:  # whisper.cpp refuses clips under 1 s: pad with silence
            audio = np.concatenate([audio, np.zeros(RATE + RATE // 10 - len(audio), np.float32)])
        params = self.params(len(audio) / RATE)
        if full_window:
            params["audio_ctx"] = FULL_CTX
        text, sure = self._decode(audio, params, seconds, stop)
        if sure.looped and params["audio_ctx"] != FULL_CTX and not (stop and stop.is_set()):
            # whisper (trained on 30 s windows) loops into a short window's padding more
            # often than into the full one's: heard again there before she asks again. Only
            # when the two decodes agree on the words was the loop in the padding; when they
            # differ whisper was guessing, and the loop stands (she asks again)
            short, params["audio_ctx"] = params["audio_ctx"], FULL_CTX
            again = self._decode(audio, params, seconds, stop)
            agree = _same_words(text, again[0])
            log.debug("looped in the %d-position window; the full one %s", short,
                      "agrees" if agree else f"heard {again[0]!r}")
            if agree and not again[1].looped:
                return again
        return text, sure

    def _decode(self, audio: np.ndarray, params: dict[str, Any], seconds: float,
                stop: threading.Event | None) -> tuple[str, Confidence]:
        model = self._models[params["audio_ctx"]]
        _call.stop = stop
        try:
            segments = model.transcribe(
                audio, abort_callback=stop.is_set if stop is not None else None, **params)
        except Exception as exc:
            raise AsrError("decode", f"whisper.cpp failed on a {seconds:.1f} s clip ({exc})",
                           "report this with `samantha doctor` output") from None
        finally:
            _call.stop = None
        raw = _NON_SPEECH.sub(" ", " ".join(s.text for s in segments)).replace("\ufffd", "")
        text = clean_transcript(raw)
        probs, language = token_probs(model._ctx)
        return text, Confidence(probs, language or self.language,
                                looped=len(text.split()) < len(raw.split()))

    def decode_in(self, samples: np.ndarray, audio_ctx: int) -> tuple[str, Confidence]:
        """One decode of ``samples`` (float, 16 kHz) in one loaded window, as a turn's call
        makes it but with no second try: what that window alone hears (bench.windows)."""
        seconds = len(samples) / RATE
        params = {**self.params(seconds), "audio_ctx": audio_ctx}
        return self.worker.call(self._decode, samples, params, seconds, None)

    def transcribe(self, chunk: AudioChunk, full_window: bool = False) -> Transcript:
        """Blocking transcription. ``full_window`` forces whisper's 30 s window (the naive way,
        for the benchmark's baseline)."""
        start = now_ns()
        text, sure = self.worker.call(self._transcribe_sync, chunk.samples, full_window)
        return Transcript(text, chunk.seconds, now_ns() - start, sure)

    async def transcribe_async(self, chunk: AudioChunk, full_window: bool = False) -> Transcript:
        """As ``transcribe``, off the event loop. Cancelled, a call not yet begun is never
        made and one under way stops at whisper.cpp's next check."""
        start = now_ns()
        stop = threading.Event()
        try:
            text, sure = await self.worker.run(self._transcribe_sync, chunk.samples,
                                               full_window, stop)
        except asyncio.CancelledError:
            stop.set()
            raise
        return Transcript(text, chunk.seconds, now_ns() - start, sure)

    def warm_up(self) -> None:
        """One pass per context on quiet noise, so the first real turn doesn't pay for setup."""
        noise = np.random.default_rng(0).normal(0, 30, RATE * 12).astype(np.int16)
        for seconds in (2, 8, 12):
            self.transcribe(AudioChunk(noise[: RATE * seconds]))

    def close(self) -> None:
        self.worker.close()
        self._models.clear()
