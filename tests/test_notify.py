"""sd_notify over a real AF_UNIX datagram socket, and the watchdog's rate limit on a scripted
clock."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from samantha.appliance.notify import Watchdog, notify, watchdog_interval_s


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _receive(sock: socket.socket) -> list[str]:
    out = []
    sock.settimeout(0.05)
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except TimeoutError:
            return out


@pytest.fixture
def listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    yield sock
    sock.close()


def test_notify_sends_one_datagram(listener: socket.socket) -> None:
    assert notify("READY=1", "STATUS=listening")
    assert _receive(listener) == ["READY=1\nSTATUS=listening"]


def test_abstract_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"samantha-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    try:
        assert notify("WATCHDOG=1")
        assert _receive(sock) == ["WATCHDOG=1"]
    finally:
        sock.close()


def test_without_systemd_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert notify("READY=1") is False
    dog = Watchdog()
    dog()
    assert dog.every_s is None and dog.sent == 0


def test_a_vanished_socket_is_a_warning_not_a_crash(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert notify("READY=1") is False


def test_watchdog_pings_at_a_third_of_watchdogsec(listener: socket.socket,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert watchdog_interval_s() == 30.0
    clock = Clock()
    dog = Watchdog(clock=clock)
    assert dog.every_s == 10.0
    for _ in range(50):      # fifty chunks in the same instant: one ping
        dog()
    clock.now += 9.9
    dog()
    clock.now += 0.2
    dog()
    assert _receive(listener) == ["WATCHDOG=1", "WATCHDOG=1"]
    assert dog.sent == 2


def test_watchdog_for_another_pid_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert watchdog_interval_s() is None
