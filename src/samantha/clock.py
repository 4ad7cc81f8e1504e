"""Time for latency: ``time.perf_counter_ns()``, never the wall clock (a Pi without a clock
battery jumps at boot). Calendar time for reminders is passed in as a callable, so tests script
it."""

from __future__ import annotations

import time


def now_ns() -> int:
    return time.perf_counter_ns()
