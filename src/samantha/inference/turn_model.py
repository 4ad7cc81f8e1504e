"""Semantic end of turn: Pipecat's Smart Turn v3.2 on onnxruntime (``[vad] turn_model``).

Is the person done, or only pausing mid-thought? The model hears the last 8 s of the utterance
(zero-padded in front when shorter) as Whisper's 80-band log-mel features (25 ms Hann windows
every 10 ms, the Slaney filterbank that ``models.convert`` computes for whisper.cpp, log10,
clamped to 8 decades under the peak, scaled to about [-1, 1]) and says P(turn complete). As in
pipecat's ``local_smart_turn_v3.py``: the waveform is normalised to zero mean and unit variance
first, and the last frame is dropped (800 frames). One model, one worker thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from samantha.errors import ModelError
from samantha.inference.worker import Worker
from samantha.models.convert import mel_filters

log = logging.getLogger(__name__)

RATE = 16000
WINDOW = 8 * RATE
N_FFT, HOP = 400, 160
_MELS = mel_filters(80).astype(np.float64)
_HANN = np.hanning(N_FFT + 1)[:-1]


def features(samples: np.ndarray) -> np.ndarray:
    """(80, 800) float32 log-mel features of the last 8 s of 16 kHz audio."""
    x = samples.astype(np.float32) / 32768.0
    x = x[-WINDOW:] if len(x) > WINDOW else np.pad(x, (WINDOW - len(x), 0))
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), (N_FFT // 2, N_FFT // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _HANN, axis=-1)) ** 2
    log_spec = np.log10(np.maximum(1e-10, _MELS @ power.T))[:, :-1]
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    out: np.ndarray = ((log_spec + 4.0) / 4.0).astype(np.float32)
    return out


class SmartTurn:
    """``complete(samples)``: has the person finished their turn? (P > ``threshold``)"""

    def __init__(self, path: Path, threads: int = 1, threshold: float = 0.5) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        try:
            self._session: Any = onnxruntime.InferenceSession(
                str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError("turn-load", f"onnxruntime could not load {path.name} ({exc})",
                             "run `samantha models provision smart-turn-v3.2`") from None
        self.threshold = threshold
        self.worker = Worker("turn")

    def probability(self, samples: np.ndarray) -> float:
        feats = features(samples)[None]
        out = self._session.run(None, {"input_features": feats})[0]
        return float(np.asarray(out).reshape(-1)[0])

    def complete(self, samples: np.ndarray) -> bool:
        return self.probability(samples) > self.threshold

    async def complete_async(self, samples: np.ndarray) -> bool:
        """On the model's own worker thread."""
        return bool(await self.worker.run(self.complete, samples))

    def warm_up(self) -> None:
        self.worker.call(self.complete, np.zeros(RATE, np.int16))

    def close(self) -> None:
        self.worker.close()
