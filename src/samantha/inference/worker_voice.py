"""What every voice on a worker thread shares: the blocking and the async call around its own
``_synth_sync``, and the close. Piper (``tts.PiperVoice``) and espeak-ng's Korean
(``espeak_voice.EspeakVoice``) differ only in how they make the samples."""

from __future__ import annotations

import numpy as np

from samantha.audio.chunk import AudioChunk
from samantha.clock import now_ns
from samantha.inference.worker import Worker


class WorkerVoice:
    worker: Worker
    rate: int

    def _synth_sync(self, text: str, pace: float = 1.0) -> np.ndarray:
        raise NotImplementedError

    def synthesize(self, text: str) -> AudioChunk:
        """Speak ``text`` (blocking). Unspeakable text gives an empty chunk, never an error."""
        samples = self.worker.call(self._synth_sync, text)
        return AudioChunk(samples, self.rate, 1, now_ns())

    async def synthesize_async(self, text: str, pace: float = 1.0) -> AudioChunk:
        """``pace`` above 1.0 speaks more slowly (a gentler reply when they seem low)."""
        samples = await self.worker.run(self._synth_sync, text, pace)
        return AudioChunk(samples, self.rate, 1, now_ns())
