"""Board detection and profiles: the right profile is found, it holds only known settings, and
the user's config overrides any key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conftest import REPO
from samantha import boards, config
from samantha.config import board_profile
from samantha.errors import ConfigError

PROFILES = ("rpi5", "rpi4", "jetson-orin-nano", "x86")


@pytest.fixture(autouse=True)
def _no_forced_board(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMANTHA_BOARD", raising=False)


@pytest.mark.parametrize("model, machine, tegra, expected", [
    (b"Raspberry Pi 5 Model B Rev 1.0\0", "aarch64", False, "rpi5"),
    (b"Raspberry Pi 4 Model B Rev 1.4\0", "aarch64", False, "rpi4"),
    (b"Raspberry Pi Compute Module 4 Rev 1.0\0", "aarch64", False, "rpi4"),
    (b"NVIDIA Jetson Orin Nano Developer Kit\0", "aarch64", True, "jetson-orin-nano"),
    (None, "aarch64", True, "jetson-orin-nano"),
    (None, "x86_64", False, "x86"),
    (b"Pine64 RockPro64\0", "aarch64", False, "arm64"),
])
def test_detect(tmp_path: Path, model: bytes | None, machine: str, tegra: bool,
                expected: str) -> None:
    model_path, tegra_path = tmp_path / "model", tmp_path / "nv_tegra_release"
    if model is not None:
        model_path.write_bytes(model)
    if tegra:
        tegra_path.write_text("# R36 (release), REVISION: 4.0\n")
    assert boards.detect(model_path, tegra_path, machine) == expected


def test_forced_board_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_BOARD", "rpi4")
    assert boards.detect(tmp_path / "none", tmp_path / "none", "x86_64") == "rpi4"


@pytest.mark.parametrize("board", PROFILES)
def test_profile_holds_known_settings_and_alsa_names(board: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    raw = tomllib.loads(board_profile(board).read_text())
    assert set(raw) <= {"asr", "llm", "tts", "vad", "audio", "persona", "system"}
    for key in ("threads",):
        assert key in raw["asr"] and key in raw["llm"] and key in raw["tts"]
    assert {"model"} <= set(raw["llm"]) and "frames_per_buffer" in raw["audio"]
    cfg = config.load(board=board)  # every key is a known setting of the right type
    assert cfg.board == board
    for name in (cfg.audio.input_device, cfg.audio.output_device):
        assert not name.strip().isdigit(), "a device is chosen by name, never by index"
    names = {line.split()[0][4:] for line in (REPO / "device" / "asound.conf").read_text()
             .splitlines() if line.startswith("pcm.")}
    if cfg.audio.input_device:
        assert cfg.audio.input_device in names and cfg.audio.output_device in names


def test_jetson_offloads_to_the_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert config.load(board="jetson-orin-nano").system.gpu_layers > 0
    assert "-DGGML_CUDA=on" in board_profile("jetson-orin-nano").read_text()


def test_detected_board_applies_and_user_config_wins(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "samantha.toml"
    user.write_text('[llm]\nthreads = 1\n[audio]\ninput_device = "USB PnP"\n')
    monkeypatch.setenv("SAMANTHA_CONFIG", str(user))
    monkeypatch.setenv("SAMANTHA_BOARD", "rpi5")
    cfg = config.load()  # board=None: detected
    assert cfg.board == "rpi5"
    assert cfg.llm.threads == 1 and cfg.audio.input_device == "USB PnP"   # the user's
    assert cfg.asr.threads == 4 and cfg.audio.input_rate == 48000         # the profile's
    assert config.load(board="").board == ""                              # no profile


def test_unknown_system_key_is_one_clear_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "samantha.toml"
    user.write_text("[system]\ngpu_layer = 4\n")
    monkeypatch.setenv("SAMANTHA_CONFIG", str(user))
    with pytest.raises(ConfigError, match="system.gpu_layer.*gpu_layers"):
        config.load(board="")


ALSA_OPEN = r"""
import ctypes, sys
lib = ctypes.CDLL("libasound.so.2")
lib.snd_strerror.restype = ctypes.c_char_p
pcm = ctypes.c_void_p()
for name, stream in (("samantha_capture", 1), ("samantha_playback", 0), ("no_such_pcm", 0)):
    rc = lib.snd_pcm_open(ctypes.byref(pcm), name.encode(), stream, 0)
    print(name, rc, lib.snd_strerror(rc).decode(), flush=True)
"""


def test_asound_conf_is_read_by_alsa(tmp_path: Path) -> None:
    """alsa-lib parses device/asound.conf and resolves her PCMs down to the card, by its name."""
    import ctypes.util
    import subprocess
    import sys

    if ctypes.util.find_library("asound") is None or not Path("/usr/share/alsa/alsa.conf").exists():
        pytest.skip("alsa-lib is not installed (portaudio19-dev brings it)")
    combined = tmp_path / "alsa.conf"
    combined.write_text(f"</usr/share/alsa/alsa.conf>\n<{REPO / 'device' / 'asound.conf'}>\n")
    proc = subprocess.run([sys.executable, "-c", ALSA_OPEN], capture_output=True, text=True,
                          timeout=30, env={"ALSA_CONFIG_PATH": str(combined)})
    assert proc.returncode == 0, proc.stderr
    # her PCMs are known; opening them fails only at the card (there is none here), by name
    assert "Unknown PCM samantha_capture" not in proc.stderr
    assert "Unknown PCM samantha_playback" not in proc.stderr
    assert "Cannot get card index for Device" in proc.stderr
    assert "Unknown PCM no_such_pcm" in proc.stderr  # the control: an undefined PCM is unknown
