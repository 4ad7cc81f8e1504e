"""How each engine's OpenMP threads wait: llama.cpp may spin briefly, whisper.cpp sleeps at once.

whisper.cpp (pywhispercpp's wheel bundles its own ``libgomp-*.so``) and llama.cpp (built here
against the system ``libgomp.so.1``) each carry an OpenMP runtime, and each reads its settings
from the environment once, when it is loaded. ``samantha/__init__`` sets
``OMP_WAIT_POLICY=PASSIVE`` for both: with the active policy idle workers spin for minutes and, on
a 2-core board, whisper went from 0.15 s to 7-10 s per clip while llama.cpp's threads spun.

But passive workers sleep at every barrier inside a token's graph (hundreds per token), and
llama.cpp then decodes at about two thirds of its speed (docs/bench.md, "Threads"). libgomp's
``GOMP_SPINCOUNT`` bounds the spin: a worker spins that many iterations (roughly 100,000 per
millisecond) before it sleeps, and with the passive policy it does not spin at all when a team
has more threads than the machine has cores. With ``[llm] omp_spin`` above 0, llama.cpp's runtime
is loaded with that bounded spin and whisper.cpp's stays passive: its threads never spin while the
language model decodes, and the language model's stop spinning within a few milliseconds of its
last token. The spin is short by default (1000 iterations, ~10 us): about as fast as a long one
on a quiet box (~30 % faster than none), while a long spin (300,000, libgomp's own 3 ms) made a
worker wait for one that another process had descheduled, and decoding collapsed beside busy
work (0.34 tokens/s beside the test suite, against ~5 passive; docs/bench.md, "Threads").

The two runtimes are separate libraries, so the setting can differ per engine: the value is put in
the environment only while llama.cpp is imported (``import_llama``), which the engines do on the
loading thread after whisper.cpp's runtime has read its own (``inference.engines``). A process
that had llama.cpp loaded already keeps what it had; a ``GOMP_SPINCOUNT`` the owner set in the
environment wins over the config.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
SPIN_VAR = "GOMP_SPINCOUNT"


def import_llama(spin: int) -> Any:
    """The ``llama_cpp`` module, its OpenMP runtime initialised with a spin of ``spin``
    iterations (0: the passive policy alone)."""
    with _lock:
        if "llama_cpp" in sys.modules:
            return sys.modules["llama_cpp"]
        if spin <= 0 or SPIN_VAR in os.environ:
            import llama_cpp

            return llama_cpp
        os.environ[SPIN_VAR] = str(spin)
        try:
            import llama_cpp
        finally:
            del os.environ[SPIN_VAR]
        log.debug("llama.cpp's OpenMP threads spin %d iterations before they sleep", spin)
        return llama_cpp


def server_env(spin: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a llama-server child process: the same bounded spin."""
    env = dict(os.environ if base is None else base)
    if spin > 0 and SPIN_VAR not in env:
        env[SPIN_VAR] = str(spin)
    return env
