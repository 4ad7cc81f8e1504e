"""`samantha doctor`: the real command here (no sound card: it cannot run, and says how to fix
it), and each check on files of the test's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from samantha.appliance import checks as doctor_checks
from samantha.appliance.checks import FAIL, OK, WARN
from samantha.cli import doctor
from samantha.config import Config, LlmConfig


def _has_sound_card() -> bool:
    return any(Path("/dev/snd").glob("pcmC*")) if Path("/dev/snd").is_dir() else False


@pytest.mark.slow
def test_doctor_json_here(models_ready) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("doctor", "--json")
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert {"board", "capture", "playback", "model asr", "model llm", "model tts", "cpu",
            "memory", "temperature", "network guard", "sandbox"} <= set(checks)
    for c in report["checks"]:
        assert c["status"] in (OK, WARN, FAIL)
        if c["status"] != OK:
            assert c["fix"], c  # a fix for every failure
    assert checks["model llm"]["status"] == OK and "verified" in checks["model llm"]["detail"]
    assert checks["network guard"]["status"] == OK
    assert checks["cpu"]["status"] == OK
    if not _has_sound_card():
        assert proc.returncode == 1 and report["can_run"] is False
        assert checks["capture"]["status"] == FAIL
        assert "samantha demo" in checks["capture"]["fix"]


@pytest.mark.slow
def test_doctor_table_has_a_fix_under_every_failure(models_ready) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("doctor")
    lines = proc.stdout.splitlines()
    for i, line in enumerate(lines):
        if "  FAIL  " in line or "  warn  " in line:
            assert lines[i + 1].strip().startswith("fix: "), line
    assert lines[-1].startswith("she can") or lines[-1].startswith("she cannot")


@pytest.mark.parametrize("machine, flags, status", [
    ("x86_64", "fpu sse2 avx avx2 fma f16c", OK),
    ("x86_64", "fpu sse2 avx", FAIL),
    ("aarch64", "fp asimd evtstrm crc32 asimddp", OK),
    ("armv7l", "half thumb vfp", FAIL),
])
def test_cpu_features(tmp_path: Path, machine: str, flags: str, status: str) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\nFeatures\t: {flags}\n")
    check = doctor_checks.cpu_features(cpuinfo, machine)
    assert check.status == status
    assert check.status == OK or check.fix


def test_memory_against_the_models(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  1000000 kB\nMemAvailable: 800000 kB\n")  # a 1 GB board
    check = doctor_checks.memory(Config(), meminfo, tmp_path / "no-cgroup")
    assert check.status == FAIL and "smollm2" in check.fix
    meminfo.write_text("MemTotal:  8000000 kB\nMemAvailable: 7000000 kB\n")
    assert doctor_checks.memory(Config(), meminfo, tmp_path / "none").status == OK
    limit = tmp_path / "memory.max"
    limit.write_text(str(512 * 2**20))  # the unit's MemoryMax is what counts
    check = doctor_checks.memory(Config(), meminfo, limit)
    assert check.status == FAIL and "cgroup limit 0.5 GiB" in check.detail
    small = Config(llm=LlmConfig(model="smollm2-135m-instruct-q4_1"))
    meminfo.write_text("MemTotal:  1000000 kB\nMemAvailable: 900000 kB\n")
    assert doctor_checks.memory(small, meminfo, tmp_path / "none").status == OK


def _vcgencmd(tmp_path: Path, value: str) -> str:
    tool = tmp_path / "vcgencmd"
    tool.write_text(f"#!/bin/sh\necho throttled={value}\n")
    tool.chmod(0o755)
    return str(tool)


def test_temperature_and_throttling_on_a_pi(tmp_path: Path) -> None:
    zone = tmp_path / "thermal_zone0"
    zone.mkdir()
    (zone / "temp").write_text("54321\n")
    check = doctor_checks.temperature(tmp_path, _vcgencmd(tmp_path, "0x0"))
    assert check.status == OK and "54.3 °C" in check.detail and "throttled=0x0" in check.detail
    check = doctor_checks.temperature(tmp_path, _vcgencmd(tmp_path, "0x50005"))
    assert check.status == WARN and "under-voltage" in check.detail and "power supply" in check.fix
    (zone / "temp").write_text("84000\n")
    check = doctor_checks.temperature(tmp_path, _vcgencmd(tmp_path, "0x0"))
    assert check.status == WARN and "throttling" in check.detail and "fan" in check.fix
    assert doctor_checks.temperature(tmp_path / "none", "").detail == "no thermal sensor"


def test_sandbox_check_reads_the_installed_unit(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import REPO

    monkeypatch.delenv("INVOCATION_ID", raising=False)
    unit = tmp_path / "samantha.service"
    unit.write_text((REPO / "systemd" / "samantha.service").read_text())
    assert doctor.sandbox_check((unit,)).status == OK
    unit.write_text(unit.read_text().replace("PrivateNetwork=yes", "PrivateNetwork=no"))
    check = doctor.sandbox_check((unit,))
    assert check.status == FAIL and "PrivateNetwork=yes" in check.detail
    assert doctor.sandbox_check((tmp_path / "absent",)).status == WARN


def test_sandbox_check_under_systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVOCATION_ID", "0123")
    net = tmp_path / "dev"
    head = "Inter-|   Receive\n face |bytes    packets\n"
    net.write_text(head + "    lo:       0       0    0    0\n")
    status = tmp_path / "status"
    status.write_text("Name:\tsamantha\nNoNewPrivs:\t1\nSeccomp:\t2\n")
    check = doctor.sandbox_check((), net, status)
    assert check.status == OK and "interfaces lo" in check.detail
    net.write_text(head + "    lo: 0 0\n  eth0: 9 9\n")
    assert doctor.sandbox_check((), net, status).status == FAIL
