"""One thread per C model.

whisper.cpp, llama.cpp and Piper are blocking C calls that are not safe to share between threads.
Each engine owns a ``Worker``: a single-thread executor. Streaming generators are pulled one item
at a time *inside* that thread, never iterated on the event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

log = logging.getLogger(__name__)
T = TypeVar("T")
_DONE = object()
_NUMBERS = itertools.count(1)


class Worker:
    """A named single-thread executor that owns one C model."""

    def __init__(self, name: str) -> None:
        self.name = name
        # numbered, so close() waits for this worker's thread and not another one of the same
        # name (two whisper models in one process: the closing one waited out the other's life)
        self._prefix = f"samantha-{name}-{next(_NUMBERS)}"
        self._ex = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._prefix)
        self._closed = False

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the worker thread and wait (for synchronous callers)."""
        return self._ex.submit(fn, *args).result()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the worker thread without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._ex, fn, *args)

    async def stream(self, make: Callable[[], Generator[T, None, None]]
                     ) -> AsyncGenerator[T, None]:
        """Create a generator on the worker thread and pull it one item at a time there.

        If the consumer stops early (cancellation, barge-in), the generator is closed on the
        worker thread too, so the C call below it unwinds in the thread that owns it.
        """
        gen = await self.run(make)
        try:
            while True:
                item = await self.run(next, gen, _DONE)
                if item is _DONE:
                    return
                yield cast(T, item)
        finally:
            # Close the generator on its own thread and wait for it, even when this task is
            # being cancelled: nothing of the turn may outlive it (the close waits, at most,
            # for the one C call in flight, e.g. a single token).
            try:
                closing = asyncio.get_running_loop().run_in_executor(self._ex, gen.close)
            except RuntimeError:  # executor already shut down
                closing = None
            while closing is not None and not closing.done():
                try:
                    await asyncio.shield(closing)
                except asyncio.CancelledError:
                    continue

    def close(self, timeout_s: float = 5.0) -> bool:
        """Stop accepting work and wait (bounded) for the running call. True if it finished."""
        if self._closed:
            return True
        self._closed = True
        self._ex.shutdown(wait=False, cancel_futures=True)
        threads = [t for t in threading.enumerate() if t.name.startswith(f"{self._prefix}_")]
        for t in threads:
            t.join(timeout_s)
        alive = any(t.is_alive() for t in threads)
        if alive:
            log.warning("worker %s did not stop within %.1f s", self.name, timeout_s)
        return not alive
