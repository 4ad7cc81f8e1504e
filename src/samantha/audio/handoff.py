"""A speaker that hands each chunk on at once (to memory, to a file, to a Wyoming client):
everything written counts as heard, there is nothing to stop and no echo to cancel. The
recording speaker of the tests and ``samantha serve``'s stream speaker share it."""

from __future__ import annotations

import numpy as np


class HandOffSpeaker:
    """The ``audio.protocols.Speaker`` surface, less ``write`` and ``drain``."""

    def __init__(self, rate: int = 22050) -> None:
        self.rate = rate
        self._written: dict[int, int] = {}

    def _handed(self, tag: int, samples: int) -> None:
        self._written[tag] = self._written.get(tag, 0) + samples

    def stop(self) -> None:
        return None  # what was handed on is no longer hers to stop

    def played(self, tag: int) -> tuple[int, int]:
        n = self._written.get(tag, 0)
        return n, n

    def forget(self) -> None:
        self._written.clear()

    def set_rate(self, rate: int) -> None:
        self.rate = rate

    def reference(self, n: int) -> np.ndarray:
        return np.zeros(n, np.int16)

    def close(self, timeout_s: float = 5.0) -> bool:
        return True
