"""Nothing leaves, from any entry point: every system call of every thread and child process,
C libraries included, under ``strace -f`` in a network namespace with no interfaces.

Each run fails on a ``socket()`` of a family other than AF_UNIX/AF_NETLINK, a ``connect``,
``bind`` or send to a network address, and a file written, renamed, removed or made outside her
state directory and the output asked for (``samantha.appliance.egress``, which ``samantha doctor``
runs too). The controls show the probe sees what it must: a child that phones home, and
onnxruntime's own telemetry store when its switch is off.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, fixture, run_cli, silent, words
from samantha.appliance import egress
from samantha.audio.chunk import read_wav

QUESTION = REPO / "src" / "samantha" / "data" / "question.wav"


def _strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.fail("strace is not installed: `make setup` installs it (APT_PACKAGES)")
    return path


def _netns() -> list[str]:
    prefix = egress.netns_prefix()
    if prefix is None:
        pytest.skip("cannot create a network namespace here (needs root or user namespaces)")
    return prefix


def _places(tmp: Path) -> dict[str, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    places = {name: tmp / name for name in ("home", "tmp", "state", "out", "cwd")}
    for path in places.values():
        path.mkdir(exist_ok=True)
    (tmp / "empty.toml").write_text("")
    return places


# onnxruntime switches its telemetry off by itself where one of these says it runs in CI (the
# names are in libonnxruntime.so; `CI=true` alone is enough). On an owner's box none is set, so
# every run here drops them: the control sees what an owner's box does, and so does her run.
CI_MARKERS = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL",
              "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR",
              "BITBUCKET_BUILD_NUMBER")


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """A HOME and a working directory she may not write to, a private TMPDIR that must be left
    empty, an inherited ORT_DISABLE_TELEMETRY=0 that must not turn the telemetry back on, and no
    sign of a CI run (which would switch the telemetry off without her)."""
    p = _places(tmp)
    env = dict(os.environ, HOME=str(p["home"]), TMPDIR=str(p["tmp"]),
               STATE_DIRECTORY=str(p["state"]), SAMANTHA_CONFIG=str(tmp / "empty.toml"),
               PYTHONDONTWRITEBYTECODE="1", ORT_DISABLE_TELEMETRY="0", SAMANTHA_LOG="info")
    for name in ("NOTIFY_SOCKET", *CI_MARKERS):
        env.pop(name, None)
    env.update(extra)
    return env


def _audit(tmp: Path, allowed: list[Path]) -> egress.Egress:
    with (tmp / "trace").open(errors="replace") as lines:
        return egress.audit(lines, allowed, tmp / "cwd", [tmp / "tmp"])


def _traced(tmp: Path, argv: list[str], allowed: list[Path], timeout: float = 600,
            **env: str) -> tuple[subprocess.CompletedProcess[str], egress.Egress]:
    cmd = [*_netns(), *egress.command(argv, tmp / "trace", _strace())]
    proc = subprocess.run(cmd, env=_env(tmp, **env), cwd=tmp / "cwd", capture_output=True,
                          text=True, timeout=timeout)
    return proc, _audit(tmp, allowed)


def _assert_clean(found: egress.Egress, stderr: str) -> None:
    assert found.calls > 100, stderr  # strace saw the run
    assert not found.sockets, found.sockets
    assert not found.addressed, found.addressed
    assert not found.writes, found.writes
    assert found.clean


# --- the probe reads strace's lines right ---------------------------------------------------

def test_audit_reads_split_calls_descriptors_and_transient_files() -> None:
    trace = [
        '10 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3<UNIX-STREAM:[1]>',
        '10 socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 4<NETLINK:[2]>',
        '11 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP <unfinished ...>',
        '10 openat(AT_FDCWD</w>, "/s/mem.db", O_RDWR|O_CREAT|O_CLOEXEC, 0600) = 5</s/mem.db>',
        '11 <... socket resumed>) = 13<UDP:[3]>',
        # a send with no address, on a socket connected to a DNS server
        '11 sendto(13<UDP:[1.2.3.4:5->10.0.0.53:53]>, "r\\7\\1", 50, MSG_NOSIGNAL, NULL, 0) = 50',
        '10 openat(AT_FDCWD</w>, "/usr/lib/x.so", O_RDONLY|O_CLOEXEC) = 6</usr/lib/x.so>',
        '10 openat(AT_FDCWD</w>, "/dev/null", O_RDWR) = 7</dev/null>',
        '10 openat(AT_FDCWD</w>, "rel/x", O_WRONLY|O_CREAT, 0644) = -1 ENOENT (No such file)',
        '10 openat(AT_FDCWD</w>, "/t/cc1.o", O_RDWR|O_CREAT|O_EXCL, 0600) = 8</t/cc1.o>',
        '10 unlink("/t/cc1.o") = 0',
        '10 openat(AT_FDCWD</w>, "/t/.ses", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 8</t/.ses>',
        '10 mkdir("cache", 0700) = 0',
        '10 rename("/s/mem.db.part", "/s/mem.db") = 0',
        '10 +++ exited with 0 +++',
    ]
    found = egress.audit(trace, ["/s"], "/elsewhere", ["/t"])
    assert found.calls == 13
    assert [s.split(",")[0] for s in found.sockets] == ["socket(AF_INET"]
    assert len(found.addressed) == 1 and found.lookups == 1
    # the relative mkdir resolves against the process's own directory, from AT_FDCWD</w>
    assert found.writes == ('mkdir("cache", 0700) = 0',
                            'openat(AT_FDCWD</w>, "/t/.ses", O_WRONLY|O_CREAT|O_TRUNC, 0666) '
                            '= 8</t/.ses> (left behind)')
    assert not found.clean
    assert "1 network sockets" in found.summary() and "(1 DNS)" in found.summary()


def test_a_trace_with_no_calls_is_not_clean() -> None:
    assert not egress.audit([], ["/s"], "/").clean


def test_the_probe_catches_a_child_that_phones_home(tmp_path: Path) -> None:
    """A control: the probe, run for real, sees C-level sockets, sends and stray files."""
    script = ("import os, socket, tempfile\n"
              "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              "try:\n    s.sendto(b'q', ('192.0.2.1', 53))\nexcept OSError:\n    pass\n"
              "open(os.path.join(os.environ['HOME'], 'id'), 'w').write('1')\n"
              "open(os.path.join(os.environ['STATE_DIRECTORY'], 'ok'), 'w').write('1')\n"
              "with tempfile.NamedTemporaryFile():\n    pass\n"
              "tempfile.mkstemp()\n")
    proc, found = _traced(tmp_path, [sys.executable, "-c", script], [tmp_path / "state"],
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(found.sockets) == 1 and "AF_INET" in found.sockets[0]
    assert len(found.addressed) == 1 and found.lookups == 1
    assert len(found.writes) == 2, found.writes  # HOME/id, and the temporary file left behind
    assert "/home/id" in found.writes[0] and found.writes[1].endswith("(left behind)")


@pytest.mark.slow
def test_onnxruntime_telemetry_is_seen_without_the_switch_and_gone_with_it(
        tmp_path: Path, models_ready) -> None:  # type: ignore[no-untyped-def]
    """onnxruntime alone keeps its telemetry store in $HOME; imported through samantha (which
    forces ORT_DISABLE_TELEMETRY=1, even over an inherited 0) it writes nothing."""
    from samantha.config import Config
    from samantha.models import store as modelstore

    voice = modelstore.path_for(Config().tts.voice)
    session = ("import onnxruntime\n"
               f"onnxruntime.InferenceSession({str(voice)!r}, "
               "providers=['CPUExecutionProvider'])\n")
    bare, control = _traced(tmp_path / "bare", [sys.executable, "-c", session], [], timeout=120)
    assert bare.returncode == 0, bare.stderr
    assert any(".onnxruntime" in w for w in control.writes), (
        "onnxruntime no longer writes its telemetry store without ORT_DISABLE_TELEMETRY: if the "
        f"pinned version dropped the client, this control is obsolete ({control.summary()})")
    ours, found = _traced(tmp_path / "ours", [sys.executable, "-c", "import samantha\n" + session],
                          [], timeout=120)
    assert ours.returncode == 0, ours.stderr
    _assert_clean(found, ours.stderr)


# --- every entry point, for real ------------------------------------------------------------

@pytest.mark.slow
def test_a_spoken_turn_sends_nothing_and_writes_only_its_reply(
        tmp_path: Path, models_ready) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / "reply.wav"
    _places(tmp_path)
    proc, found = _traced(tmp_path, [sys.executable, "-m", "samantha", "demo", "--fast", "--json",
                                     "--in", str(fixture("turn_on_the_living_room_lamp.wav")),
                                     "--out", str(out)],
                          [tmp_path / "state", out, Path(f"{out}.part")])
    assert proc.returncode == 0, proc.stderr
    assert "lamp" in words(json.loads(proc.stdout)["transcript"])
    assert not silent(read_wav(out))
    assert "network guard refused" not in proc.stderr  # no urllib3 probe at start any more
    _assert_clean(found, proc.stderr)
    assert not any((tmp_path / "tmp").iterdir())


@pytest.mark.slow
def test_a_typed_turn_sends_nothing_and_writes_only_her_memory(
        tmp_path: Path, models_ready) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    proc, found = _traced(tmp_path, [sys.executable, "-m", "samantha", "chat", "--json",
                                     "--once", "What is a good name for a cat?",
                                     "--state-dir", str(state)], [state])
    assert proc.returncode == 0, proc.stderr
    assert len(words(json.loads(proc.stdout)["reply"])) >= 2
    _assert_clean(found, proc.stderr)
    assert any(state.iterdir())  # her memory is where it should be


@pytest.mark.slow
def test_the_daemon_sends_nothing_and_writes_only_her_memory(
        tmp_path: Path, models_ready) -> None:  # type: ignore[no-untyped-def]
    reply = tmp_path / "out" / "reply.wav"
    _places(tmp_path)
    env = _env(tmp_path, SAMANTHA_TEST_MIC_WAV=str(QUESTION), SAMANTHA_TEST_SPEAKER_WAV=str(reply))
    cmd = [*_netns(), *egress.command([sys.executable, "-m", "samantha", "run"],
                                      tmp_path / "trace", _strace())]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path / "cwd", stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")),
                              daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if any("turn end_of_speech" in line for line in lines):
                time.sleep(2.0)  # let the reply play into the recorder
                break
            time.sleep(0.2)
        assert proc.poll() is None, "".join(lines)
        assert any("turn end_of_speech" in line for line in lines), "".join(lines)
        # SIGTERM to her, not to strace: her ordered shutdown is traced too
        daemon = egress.children(proc.pid)
        assert len(daemon) == 1, daemon
        os.kill(daemon[0], signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(5)
    stderr = "".join(lines)
    assert proc.returncode == 0, stderr
    assert "stopped" in stderr and "Traceback" not in stderr
    assert not silent(read_wav(reply))
    found = _audit(tmp_path, [tmp_path / "state", reply, Path(f"{reply}.part")])
    _assert_clean(found, stderr)
    assert not any((tmp_path / "tmp").iterdir())


# --- samantha doctor runs the same probe ----------------------------------------------------

def test_doctor_says_how_to_install_strace_when_it_is_missing() -> None:
    check = egress.check(strace="")
    assert check.status == "warn" and "not probed" in check.detail
    assert "apt-get install -y strace" in check.fix


def test_doctor_fails_a_probe_that_phones_home(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _strace()
    leak = "import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()\n"
    monkeypatch.setattr(egress, "_probe_runs",
                        lambda _config, _state: [("a leak", [sys.executable, "-c", leak])])
    check = egress.check()
    assert check.status == "FAIL", check
    assert check.detail.startswith("a leak: 1 network sockets") and "AF_INET6" in check.detail
    assert "systemd unit" in check.fix


@pytest.mark.slow
def test_doctor_reports_no_c_level_egress(models_ready) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["egress"]["status"] == "ok", checks["egress"]
    assert "strace -f of a typed turn and a synthesis" in checks["egress"]["detail"]
