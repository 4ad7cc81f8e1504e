"""What the bench ran on: board, CPU, cores, memory, copy bandwidth, temperature, throttling."""

from __future__ import annotations

import glob
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from samantha.boards import DEVICE_TREE_MODEL, TEGRA_RELEASE


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def copy_bandwidth_gbs(mb: int = 256, rounds: int = 3) -> float:
    """Memory bandwidth as numpy sees it: bytes read plus written per second, best of a few."""
    src = np.ones(mb * 1024 * 1024 // 8)
    dst = np.empty_like(src)
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = max(best, 2 * src.nbytes / (time.perf_counter() - start) / 1e9)
    return round(best, 1)


def thermal() -> dict[str, object]:
    out: dict[str, object] = {}
    for zone in sorted(glob.glob("/sys/class/thermal/thermal_zone*/temp")):
        try:
            out[Path(zone).parent.name] = int(Path(zone).read_text()) / 1000
        except (OSError, ValueError):
            continue
    if shutil.which("vcgencmd"):
        done = subprocess.run(["vcgencmd", "get_throttled"], capture_output=True, text=True,
                              check=False)
        out["throttled"] = done.stdout.strip()
    return out


def board_name(model_path: Path = DEVICE_TREE_MODEL, tegra_path: Path = TEGRA_RELEASE) -> str:
    """A Pi names itself in the device tree, a Jetson in nv_tegra_release; else the CPU."""
    try:
        model = model_path.read_bytes().replace(b"\0", b"").decode().strip()
        if model:
            return model
    except OSError:
        pass
    try:
        return "Jetson " + tegra_path.read_text().splitlines()[0].strip("# ").strip()
    except (OSError, IndexError):
        return cpu_model()


def machine() -> dict[str, object]:
    return {"board": board_name(), "cpu": cpu_model(), "cores": os.cpu_count(),
            "memory_gb": memory_gb(), "memory_bandwidth_gbs": copy_bandwidth_gbs(),
            "arch": platform.machine()}
