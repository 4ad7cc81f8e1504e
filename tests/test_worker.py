"""The one-thread-per-C-model worker: closing waits for its own thread, and only its own."""

from __future__ import annotations

import threading
import time

from samantha.inference.worker import Worker


def test_closing_one_worker_does_not_wait_for_another_of_the_same_name() -> None:
    # two whisper models in one process (a script comparing them): each has a worker "asr"
    busy, idle = Worker("asr"), Worker("asr")
    release = threading.Event()
    running = busy._ex.submit(release.wait, 10)
    idle.call(lambda: None)  # its thread exists
    try:
        start = time.monotonic()
        assert idle.close(timeout_s=5.0)
        assert time.monotonic() - start < 1.0  # it did not wait for the busy one
    finally:
        release.set()
        running.result()
        assert busy.close()


def test_close_waits_for_the_running_call_within_its_bound() -> None:
    worker = Worker("llm")
    release = threading.Event()
    worker._ex.submit(release.wait, 10)
    start = time.monotonic()
    assert not worker.close(timeout_s=0.2)  # still running: says so, waits no longer
    assert time.monotonic() - start < 2.0
    release.set()
