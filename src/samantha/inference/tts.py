"""Speech synthesis: Piper (piper-tts on onnxruntime) behind its own worker thread.

One call makes one chunk of audio for one clause or sentence, at the voice's own rate; the
speaker edge converts it if the device needs another rate.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from samantha.errors import TtsError
from samantha.inference.speech_text import has_words, speakable
from samantha.inference.worker import Worker
from samantha.inference.worker_voice import WorkerVoice

log = logging.getLogger(__name__)

MAX_CHARS = 600
"""Longest text one call will speak; longer text is cut at a word boundary."""


class PiperVoice(WorkerVoice):
    """Owns one Piper voice on its own thread."""

    def __init__(self, model_path: Path, config_path: Path | None = None, threads: int = 1,
                 length_scale: float | None = None) -> None:
        self.model_path = Path(model_path)
        self.config_path = Path(config_path) if config_path else Path(str(model_path) + ".json")
        self.threads = threads
        self.length_scale = length_scale
        self.worker = Worker("tts")
        self._voice: Any = None
        self.rate = 22050
        self.worker.call(self._load)

    def _load(self) -> None:
        import onnxruntime
        from piper.config import PiperConfig
        from piper.phonemize_espeak import ESPEAK_DATA_DIR
        from piper.voice import PiperVoice as Piper

        try:
            config = json.loads(self.config_path.read_text(encoding="utf-8"))
            self.rate = int(config["audio"]["sample_rate"])
            opts = onnxruntime.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                str(self.model_path), sess_options=opts, providers=["CPUExecutionProvider"])
            # Built directly (not PiperVoice.load) so the model is loaded once, with our threads;
            # download_dir is never used by English voices and points at the model's folder.
            self._voice = Piper(config=PiperConfig.from_dict(config), session=session,
                                     espeak_data_dir=Path(ESPEAK_DATA_DIR),
                                     download_dir=self.model_path.parent)
        except (OSError, ValueError, KeyError) as exc:
            raise TtsError("load", f"Piper could not load {self.model_path.name} ({exc})",
                           "run `samantha models verify` and re-provision the voice") from None
        except Exception as exc:  # onnxruntime raises its own exception types
            raise TtsError("load", f"onnxruntime could not load {self.model_path.name} "
                           f"({type(exc).__name__}: {exc})",
                           "run `samantha models verify` and re-provision the voice") from None

    def _synth_sync(self, text: str, pace: float = 1.0) -> np.ndarray:
        from piper import SynthesisConfig

        clean = speakable(text)[:MAX_CHARS]
        if not has_words(clean):
            return np.zeros(0, dtype=np.int16)
        scale = self.length_scale
        if pace != 1.0:  # slower or faster than her usual pace
            scale = (scale or self._voice.config.length_scale) * pace
        cfg = SynthesisConfig(length_scale=scale)
        try:
            parts = [c.audio_int16_array for c in self._voice.synthesize(clean, syn_config=cfg)]
        except Exception as exc:
            raise TtsError("synth", f"Piper failed on {clean[:40]!r} ({exc})",
                           "report the text that caused it") from None
        return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, np.int16)

    def warm_up(self) -> None:
        self.synthesize("Hello.")

    def close(self) -> None:
        self.worker.close()
        self._voice = None
