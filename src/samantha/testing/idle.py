"""When is the loop idle? For the simulated room on a scripted clock (``clock.StreamClock``):
time moves only once nothing but the room can move, so what the turn loop does between two
chunks of audio does not depend on how busy the machine is.

Idle means no callback is ready to run and no worker thread is running or about to run a job
(a thread's result comes back as a ready callback). asyncio and ``concurrent.futures`` have no
public way to ask either, so this reads their bookkeeping: a test aid, never used in the
pipeline. A thread busy past ``patience_s`` is waited for no longer (a hung job would otherwise
hang the room, as would a task that never rests); the room then goes on.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from concurrent.futures import thread as pool

_RUN = ("run", pool.__file__)  # a pool thread inside this frame is doing a job


def threads_busy() -> bool:
    """A pool thread is running a job, or a job is queued for a live pool thread."""
    me = threading.get_ident()
    for ident, frame in sys._current_frames().items():
        f = frame if ident != me else None
        while f is not None:
            if (f.f_code.co_name, f.f_code.co_filename) == _RUN:
                return True
            f = f.f_back
    queues = list(pool._threads_queues.items())
    return any(t.is_alive() and q.qsize() for t, q in queues)


def ready(loop: asyncio.AbstractEventLoop) -> int:
    """Callbacks ready to run on ``loop`` (asyncio's own run queue)."""
    return len(loop._ready)  # type: ignore[attr-defined]


async def settle(patience_s: float = 30.0) -> None:
    """Return once the loop is idle: every task waits on the room, the clock or nothing (or
    after ``patience_s``, should something never rest)."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + patience_s
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:  # twice: a thread's result may land
        if threads_busy():                              # between the two looks
            quiet = 0
            await asyncio.sleep(0.0005)  # give the thread the core, rather than spin
            continue
        await asyncio.sleep(0)
        quiet = quiet + 1 if not ready(loop) else 0
