"""Progress lines on stderr for long work (loading models, warming up)."""

from __future__ import annotations

import sys


def say_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
