"""systemd's notify protocol: READY=1, WATCHDOG=1, STOPPING=1 and STATUS= over $NOTIFY_SOCKET.

The protocol is one datagram on an AF_UNIX socket, so the standard library speaks it; a name
starting with ``@`` is in the abstract namespace. Outside systemd (no $NOTIFY_SOCKET) every call
does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


def notify(*fields: str) -> bool:
    """Send ``fields`` (e.g. "READY=1") to systemd; True if a message was sent."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto("\n".join(fields).encode("utf-8"), address)
    except OSError as exc:
        log.warning("could not notify systemd at %s (%s)", address, exc)
        return False
    return True


def watchdog_interval_s() -> float | None:
    """systemd's WatchdogSec for this process ($WATCHDOG_USEC), or None when there is none."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1e6


class Watchdog:
    """Feeds systemd's watchdog from the turn loop, at most once per ``every_s``.

    Call it for every chunk of audio heard: if the loop stalls, the pings stop and systemd
    restarts her. The default period is a third of WatchdogSec, as sd_watchdog_enabled advises.
    """

    def __init__(self, every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        interval = watchdog_interval_s()
        self.every_s = every_s if every_s is not None else (interval / 3 if interval else None)
        self.clock = clock
        self.sent = 0
        self._last: float | None = None

    def __call__(self) -> None:
        if self.every_s is None:
            return
        now = self.clock()
        if self._last is not None and now - self._last < self.every_s:
            return
        self._last = now
        if notify("WATCHDOG=1"):
            self.sent += 1
