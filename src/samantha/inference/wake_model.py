"""An openWakeWord-style wake model on onnxruntime (``wake.mode = "model"``).

openWakeWord's layout: ``melspectrogram.onnx`` and ``embedding_model.onnx`` (shared feature
models) beside the wake word's own classifier ``.onnx``. Audio → 32-band mel frames (every
10 ms) → 96-d embeddings over 76-frame windows (every 80 ms) → the classifier scores the last
16 embeddings. No model ships with Samantha; installing one is the owner's choice.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np

from samantha.errors import ConfigError


class WakeModel:
    def __init__(self, path: Path, threshold: float = 0.5) -> None:
        import onnxruntime

        folder = path.parent
        parts = {"mel": folder / "melspectrogram.onnx", "embed": folder / "embedding_model.onnx"}
        missing = [str(p) for p in parts.values() if not p.is_file()]
        if missing:
            raise ConfigError("wake-model-parts", f"the wake model needs {', '.join(missing)}",
                              "copy openWakeWord's feature models next to the wake model")
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1
        cpu = ["CPUExecutionProvider"]
        self.mel = onnxruntime.InferenceSession(str(parts["mel"]), opts, providers=cpu)
        self.embed = onnxruntime.InferenceSession(str(parts["embed"]), opts, providers=cpu)
        self.clf = onnxruntime.InferenceSession(str(path), opts, providers=cpu)
        self.threshold = threshold
        self._audio = np.zeros(0, np.float32)
        self._mels: deque[np.ndarray] = deque(maxlen=76 + 8 * 16)
        self._embeddings: deque[np.ndarray] = deque(maxlen=16)

    def score(self, samples: np.ndarray) -> float:
        """Feed 16 kHz int16 audio; returns the latest wake score (0 until enough audio)."""
        self._audio = np.concatenate([self._audio, samples.astype(np.float32)])
        best = 0.0
        while len(self._audio) >= 1280:  # 80 ms steps, as openWakeWord does
            block, self._audio = self._audio[:1280 + 480], self._audio[1280:]
            mel = self.mel.run(None, {self.mel.get_inputs()[0].name: block[None, :]})[0]
            for frame in np.squeeze(mel, axis=(0, 1)) / 10.0 + 2.0:
                self._mels.append(frame)
            if len(self._mels) >= 76:
                window = np.array(list(self._mels)[-76:], np.float32)[None, :, :, None]
                emb = self.embed.run(None, {self.embed.get_inputs()[0].name: window})[0]
                self._embeddings.append(emb.reshape(-1))
            if len(self._embeddings) == 16:
                feats = np.array(self._embeddings, np.float32)[None]
                out = self.clf.run(None, {self.clf.get_inputs()[0].name: feats})[0]
                best = max(best, float(np.asarray(out).reshape(-1)[0]))
        return best

    def woke(self, samples: np.ndarray) -> bool:
        return self.score(samples) >= self.threshold
