"""An acoustic wake word on microWakeWord (``wake.mode = "model"``).

``pymicro-wakeword`` (Home Assistant's voice project) carries the stock models (``okay_nabu``,
``hey_jarvis``, ``hey_mycroft``, ``alexa``: small streaming tflite networks) and the TensorFlow
Lite C library that runs them; ``pymicro-features`` computes their 40-band front end every
10 ms. The detector keeps its own stream clock (samples fed / 16 000), so what it reports lines
up with the VAD segmenter fed the same audio. It is a C model: call it from its own worker.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from samantha.errors import ConfigError

log = logging.getLogger(__name__)

RATE = 16000
STOCK = ("okay_nabu", "hey_jarvis", "hey_mycroft", "alexa")
"""The stock models inside pymicro-wakeword's wheel."""


def _config_path(model: str) -> Path:
    """A stock model's JSON inside the installed package, or the user's microWakeWord JSON."""
    if model in STOCK:
        try:
            import pymicro_wakeword
        except ImportError:
            raise ConfigError("wake-package", "wake.mode is 'model' but pymicro-wakeword is not "
                              "installed", "run `make setup` (pymicro-wakeword is pinned in "
                              "requirements.lock)") from None
        return Path(pymicro_wakeword.__file__).parent / "models" / f"{model}.json"
    path = Path(model).expanduser()
    if path.suffix != ".json" or not path.is_file():
        raise ConfigError("wake-model", f"wake model {model!r} is neither a stock model nor a "
                          "microWakeWord .json file",
                          f"set [wake] model to one of {', '.join(STOCK)}, or to the path of a "
                          "microWakeWord model's .json (its .tflite beside it)")
    return path


class WakeWord:
    """Streaming detector: ``feed`` 16 kHz int16 audio, get the stream second it fired at."""

    def __init__(self, model: str = "okay_nabu", threshold: float = 0.0,
                 refractory_s: float = 2.0) -> None:
        config = _config_path(model)
        try:
            from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures

            self._model: Any = MicroWakeWord.from_config(config)
            self._features: Any = MicroWakeWordFeatures()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ConfigError("wake-model", f"the wake model {config.name} could not be loaded "
                              f"({exc})", "reinstall pymicro-wakeword with `make setup`, or "
                              "check the model's .json and .tflite") from None
        self.source = model
        """What it was made from (a stock name or a .json path)."""
        meta = json.loads(config.read_text(encoding="utf-8"))
        self.name = Path(meta["model"]).stem
        self.phrase: str = meta["wake_word"]
        """What the wake word says ("Okay Nabu")."""
        self.threshold = threshold or float(self._model.probability_cutoff)
        self.refractory_s = refractory_s
        self._fed = 0
        self._last_s = float("-inf")
        self.best = 0.0
        """The highest score seen since the last ``reset`` (for the bench and for tuning)."""
        self.trace: list[tuple[float, float]] | None = None
        """When a list: every score, as (stream second, score), is appended (the bench)."""

    @property
    def position_s(self) -> float:
        return self._fed / RATE

    def feed(self, samples: np.ndarray) -> float | None:
        """Add audio; the stream second (end of this audio) the word was heard at, or None.
        Within ``refractory_s`` of a detection it does not fire again."""
        data = np.ascontiguousarray(samples, dtype=np.int16)
        self._fed += len(data)
        fired = None
        for features in self._features.process_streaming(data.tobytes()):
            prob = self._model.process_streaming_prob(features) or 0.0
            self.best = max(self.best, prob)
            if self.trace is not None:
                self.trace.append((self.position_s, prob))
            if prob > self.threshold and self.position_s - self._last_s >= self.refractory_s:
                self._last_s = fired = self.position_s
                log.debug("wake word %s heard (%.2f) at %.2f s", self.name, prob, fired)
        return fired

    def reset(self) -> None:
        """Forget the audio heard so far (the stream clock runs on)."""
        self._model.reset()
        self._features.reset()
        self.best = 0.0

    def close(self) -> None:
        self._model.close()
