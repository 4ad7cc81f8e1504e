"""The checks behind ``samantha doctor``: each returns a Check with a fix for every failure.

Every path a check reads is an argument, so tests can point it at files of their own.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samantha.config import Config
from samantha.errors import DeviceError, ModelError
from samantha.models import store as modelstore

log = logging.getLogger(__name__)
OK, WARN, FAIL = "ok", "warn", "FAIL"
OVERHEAD_BYTES = 400 * 2**20
"""Python, onnxruntime and the compute buffers, measured at ~1.2 GB RSS with 630 MB of models."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def audio_device(cfg: Config, want_input: bool, pa: Any = None) -> Check:
    from samantha.audio.devices import find_device, open_pyaudio

    name = "capture" if want_input else "playback"
    wanted = cfg.audio.input_device if want_input else cfg.audio.output_device
    try:
        pa = pa or open_pyaudio()
        info = find_device(pa, wanted, want_input)
    except DeviceError as err:
        return Check(name, FAIL, err.message, err.fix)
    rate = int(info.get("defaultSampleRate", 0))
    return Check(name, OK, f"{info['name']} (default {rate} Hz"
                 f"{', asked ' + str(cfg.audio.input_rate) + ' Hz' if want_input else ''})")


def models(cfg: Config, models_dir: Path | None = None) -> list[Check]:
    out = []
    for role, model in (("asr", cfg.asr.model), ("llm", cfg.llm.model), ("tts", cfg.tts.voice)):
        try:
            entry = modelstore.get(model)
            paths = modelstore.verify(entry, models_dir)
        except ModelError as err:
            out.append(Check(f"model {role}", FAIL, err.message, err.fix))
            continue
        size = sum(p.stat().st_size for p in paths)
        out.append(Check(f"model {role}", OK, f"{model}: verified ({size / 2**20:.0f} MiB)"))
    return out


def cpu_features(cpuinfo: Path = Path("/proc/cpuinfo"), machine: str | None = None) -> Check:
    arch = (machine or platform.machine()).lower()
    try:
        flags = set(cpuinfo.read_text(errors="replace").replace(":", " ").split())
    except OSError:
        return Check("cpu", WARN, f"cannot read {cpuinfo}", "run doctor outside the sandbox")
    if arch in ("x86_64", "amd64"):
        have: list[str] = [f for f in ("avx2", "fma", "f16c") if f in flags]
        if "avx2" not in flags:
            return Check("cpu", FAIL, f"{arch} without AVX2 (has: {', '.join(have) or 'none'})",
                         'rebuild llama.cpp without AVX2: make setup LLAMA_CMAKE_ARGS='
                         '"-DGGML_NATIVE=ON -DLLAMA_CURL=OFF"')
        return Check("cpu", OK, f"{arch}: {', '.join(have)} ({os.cpu_count()} cores)")
    if arch in ("aarch64", "arm64") or arch.startswith("arm"):
        have = [f for f in ("neon", "asimd", "asimddp", "fphp", "i8mm") if f in flags]
        if not {"neon", "asimd"} & flags:
            return Check("cpu", FAIL, f"{arch} without NEON",
                         "use a board with NEON (Pi 4 or later)")
        return Check("cpu", OK, f"{arch}: {', '.join(have)} ({os.cpu_count()} cores)")
    return Check("cpu", WARN, f"{arch}: untested architecture", "use x86-64 with AVX2 or arm64")


def _meminfo(path: Path) -> dict[str, int]:
    out = {}
    for line in path.read_text().splitlines():
        key, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            out[key] = int(rest.split()[0]) * 1024
    return out


def memory(cfg: Config, meminfo: Path = Path("/proc/meminfo"),
           cgroup_max: Path = Path("/sys/fs/cgroup/memory.max")) -> Check:
    need = OVERHEAD_BYTES
    for model in (cfg.asr.model, cfg.llm.model, cfg.tts.voice):
        try:
            need += int(modelstore.get(model).size * 1.3)
        except ModelError:
            pass
    try:
        info = _meminfo(meminfo)
    except OSError:
        return Check("memory", WARN, f"cannot read {meminfo}", "run doctor outside the sandbox")
    total, avail = info.get("MemTotal", 0), info.get("MemAvailable", 0)
    limit = ""
    try:
        raw = cgroup_max.read_text().strip()
        if raw.isdigit():
            total, limit = min(total, int(raw)), f", cgroup limit {int(raw) / 2**30:.1f} GiB"
    except OSError:
        pass
    gib = 2**30
    detail = (f"needs ~{need / gib:.1f} GiB; {avail / gib:.1f} of {total / gib:.1f} GiB "
              f"available{limit}")
    if total < need:
        return Check("memory", FAIL, detail, "choose smaller models in [llm] model / [asr] model "
                     "(e.g. smollm2-135m-instruct-q4_1) or raise MemoryMax")
    if avail < need:
        return Check("memory", WARN, detail, "stop other programs, or choose smaller models")
    return Check("memory", OK, detail)


def temperature(thermal: Path = Path("/sys/class/thermal"),
                vcgencmd: str | None = None) -> Check:
    temps = []
    for zone in sorted(thermal.glob("thermal_zone*")):
        try:
            temps.append(int((zone / "temp").read_text().strip()) / 1000)
        except (OSError, ValueError):
            continue
    hottest = max(temps) if temps else None
    detail = f"{hottest:.1f} °C" if hottest is not None else "no thermal sensor"
    tool = vcgencmd if vcgencmd is not None else shutil.which("vcgencmd")
    throttled = 0
    if tool:
        try:
            out = subprocess.run([tool, "get_throttled"], capture_output=True, text=True,
                                 timeout=5).stdout.strip()
            throttled = int(out.partition("=")[2], 16)
            detail += f", {out}"
        except (OSError, ValueError, subprocess.TimeoutExpired):
            detail += ", vcgencmd failed"
    if throttled & 0x1 or throttled & 0x10000:
        return Check("temperature", WARN, detail + " (under-voltage)",
                     "use the official 27 W (Pi 5) or 15 W (Pi 4) power supply")
    if throttled & 0x6 or throttled & 0x60000 or (hottest or 0) >= 80:
        return Check("temperature", WARN, detail + " (throttling)",
                     "add a heatsink and fan (the Pi 5 Active Cooler)")
    return Check("temperature", OK, detail)


def gpu(cfg: Config) -> Check | None:
    if cfg.system.gpu_layers <= 0:
        return None
    try:
        import llama_cpp

        offload = bool(llama_cpp.llama_supports_gpu_offload())
    except (ImportError, AttributeError) as exc:
        return Check("gpu", WARN, f"cannot ask llama.cpp ({exc})", "run `make setup`")
    if not offload:
        return Check("gpu", FAIL, f"gpu_layers = {cfg.system.gpu_layers} but llama.cpp was "
                     "built without GPU offload", 'make setup LLAMA_CMAKE_ARGS="-DGGML_CUDA=on"')
    return Check("gpu", OK, f"llama.cpp offloads {cfg.system.gpu_layers} layers")


def memory_file(cfg: Config) -> Check:
    """Her memory file, read without changing anything: damaged, read-only, restored, or well
    (with its snapshots)."""
    try:
        return _memory_file(cfg)
    except OSError as exc:  # a state directory of another user (the service's, 0700)
        return Check("memory file", WARN, f"cannot look into {cfg.state_path} ({exc.strerror})",
                     "run doctor as the user she runs as (sudo -u samantha samantha doctor)")


def _memory_file(cfg: Config) -> Check:
    from samantha.companion import snapshot
    from samantha.companion.memory import FILE
    from samantha.companion.storage import not_a_dir

    if not cfg.memory.enabled:
        return Check("memory file", OK, "off ([memory] enabled = false)")
    state = cfg.state_path
    path = state / FILE
    misplaced = not_a_dir(state)
    if misplaced is not None:
        return Check("memory file", WARN, f"{misplaced.message}: she talks without memory",
                     misplaced.fix)
    if not path.is_file():
        return Check("memory file", OK, f"none yet in {state} (she creates it)")
    mode = state.stat().st_mode
    if not mode & stat.S_IWUSR:
        return Check("memory file", WARN, f"{state} is set read-only by its owner (mode "
                     f"{stat.S_IMODE(mode):o}): she reads her memory and saves nothing",
                     f"chmod 700 {state} if she should save again")
    problem = snapshot.check(path)
    if problem is not None and problem.code == "corrupt":
        return Check("memory file", WARN, f"{problem.message}: she talks without saving",
                     "stop her (sudo systemctl stop samantha), then "
                     f"samantha memory repair --state-dir {state}")
    if problem is not None:
        return Check("memory file", WARN, f"{problem.message}: she talks without saving",
                     problem.fix)
    kept = sorted(state.glob(f"{FILE}.damaged-*[0-9]"))
    taken = snapshot.snapshots(path)
    copies = (f"{len(taken)} snapshot(s), the newest {taken[-1].name}" if taken else
              "no snapshot yet")
    if kept:
        return Check("memory file", WARN, f"restored by `samantha memory repair`; the damaged "
                     f"file is kept as {kept[-1]}; {copies}", "check what she remembers "
                     f"(samantha memory list), then delete {kept[-1]} (it holds your words too)")
    return Check("memory file", OK, f"{path}: checks out; {copies}")
