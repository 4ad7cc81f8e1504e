"""Each engine's OpenMP runtime waits its own way: llama.cpp's spins briefly, whisper.cpp's not.

libgomp prints the settings it read (OMP_DISPLAY_ENV=VERBOSE) when it is loaded, once per
runtime: the real libraries say what they got."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from samantha.inference.openmp import SPIN_VAR, server_env

LOAD_BOTH = """
import os, samantha
from samantha.inference.asr import import_whisper
import_whisper()
import _pywhispercpp  # whisper.cpp's own libgomp, loaded with the process's environment
from samantha.inference.openmp import import_llama
import_llama({spin})
print("left:", os.environ.get("GOMP_SPINCOUNT"))
"""


def spins_read(spin: int, extra: dict[str, str] | None = None) -> tuple[list[str], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    env.update(OMP_DISPLAY_ENV="VERBOSE", **(extra or {}))
    out = subprocess.run([sys.executable, "-c", LOAD_BOTH.format(spin=spin)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout + out.stderr
    return re.findall(r"GOMP_SPINCOUNT = '(\d+)'", text), text


def test_llama_spins_and_whisper_sleeps() -> None:
    spins, text = spins_read(300000)
    assert spins == ["0", "300000"], text  # whisper.cpp's runtime first, then llama.cpp's
    assert "OMP_WAIT_POLICY = 'PASSIVE'" in text
    assert "left: None" in text  # the setting does not leak into the rest of the process


def test_zero_keeps_llama_passive_and_the_owner_wins() -> None:
    assert spins_read(0)[0] == ["0", "0"]
    assert spins_read(300000, {"GOMP_SPINCOUNT": "5000"})[0] == ["5000", "5000"]


def test_llama_server_gets_the_same_spin() -> None:
    assert server_env(300000, {"PATH": "/bin"}) == {"PATH": "/bin", SPIN_VAR: "300000"}
    assert server_env(0, {"PATH": "/bin"}) == {"PATH": "/bin"}
    assert server_env(300000, {SPIN_VAR: "7"})[SPIN_VAR] == "7"
