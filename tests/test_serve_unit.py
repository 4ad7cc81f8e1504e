"""The second hardened unit, samantha-serve.service: `systemd-analyze verify` passes and
`security --offline=yes` scores <= 1.0, alone and with the address drop-in that
`samantha serve --unit-dropin` writes; IP is denied except to exactly those addresses."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

UNIT = REPO / "systemd" / "samantha-serve.service"
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed "
                                "(make system-deps installs the systemd package)")


def _dropin() -> str:
    proc = subprocess.run([sys.executable, "-m", "samantha", "serve", "--listen",
                           "tcp://0.0.0.0:10700", "--allow", "192.168.1.10", "--satellite",
                           "kitchen=tcp://192.168.1.31:10700", "--satellite",
                           "den=tcp://192.168.1.32:10700", "--unit-dropin"],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _unit_copy(tmp_path: Path, dropin: str = "") -> Path:
    binary = REPO / ".venv" / "bin" / "samantha"
    assert binary.exists(), "run make setup"
    text = UNIT.read_text().replace("/opt/samantha/venv/bin/samantha", str(binary))
    out = tmp_path / "samantha-serve.service"
    out.write_text(text + ("\n" + dropin if dropin else ""))
    return out


@pytest.mark.parametrize("with_dropin", [False, True], ids=["unit", "addresses"])
def test_serve_unit_verifies_and_scores_at_most_one(tmp_path: Path, with_dropin: bool) -> None:
    unit = _unit_copy(tmp_path, _dropin() if with_dropin else "")
    proc = subprocess.run([ANALYZE, "verify", "--man=no", "--generators=no", str(unit)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stderr.splitlines() if "samantha-serve" in line] == []
    proc = subprocess.run([ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    assert float(match.group(1)) <= 1.0, proc.stdout


def test_dropin_allows_exactly_the_configured_addresses() -> None:
    lines = [line for line in _dropin().splitlines() if "=" in line and not line.startswith("#")]
    assert lines == ["IPAddressAllow=", "IPAddressAllow=localhost 192.168.1.10 192.168.1.31 "
                     "192.168.1.32", "SocketBindAllow=", "SocketBindAllow=tcp:10700"]
    settings = dict(line.split("=", 1) for line in UNIT.read_text().splitlines()
                    if "=" in line and not line.startswith("#"))
    assert settings["IPAddressDeny"] == "any" and settings["SocketBindDeny"] == "any"
    assert settings["ExecStart"].endswith("samantha serve")
    assert settings["DevicePolicy"] == "closed" and settings["PrivateDevices"] == "yes"
