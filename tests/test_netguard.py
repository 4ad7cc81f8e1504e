"""The network guard: a refused, reported connection; and a whole spoken turn in a network
namespace with no interfaces."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, words

ATTEMPTS = r"""
import logging, socket, sys, urllib.request
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
from samantha.appliance import netguard
early = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # made before the guard was on
netguard.install()

def phone_home():
    return socket.create_connection(("192.0.2.1", 443), timeout=1)

def http():
    try:
        urllib.request.urlopen("http://example.org/", timeout=1)
    except urllib.error.URLError as exc:  # urllib wraps the refusal
        raise exc.reason

results = {}
for name, attempt in {
    "connect": phone_home,
    "lookup": lambda: socket.getaddrinfo("example.org", 443),
    "gethostbyname": lambda: socket.gethostbyname("example.org"),
    "udp": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
    "ipv6": lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM),
    "http": http,
    "early-connect": lambda: early.connect(("192.0.2.1", 443)),
    "sendto": lambda: early.sendto(b"x", ("192.0.2.1", 53)),
}.items():
    try:
        attempt()
        results[name] = "allowed"
    except netguard.NetworkRefused:
        results[name] = "refused"
a, b = socket.socketpair()          # AF_UNIX: how asyncio and sd_notify talk
a.sendall(b"hi"); results["unix"] = b.recv(2).decode()
results["count"] = netguard.refused_count()
import json; print(json.dumps(results))
"""


def test_connection_is_refused_and_reported() -> None:
    proc = subprocess.run([sys.executable, "-c", ATTEMPTS], capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    for name in ("connect", "lookup", "gethostbyname", "udp", "ipv6", "http", "early-connect",
                 "sendto"):
        assert results[name] == "refused", (name, results)
    assert results["unix"] == "hi"
    assert results["count"] >= 8
    refusals = [line for line in proc.stderr.splitlines() if "network guard refused" in line]
    assert len(refusals) == results["count"]
    # the log names who tried: the function, its module, its file and line
    assert any("(getaddrinfo '192.0.2.1') from __main__.phone_home (<string>:" in line
               for line in refusals)
    assert any("connect to ('192.0.2.1', 443) from __main__.<lambda>" in line
               for line in refusals)
    assert any("name look-up (getaddrinfo 'example.org')" in line for line in refusals)


def _netns_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed (util-linux)")
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    pytest.skip("cannot create a network namespace here (needs root or user namespaces)")


@pytest.mark.slow
def test_spoken_turn_in_a_namespace_with_no_network(tmp_path, models_ready) -> None:  # type: ignore[no-untyped-def]
    script = ("tail -n +3 /proc/net/dev | cut -d: -f1; echo ---; "
              f"exec {sys.executable} -m samantha demo --fast --json --out {tmp_path}/reply.wav")
    proc = subprocess.run([*_netns_prefix(), "sh", "-c", script], capture_output=True,
                          text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    interfaces, _, output = proc.stdout.partition("---\n")
    assert interfaces.split() == ["lo"]  # and lo is down: no route anywhere
    result = json.loads(output)
    assert {"morning"} <= set(words(result["transcript"]))
    assert len(words(result["reply"])) >= 3
    assert (tmp_path / "reply.wav").stat().st_size > 10_000
