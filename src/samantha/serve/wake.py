"""The ``wake`` service: microWakeWord's stock models (``inference.wake_model``) as Wyoming wake
word detection, for Home Assistant and for her own satellites.

A client sends ``detect`` (``names``: which models; none means ``[wake] model``), then
``audio-start`` and ``audio-chunk``…; she answers ``detection`` (the model's name and the
timestamp of the chunk it fired in) each time a word is heard, and ``not-detected`` at
``audio-stop`` when none was. An unknown name is a protocol error that lists the stock models.

Each connection has its own detectors (a streaming model keeps state between chunks), and every
detector runs on one shared worker thread (``serve-wake``), one call at a time: the C library
is never called from the event loop. A connection waits until its chunk has been heard before
it reads the next event, so each has at most one call queued: the queue is bounded by the
number of connections, and a client that sends faster than real time only slows itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from pathlib import Path

import numpy as np
from wyoming.event import Event
from wyoming.info import Attribution, WakeModel, WakeProgram

from samantha import __version__
from samantha.config import WakeConfig
from samantha.inference.wake_model import RATE, STOCK, WakeWord
from samantha.inference.worker import Worker
from samantha.serve.protocol import ProtocolError

log = logging.getLogger(__name__)
_SERVICES = itertools.count(1)
_MWW = Attribution(name="microWakeWord (Kevin Ahrendt)",
                   url="https://github.com/kahrendt/microWakeWord")


def stock_models() -> dict[str, tuple[str, list[str]]]:
    """Each stock model's phrase and trained languages, read from pymicro-wakeword's JSON (no
    model is loaded); empty when the package is missing."""
    try:
        import pymicro_wakeword
    except ImportError:
        return {}
    folder = Path(pymicro_wakeword.__file__).parent / "models"
    out: dict[str, tuple[str, list[str]]] = {}
    for name in STOCK:
        try:
            meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out[name] = (str(meta.get("wake_word") or name.replace("_", " ").title()),
                     [str(lang) for lang in meta.get("trained_languages") or ["en"]])
    return out


def program() -> list[WakeProgram]:
    """``info``'s ``wake`` list: one program with the stock models, each installed."""
    models = stock_models()
    if not models:
        return []
    return [WakeProgram(
        name="samantha-wake", description="Samantha's wake words (microWakeWord, on this device)",
        attribution=_MWW, installed=True, version=__version__,
        models=[WakeModel(name=name, description=phrase, phrase=phrase, attribution=_MWW,
                          installed=True, version=None, languages=langs)
                for name, (phrase, langs) in models.items()])]


def default_name(cfg: WakeConfig) -> str:
    return cfg.model if cfg.model in STOCK else STOCK[0]


def names_of(event: Event, cfg: WakeConfig) -> tuple[str, ...]:
    """The models a ``detect`` asks for, checked."""
    raw = event.data.get("names")
    if raw is None or raw == []:
        return (default_name(cfg),)
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise ProtocolError("malformed", "detect's 'names' is not a list of model names",
                            f"send names such as [\"{STOCK[0]}\"], or none")
    for name in raw:
        if name not in STOCK:
            raise ProtocolError("unknown-wake-word", f"there is no wake model named {name[:40]!r}",
                                f"ask for one of {', '.join(STOCK)} (describe lists them)")
    return tuple(dict.fromkeys(raw))


class WakeService:
    """The household's wake word worker: one thread for every connection's detectors."""

    def __init__(self, cfg: WakeConfig) -> None:
        self.cfg = cfg
        self._worker: Worker | None = None

    @property
    def worker(self) -> Worker:
        if self._worker is None:  # a name of its own: Worker.close waits on threads by name
            self._worker = Worker(f"serve-wake{next(_SERVICES)}-")
        return self._worker

    def _load(self, names: tuple[str, ...]) -> list[WakeWord]:
        out: list[WakeWord] = []
        try:
            for name in names:
                threshold = self.cfg.threshold if name == self.cfg.model else 0.0
                out.append(WakeWord(name, threshold, self.cfg.refractory_s))
        except BaseException:
            for word in out:
                word.close()
            raise
        return out

    async def open(self, names: tuple[str, ...]) -> WakeStream:
        """Fresh detectors for ``names`` (loaded on the worker)."""
        return WakeStream(self, names, await self.worker.run(self._load, names))

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


class WakeStream:
    """One connection's (or satellite's) detectors and stream clock."""

    def __init__(self, service: WakeService, names: tuple[str, ...],
                 words: list[WakeWord]) -> None:
        self.service, self.names, self._words = service, names, words
        self.fed = 0
        """Samples heard since ``begin``."""
        self.detected = False
        self.phrases = {w.name: w.phrase for w in words}

    @property
    def position_s(self) -> float:
        return self.fed / RATE

    async def begin(self) -> None:
        """A new audio stream: forget what was heard, restart the clock."""
        self.fed, self.detected = 0, False
        await self.service.worker.run(self._reset)

    def _reset(self) -> None:
        for word in self._words:
            word.reset()

    async def feed(self, samples: np.ndarray) -> list[str]:
        """Hear 16 kHz mono int16 audio on the worker; the names of the words that fired."""
        fired: list[str] = await self.service.worker.run(self._feed, samples)
        self.fed += len(samples)
        if fired:
            self.detected = True
            log.info("wake word %s heard at %.2f s", ", ".join(fired), self.position_s)
        return fired

    def _feed(self, samples: np.ndarray) -> list[str]:
        return [w.name for w in self._words if w.feed(samples) is not None]

    async def close(self) -> None:
        words, self._words = self._words, []
        if not words:
            return
        try:
            await asyncio.shield(self.service.worker.run(_close_all, words))
        except RuntimeError:  # the worker is already shut down
            log.debug("wake detectors closed with the worker")


def _close_all(words: list[WakeWord]) -> None:
    for word in words:
        word.close()
