"""The systemd unit: `systemd-analyze verify` passes and `security --offline=yes` scores <= 1.0,
for the unit alone and with each board's drop-in."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

UNIT = REPO / "systemd" / "samantha.service"
BOARDS = sorted((REPO / "systemd" / "boards").glob("*.conf"))
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed "
                                "(make system-deps installs the systemd package)")


def _unit_copy(tmp_path: Path, dropin: Path | None = None) -> Path:
    """The unit with ExecStart pointing at this checkout's real binary (verify needs it to exist),
    with a board's drop-in appended as systemd would merge it."""
    binary = REPO / ".venv" / "bin" / "samantha"
    assert binary.exists(), "run make setup"
    text = UNIT.read_text().replace("/opt/samantha/venv/bin/samantha", str(binary))
    if dropin is not None:
        text += "\n" + dropin.read_text()
    out = tmp_path / "samantha.service"
    out.write_text(text)
    return out


def _exposure(unit: Path) -> float:
    proc = subprocess.run([ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
                          capture_output=True, text=True, timeout=60, cwd=unit.parent)
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    return float(match.group(1))


@pytest.mark.parametrize("dropin", [None, *BOARDS], ids=["unit", *(b.stem for b in BOARDS)])
def test_unit_verifies(tmp_path: Path, dropin: Path | None) -> None:
    unit = _unit_copy(tmp_path, dropin)
    proc = subprocess.run([ANALYZE, "verify", "--man=no", "--generators=no", str(unit)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    noise = [line for line in proc.stderr.splitlines() if "samantha.service" in line]
    assert noise == [], proc.stderr


@pytest.mark.parametrize("dropin", [None, *BOARDS], ids=["unit", *(b.stem for b in BOARDS)])
def test_exposure_is_at_most_one(tmp_path: Path, dropin: Path | None) -> None:
    assert _exposure(_unit_copy(tmp_path, dropin)) <= 1.0


def test_unit_bans_the_network_and_keeps_her_memory() -> None:
    settings = dict(line.split("=", 1) for line in UNIT.read_text().splitlines()
                    if "=" in line and not line.startswith("#"))
    assert settings["Type"] == "notify"
    assert settings["PrivateNetwork"] == "yes"
    assert settings["IPAddressDeny"] == "any"
    assert settings["RestrictAddressFamilies"] == "AF_UNIX"
    assert settings["DevicePolicy"] == "closed" and settings["DeviceAllow"] == "char-alsa rw"
    assert settings["StateDirectory"] == "samantha"
    assert settings["SupplementaryGroups"] == "audio"
    assert int(settings["WatchdogSec"]) > 0 and settings["Restart"] == "on-failure"
    # the daemon's bounded shutdown waits fit in TimeoutStopSec
    from samantha.appliance import daemon
    budget = daemon.STOP_INPUT_S + 3 * daemon.DRAIN_S + daemon.FINISH_OUTPUT_S
    assert budget < int(settings["TimeoutStopSec"])
