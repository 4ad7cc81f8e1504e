"""The Wyoming wire format, read with limits: every event is checked before it is believed.

The ``wyoming`` package's own reader trusts ``data_length`` and ``payload_length`` (a client
could make it allocate gigabytes) and returns None for a malformed line, which looks like a
clean disconnect. Here a bad header, a length over the limit, a non-object ``data`` or a missing
``type`` raises ``ProtocolError``: the connection gets an ``error`` event and is closed.
Writing uses the library's own ``async_write_event``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from wyoming.error import Error
from wyoming.event import Event, async_write_event

from samantha.errors import SamanthaError, ServeError

HEADER_LIMIT = 16_384
"""Longest header line (the JSON before data and payload)."""


class ProtocolError(ServeError):
    """The client broke the protocol: it gets an error event and the connection closes."""


async def read_event(reader: asyncio.StreamReader, max_bytes: int) -> Event | None:
    """The next event, or None at a clean end of stream. Raises ``ProtocolError``."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise ProtocolError("truncated", "the stream ended inside an event header",
                            "send whole events") from None
    except asyncio.LimitOverrunError:
        raise ProtocolError("oversized", f"an event header is longer than {HEADER_LIMIT} bytes",
                            "send a JSON header line, then data and payload") from None
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProtocolError("malformed", "an event header is not JSON",
                            "send one JSON object per line (the Wyoming protocol)") from None
    if not isinstance(header, dict) or not isinstance(header.get("type"), str) \
            or not header["type"]:
        raise ProtocolError("malformed", "an event header is not an object with a 'type'",
                            'send {"type": ..., "data": {...}}')
    data = header.get("data") or {}
    data_length, payload_length = header.get("data_length"), header.get("payload_length")
    for name, value in (("data_length", data_length), ("payload_length", payload_length)):
        if value is not None and (type(value) is not int or value < 0):
            raise ProtocolError("malformed", f"{name} is not a length", "send a whole number")
    total = len(line) + (data_length or 0) + (payload_length or 0)
    if total > max_bytes:
        raise ProtocolError("oversized", f"an event of {total} bytes is over the limit of "
                            f"{max_bytes}", "send audio in smaller chunks")
    if not isinstance(data, dict):
        raise ProtocolError("malformed", "event data is not an object", "send data as {...}")
    try:
        if data_length:
            extra = json.loads(await reader.readexactly(data_length))
            if not isinstance(extra, dict):
                raise ProtocolError("malformed", "event data is not an object",
                                    "send data as {...}")
            data = {**data, **extra}
        payload = await reader.readexactly(payload_length) if payload_length else None
    except asyncio.IncompleteReadError:
        raise ProtocolError("truncated", "the stream ended inside an event",
                            "send the data and payload the header promises") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProtocolError("malformed", "event data is not JSON", "send JSON data") from None
    return Event(type=header["type"], data=data, payload=payload)


async def write_event(writer: asyncio.StreamWriter, event: Event) -> None:
    await async_write_event(event, writer)


async def refuse(writer: asyncio.StreamWriter, err: SamanthaError) -> None:
    """Tell the client what was wrong (best effort); the caller closes the connection."""
    try:
        await asyncio.wait_for(write_event(writer, Error(text=str(err), code=err.code).event()),
                               2.0)
    except (OSError, TimeoutError, ConnectionError):
        pass


def field(data: dict[str, Any], name: str, kind: type, default: Any = ...) -> Any:
    """One typed field of an event's data, or ``ProtocolError``."""
    if name not in data or data[name] is None:
        if default is ...:
            raise ProtocolError("malformed", f"the event has no {name!r}", f"send {name}")
        return default
    value = data[name]
    if kind is int and (type(value) is not int):
        raise ProtocolError("malformed", f"{name!r} is not a whole number", f"fix {name}")
    if kind is not int and not isinstance(value, kind):
        raise ProtocolError("malformed", f"{name!r} is not a {kind.__name__}", f"fix {name}")
    return value


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.host).is_loopback

    def __str__(self) -> str:
        return f"tcp://{self.host}:{self.port}"


def parse_tcp(uri: str, what: str) -> Endpoint:
    """``tcp://HOST:PORT`` with a numeric address: she never looks a name up."""
    from samantha.errors import ConfigError

    fix = f"write {what} as tcp://ADDRESS:PORT, e.g. tcp://127.0.0.1:10700"
    try:
        parsed = urlparse(uri)
        host, port = parsed.hostname, parsed.port
    except ValueError:
        raise ConfigError("serve-address", f"{what} {uri!r} is not an address", fix) from None
    if parsed.scheme != "tcp" or not host or port is None:
        raise ConfigError("serve-address", f"{what} {uri!r} is not tcp://HOST:PORT", fix)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError("serve-address", f"{what} {uri!r} names a host, not an address "
                          "(she never looks names up)", fix) from None
    return Endpoint(host, port)


def allowed(peer: str, allow: tuple[str, ...]) -> bool:
    """May a client at ``peer`` connect? Loopback always; others only when listed."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    if address.is_loopback:
        return True
    mapped = getattr(address, "ipv4_mapped", None)
    return any(ipaddress.ip_address(a) in (address, mapped) for a in allow)
