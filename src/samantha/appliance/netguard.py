"""The in-process network guard: Python code in her process cannot reach a network.

An audit hook (PEP 578) refuses every socket whose family is not AF_UNIX, every connection or
send to a non-local address, and every name look-up, and logs the caller. It cannot be removed
once installed. It sees what Python does; C libraries that open sockets themselves are stopped by
the systemd unit (PrivateNetwork=yes, RestrictAddressFamilies=AF_UNIX, IPAddressDeny=any).

``samantha serve`` calls ``allow`` first with exactly the TCP addresses its config names (where
it listens, the satellites it dials): those, and the connections accepted on them, pass; every
other address, and every name look-up, is still refused. ``allow_config`` does the same for
the home server of ``[llm] endpoint`` (``samantha run``, ``demo``, ``serve``).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samantha.config import Config

log = logging.getLogger(__name__)

_LOOKUPS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
            "socket.gethostbyaddr", "socket.getnameinfo"}
_ADDRESSED = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
_installed = False
_refused = 0
_endpoints: set[tuple[str, int]] = set()


class NetworkRefused(PermissionError):
    """Raised inside the code that tried to use the network."""


def installed() -> bool:
    return _installed


def refused_count() -> int:
    return _refused


def allow(endpoints: list[tuple[str, int]]) -> None:
    """Let exactly these (numeric address, port) pairs be bound or dialled."""
    _endpoints.update((str(ipaddress.ip_address(host)), port) for host, port in endpoints)


def config_addresses(cfg: Config) -> list[str]:
    """The addresses her config lets her dial beyond serve's: the home server of ``[llm]
    endpoint`` (a literal address, checked here; a host name is a ConfigError)."""
    if not cfg.llm.endpoint:
        return []
    from samantha.inference.openai_llm import parse_endpoint

    return [parse_endpoint(cfg.llm.endpoint).host]


def allow_config(cfg: Config) -> None:
    """Let exactly the configured home server (``[llm] endpoint``) be dialled."""
    if cfg.llm.endpoint:
        from samantha.inference.openai_llm import parse_endpoint

        ep = parse_endpoint(cfg.llm.endpoint)
        allow([(ep.host, ep.port)])
        log.info("network guard: the home server %s may be dialled, only with the turn's text",
                 ep)


def _allowed(address: Any) -> bool:
    try:
        return (str(ipaddress.ip_address(address[0])), int(address[1])) in _endpoints
    except (ValueError, TypeError, IndexError):
        return False


def _caller() -> str:
    """The first frame outside this module and the socket/asyncio plumbing."""
    frame: FrameType | None = sys._getframe(2)
    skip = (__file__, "socket.py", "/asyncio/", "/http/", "/urllib/", "/ssl.py")
    while frame is not None and any(s in frame.f_code.co_filename for s in skip):
        frame = frame.f_back
    if frame is None:
        return "unknown"
    module = frame.f_globals.get("__name__", "?")
    return f"{module}.{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})"


def _family_name(family: Any) -> str:
    try:
        return socket.AddressFamily(family).name
    except (ValueError, TypeError):
        return str(family)


def _refuse(what: str) -> None:
    global _refused
    _refused += 1
    caller = _caller()
    log.warning("network guard refused %s from %s", what, caller)
    raise NetworkRefused(f"samantha's network guard refused {what} from {caller}: "
                         "nothing leaves this device")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket."):
        return
    if event == "socket.__new__":
        family = args[1]
        # -1: a socket wrapped around an existing descriptor; its use is checked below
        inet = _endpoints and family in (socket.AF_INET, socket.AF_INET6)
        if family not in (socket.AF_UNIX, -1) and not inet:
            _refuse(f"a {_family_name(family)} socket")
    elif event in _LOOKUPS:
        _refuse(f"a name look-up ({event.split('.')[1]} {args[0]!r})")
    elif event in _ADDRESSED:
        sock, address = args[0], args[1]
        if getattr(sock, "family", socket.AF_UNIX) != socket.AF_UNIX and not (
                event in ("socket.connect", "socket.bind") and _allowed(address)):
            _refuse(f"{event.split('.')[1]} to {address!r}")


def install() -> None:
    """Install the guard for the rest of this process (idempotent)."""
    global _installed
    if _installed:
        return
    sys.addaudithook(_hook)
    _installed = True
    log.info("network guard on: only AF_UNIX sockets, no name look-ups")
