"""`make install` / `make uninstall`, staged into a temporary root (DESTDIR): the layout, the
modes, the verified read-only models, the enabled unit, the board's drop-in; and uninstall keeps
her memory unless PURGE=1. (The venv itself is pip's work and is made only in a real install.)"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow  # builds the wheel and stages whole installs: seconds each
INSTALL = REPO / "systemd" / "install.sh"
UNINSTALL = REPO / "systemd" / "uninstall.sh"
SMALL = '[llm]\nmodel = "smollm2-135m-instruct-q4_1"\n'  # a small model keeps the copy quick


def _run(script: Path, root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, DESTDIR=str(root), SKIP_VENV="1", **env)
    full.pop("SAMANTHA_CONFIG", None)
    return subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=300,
                          env=full, cwd=REPO)


@pytest.fixture
def root(tmp_path: Path, models_ready) -> Path:  # type: ignore[no-untyped-def]
    if os.geteuid() != 0:
        pytest.skip("install stages root-owned, read-only files: run as root")
    if shutil.which("systemctl") is None:
        pytest.skip("systemctl is not installed (the systemd package)")
    root = tmp_path / "root"
    (root / "etc" / "samantha").mkdir(parents=True)
    (root / "etc" / "samantha" / "samantha.toml").write_text(SMALL)
    return root


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_install_lays_out_the_appliance(root: Path) -> None:
    proc = _run(INSTALL, root, BOARD="rpi5")
    assert proc.returncode == 0, proc.stderr
    app = root / "opt" / "samantha"
    for rel in ("device/asound.conf", "models/manifest.toml", "requirements.lock",
                "systemd/samantha.service"):
        assert (app / rel).is_file(), rel
    assert not (app / "src").exists() and not (app / "device" / "image").exists()
    # the package is a wheel (installed into the venv): code, board profiles and the manifest
    wheel, = (app / "wheels").glob("samantha-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        assert whl.read("samantha/data/manifest.toml") == (REPO / "models" / "manifest.toml") \
            .read_bytes()
    for member in ("samantha/pipeline/loop.py", "samantha/data/boards/rpi5.toml",
                   "samantha/data/question.wav", "samantha/testing/fakes.py"):
        assert member in names, member
    assert not list(app.rglob("__pycache__"))
    # the board's models (from the user's config over the profile), verified, read-only
    assert "smollm2-135m-instruct-q4_1: verified" in proc.stdout
    gguf = app / "models" / "llm" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert _mode(gguf) == 0o444 and gguf.stat().st_uid == 0
    assert _mode(gguf.parent) == 0o555
    assert not (app / "models" / "llm" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").exists()
    assert (app / "models" / "asr").is_dir() and (app / "models" / "tts").is_dir()
    # the config is the user's, kept
    assert (root / "etc" / "samantha" / "samantha.toml").read_text() == SMALL
    # the unit, the board's memory limits, enabled for multi-user.target
    unit = root / "etc" / "systemd" / "system" / "samantha.service"
    assert unit.read_text() == (REPO / "systemd" / "samantha.service").read_text()
    assert _mode(unit) == 0o644
    dropin = unit.parent / "samantha.service.d" / "board.conf"
    assert "MemoryMax=3G" in dropin.read_text()
    wants = unit.parent / "multi-user.target.wants" / "samantha.service"
    assert wants.is_symlink() and os.readlink(wants) == "/etc/systemd/system/samantha.service"
    # ALSA sharing for the headless board
    assert (root / "etc" / "asound.conf").read_text() == (REPO / "device" / "asound.conf") \
        .read_text()


def test_reinstall_keeps_config_and_a_users_asound_conf(root: Path) -> None:
    (root / "etc" / "asound.conf").write_text("# mine\n")
    assert _run(INSTALL, root, BOARD="rpi4").returncode == 0
    proc = _run(INSTALL, root, BOARD="rpi4")
    assert proc.returncode == 0, proc.stderr
    assert (root / "etc" / "asound.conf").read_text() == "# mine\n"
    dropin = root / "etc/systemd/system/samantha.service.d/board.conf"
    assert "MemoryMax=1500M" in dropin.read_text()


def test_uninstall_keeps_her_memory_unless_purged(root: Path) -> None:
    assert _run(INSTALL, root, BOARD="x86").returncode == 0
    memory = root / "var" / "lib" / "private" / "samantha"
    memory.mkdir(parents=True)
    (memory / "memory.sqlite3").write_bytes(b"her memories")
    (root / "var" / "lib" / "samantha").symlink_to("private/samantha")
    proc = _run(UNINSTALL, root)
    assert proc.returncode == 0, proc.stderr
    assert not (root / "opt" / "samantha").exists()
    assert not (root / "etc" / "samantha").exists()
    assert not (root / "etc" / "systemd" / "system" / "samantha.service").exists()
    assert not (root / "etc/systemd/system/multi-user.target.wants/samantha.service").exists()
    assert (root / "var/lib/samantha/memory.sqlite3").read_bytes() == b"her memories"
    assert "memory is kept" in proc.stdout
    proc = _run(UNINSTALL, root, PURGE="1")
    assert proc.returncode == 0, proc.stderr
    assert not memory.exists() and not (root / "var" / "lib" / "samantha").is_symlink()


def test_install_refuses_a_corrupt_model(root: Path, tmp_path: Path) -> None:
    from samantha.models import store as modelstore
    models = tmp_path / "models"
    for name in ("whisper-tiny.en", "smollm2-135m-instruct-q4_1", "en_US-joe-medium"):
        for f in modelstore.get(name).files:
            (models / f.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(modelstore.models_dir() / f.path, models / f.path)
    gguf = models / "llm" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    data = bytearray(gguf.read_bytes())
    data[2_000_000] ^= 0x55
    gguf.write_bytes(bytes(data))
    proc = _run(INSTALL, root, BOARD="x86", MODELS_FROM=str(models))
    assert proc.returncode != 0
    assert "corrupt" in proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("install error: a model failed")
    assert not (root / "etc" / "systemd" / "system" / "samantha.service").exists()
