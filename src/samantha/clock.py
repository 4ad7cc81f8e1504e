"""Time for latency: ``time.perf_counter_ns()``, never the wall clock (a Pi without a clock
battery jumps at boot). Calendar time for reminders is passed in as a callable, so tests script
it.

A simulated room may install a ``StreamClock`` instead: then ``now_ns`` and ``sleep`` are the
room's time, which moves only when the room moves it, once the loop has nothing left to do. The
fast tests then run the same way on a busy machine as on a quiet one.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Iterator


class StreamClock:
    """Scripted time: it stands still until ``move_to`` moves it; ``sleep`` waits for it."""

    def __init__(self, start_ns: int = 1_000_000_000) -> None:
        self.ns = start_ns
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # sleepers due at one instant wake in the order they slept

    def now_ns(self) -> int:
        return self.ns

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.ns + int(seconds * 1e9), next(self._order), woken))
        await woken

    def next_due(self) -> int | None:
        """When the earliest sleeper still waiting is due (None: nobody sleeps)."""
        while self._sleepers and self._sleepers[0][2].done():  # cancelled meanwhile
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None

    def wake_next(self, until_ns: int) -> bool:
        """Move to the earliest sleeper due by ``until_ns`` and wake every sleeper due then;
        False if none is due by then."""
        due = self.next_due()
        if due is None or due > until_ns:
            return False
        self.ns = max(self.ns, due)
        while self._sleepers and self._sleepers[0][0] <= self.ns:
            woken = heapq.heappop(self._sleepers)[2]
            if not woken.done():
                woken.set_result(None)
        return True

    def move_to(self, ns: int) -> None:
        self.ns = max(self.ns, ns)

    def release(self) -> None:
        """The room is over: wake every sleeper (they find the real clock back)."""
        for _, _, woken in self._sleepers:
            if not woken.done():
                woken.set_result(None)
        self._sleepers.clear()


_scripted: StreamClock | None = None


def now_ns() -> int:
    return _scripted.ns if _scripted is not None else time.perf_counter_ns()


async def sleep(seconds: float) -> None:
    """``asyncio.sleep``, on the scripted clock while one is installed."""
    if _scripted is None:
        await asyncio.sleep(seconds)
    else:
        await _scripted.sleep(seconds)


@contextlib.contextmanager
def scripted(clock: StreamClock) -> Iterator[StreamClock]:
    """Install ``clock`` as the time of ``now_ns`` and ``sleep`` for the block."""
    global _scripted
    before, _scripted = _scripted, clock
    try:
        yield clock
    finally:
        _scripted = before
        clock.release()
