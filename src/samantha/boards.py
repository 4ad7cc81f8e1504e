"""Which board she runs on, so the right profile (``data/boards/<board>.toml``) is merged under
the user's config.

A Raspberry Pi names itself in the device tree, a Jetson has /etc/nv_tegra_release, anything
else is an x86-64 box or a generic arm64 one. ``$SAMANTHA_BOARD`` forces a board. The paths are
arguments so tests can point them at files of their own.
"""

from __future__ import annotations

import logging
import os
import platform
from pathlib import Path

log = logging.getLogger(__name__)

DEVICE_TREE_MODEL = Path("/proc/device-tree/model")
TEGRA_RELEASE = Path("/etc/nv_tegra_release")


def _read(path: Path) -> str:
    try:
        return path.read_bytes().replace(b"\0", b"").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def detect(model_path: Path = DEVICE_TREE_MODEL, tegra_path: Path = TEGRA_RELEASE,
           machine: str | None = None) -> str:
    """The board's profile name: rpi5, rpi4, jetson-orin-nano, x86 or arm64."""
    forced = os.environ.get("SAMANTHA_BOARD", "").strip()
    if forced:
        return forced
    model = _read(model_path)
    if "Raspberry Pi 5" in model:
        return "rpi5"
    if "Raspberry Pi 4" in model or "Raspberry Pi Compute Module 4" in model:
        return "rpi4"
    if tegra_path.exists() or "Orin" in model or "Jetson" in model:
        return "jetson-orin-nano"
    arch = (machine or platform.machine()).lower()
    if arch in ("x86_64", "amd64"):
        return "x86"
    if model:
        log.info("unknown board %r: using the generic profile for %s", model, arch)
    return "arm64" if arch in ("aarch64", "arm64") else arch


def describe(model_path: Path = DEVICE_TREE_MODEL) -> str:
    """The board's own name where it gives one (for `samantha doctor`)."""
    return _read(model_path) or platform.machine()
