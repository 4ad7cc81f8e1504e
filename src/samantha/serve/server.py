"""The listener: a TCP port and/or a Unix socket, the allow-list, and the satellite links.

Off unless ``[serve]`` names an address, a socket or a satellite. A TCP address beyond loopback
needs an allow-list; a client that is not on it is closed before a byte is read. At most
``MAX_CONNECTIONS`` clients at once and ``PER_ADDRESS`` from one address; a client past either
may still ask ``describe`` and is then closed with a "busy" error, and a client that asks for
nothing is closed within seconds (``services.FIRST_REQUEST_S``). Shutdown is ordered
and bounded: stop listening, stop the satellite links, close the connections, close the rooms.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass, field
from pathlib import Path

from samantha.config import Config
from samantha.errors import ConfigError, SamanthaError, ServeError
from samantha.inference.engines import Engines
from samantha.serve.describe import describe
from samantha.serve.protocol import (
    Endpoint,
    ProtocolError,
    allowed,
    parse_tcp,
    read_event,
    refuse,
    write_event,
)
from samantha.serve.rooms import Household
from samantha.serve.satellite import SatelliteLink, SatelliteSpec, parse_satellites
from samantha.serve.services import Connection

log = logging.getLogger(__name__)
MAX_CONNECTIONS = 32
PER_ADDRESS = 8
"""Connections one address (or the Unix socket) may hold, so that one client cannot take every
place; Home Assistant holds one or two at a time."""
MAX_BUSY = 64
"""Turned-away clients waiting for their one ``describe`` at once; more are closed at once."""
BUSY_WAIT_S = 2.0
STOP_S = 5.0


@dataclass(frozen=True)
class Plan:
    """What ``[serve]`` asks for, checked: nothing else is opened or dialled."""

    listen: Endpoint | None
    socket: Path | None
    satellites: list[SatelliteSpec] = field(default_factory=list)

    @property
    def endpoints(self) -> list[Endpoint]:
        """Every TCP address she may bind or dial (for the network guard)."""
        return ([self.listen] if self.listen else []) + [s.endpoint for s in self.satellites]


def plan(cfg: Config) -> Plan:
    s = cfg.serve
    if not (s.listen or s.socket or s.satellites):
        raise ConfigError("serve-off", "serving is off: [serve] sets no listen address, socket "
                          "or satellite", 'set [serve] listen = "tcp://127.0.0.1:10700" (or '
                          "pass --listen)")
    listen = parse_tcp(s.listen, "[serve] listen") if s.listen else None
    for address in s.allow:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ConfigError("serve-allow", f"[serve] allow entry {address!r} is not an IP "
                              "address", "list client addresses such as 192.168.1.20") from None
    if listen is not None and not listen.loopback and not s.allow:
        raise ConfigError("serve-allow", f"{listen} listens beyond this box but [serve] allow "
                          "is empty", "list the addresses of Home Assistant and your clients "
                          'in [serve] allow, or listen on "tcp://127.0.0.1:10700"')
    return Plan(listen, Path(s.socket) if s.socket else None, parse_satellites(cfg))


class Server:
    def __init__(self, cfg: Config, engines: Engines) -> None:
        self.cfg = cfg
        self.plan = plan(cfg)
        self.household = Household(cfg, engines)
        self.links = [SatelliteLink(spec, self.household) for spec in self.plan.satellites]
        self._servers: list[asyncio.AbstractServer] = []
        self._tasks: dict[asyncio.Task[None], asyncio.StreamReader] = {}
        self._rooms: dict[asyncio.Task[None], str] = {}
        self._links: list[asyncio.Task[None]] = []
        self._waiting_busy = 0
        self.refused = 0
        self.busy = 0
        """Clients turned away because every place (or their address's share) was taken."""
        self.port: int | None = None

    async def start(self) -> None:
        if self.plan.listen is not None:
            server = await asyncio.start_server(self._accept, self.plan.listen.host,
                                                self.plan.listen.port, limit=_header_limit())
            self._servers.append(server)
            self.port = server.sockets[0].getsockname()[1]
            log.info("serving Wyoming on tcp://%s:%s", self.plan.listen.host, self.port)
        if self.plan.socket is not None:
            self.plan.socket.unlink(missing_ok=True)
            server = await asyncio.start_unix_server(self._accept, str(self.plan.socket),
                                                     limit=_header_limit())
            self.plan.socket.chmod(0o660)
            self._servers.append(server)
            log.info("serving Wyoming on unix://%s", self.plan.socket)
        for link in self.links:
            self._links.append(asyncio.create_task(link.run(), name=f"satellite-{link.spec.room}"))

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        room = peer[0] if isinstance(peer, tuple) else "local"
        if room != "local" and not allowed(room, self.cfg.serve.allow):
            self.refused += 1
            log.warning("refused a client at %s: not in [serve] allow", room)
            writer.close()
            return
        mine = sum(1 for r in self._rooms.values() if r == room)
        if len(self._tasks) >= MAX_CONNECTIONS or mine >= PER_ADDRESS:
            full = (f"{MAX_CONNECTIONS} clients are connected" if len(self._tasks) >=
                    MAX_CONNECTIONS else f"{PER_ADDRESS} connections from {room} are open")
            await self._busy(reader, writer, ServeError("busy", full, "close another "
                                                        "connection first, or try again soon"))
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks[task] = reader
        self._rooms[task] = room
        try:
            connection = Connection(self.household, self.household.room(room), reader, writer)
            await connection.run()
        except ProtocolError as err:
            log.info("closed %s: %s", room, err)
            await refuse(writer, err)
        except SamanthaError as err:
            log.warning("closed %s: %s", room, err)
            await refuse(writer, err)
        except TimeoutError:
            log.info("closed %s: idle for %.0f s", room, self.cfg.serve.idle_timeout_s)
        except (OSError, ConnectionError) as exc:
            log.info("lost %s: %s", room, exc)
        finally:
            self._tasks.pop(task, None)
            self._rooms.pop(task, None)
            writer.close()

    async def _busy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    err: ServeError) -> None:
        """No place for this client: it may still ask ``describe`` (Home Assistant checks a
        service that way), then it is told why and closed. Bounded in time and in number."""
        self.busy += 1
        try:
            if self._waiting_busy < MAX_BUSY:
                self._waiting_busy += 1
                try:
                    event = await asyncio.wait_for(
                        read_event(reader, self.cfg.serve.max_event_bytes), BUSY_WAIT_S)
                    if event is not None and event.type == "describe":
                        await asyncio.wait_for(
                            write_event(writer, describe(self.cfg).event()), BUSY_WAIT_S)
                        return
                except (ProtocolError, TimeoutError, OSError, ConnectionError):
                    pass
                finally:
                    self._waiting_busy -= 1
            await refuse(writer, err)
        finally:
            writer.close()

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in self._links:
            task.cancel()
        for reader in self._tasks.values():
            reader.feed_eof()  # each connection ends as if its client had left
        pending = [*self._links, *self._tasks]
        if pending:
            _, late = await asyncio.wait(pending, timeout=STOP_S)
            for task in late:
                task.cancel()
        for server in self._servers:
            try:
                await asyncio.wait_for(server.wait_closed(), STOP_S)
            except TimeoutError:
                log.warning("a listener did not close within %.0f s", STOP_S)
        if self.plan.socket is not None:
            self.plan.socket.unlink(missing_ok=True)
        await self.household.close()


def _header_limit() -> int:
    from samantha.serve.protocol import HEADER_LIMIT

    return HEADER_LIMIT
