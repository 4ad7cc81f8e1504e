"""Samantha: an on-device voice companion. Nothing she hears, thinks or says leaves the box."""

import os as _os

# whisper.cpp and llama.cpp each bring an OpenMP runtime. With the default (active) wait policy
# their idle threads spin, and on a 2-core board one engine's spinners starve the other's
# workers: whisper was seen going from 0.15 s to 7-10 s per clip. Must be set before they load.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
