"""Samantha: an on-device voice companion. Nothing she hears, thinks or says leaves the box."""

import os as _os

# whisper.cpp and llama.cpp each bring an OpenMP runtime. With the default (active) wait policy
# their idle threads spin, and on a 2-core board one engine's spinners starve the other's
# workers: whisper was seen going from 0.15 s to 7-10 s per clip. Must be set before they load.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# onnxruntime (Piper's voice, the wake model) carries Microsoft's 1DS telemetry client in its Linux
# wheels (1.31.1 does, 1.22.1 did not): it starts an uploader thread that looks up
# mobile.events.data.microsoft.com and keeps a device id and an event queue in
# ~/.cache/Microsoft/DeveloperTools/.onnxruntime/. disable_telemetry_events() does not stop it.
# Its documented switch (onnxruntime/Privacy.md) does, read when onnxruntime initialises:
# forced, not defaulted, so an inherited ORT_DISABLE_TELEMETRY=0 cannot turn it back on.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
