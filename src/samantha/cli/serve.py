"""``samantha serve``: her ears, brain and voice as Wyoming services for Home Assistant, and
the hub of her satellites (``samantha.serve``). Off unless an address, socket or satellite is
configured; the network guard then lets exactly those addresses through."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any

from samantha import config
from samantha.appliance import netguard
from samantha.appliance.notify import Watchdog, notify

if TYPE_CHECKING:
    from samantha.cli import Subparsers

log = logging.getLogger(__name__)


def register(sub: Subparsers) -> None:
    p = sub.add_parser("serve", help="Wyoming services for Home Assistant, and a satellite hub")
    p.add_argument("--listen", metavar="tcp://ADDR:PORT",
                   help="where to listen (overrides [serve] listen; port 0 picks a free one)")
    p.add_argument("--socket", metavar="PATH", help="a Unix socket to listen on as well")
    p.add_argument("--allow", action="append", metavar="ADDR",
                   help="a client address allowed beyond loopback (repeatable)")
    p.add_argument("--satellite", action="append", metavar="NAME=tcp://ADDR:PORT",
                   help="a satellite to dial, one room (repeatable)")
    p.add_argument("--memory-room", action="append", metavar="ROOM",
                   help="a room allowed to use her memory (repeatable)")
    p.add_argument("--state-dir", help="where her memory lives")
    p.add_argument("--unit-dropin", action="store_true",
                   help="print the systemd drop-in that lets exactly these addresses through "
                   "(for samantha-serve.service.d/addresses.conf), and exit")
    p.add_argument("--asr", help="speech recognition model (manifest name)")
    p.add_argument("--llm", help="language model (manifest name)")
    p.add_argument("--voice", help="Piper voice (manifest name)")
    p.add_argument("--threads", type=int, help="CPU threads for whisper.cpp and llama.cpp")
    p.set_defaults(func=lambda args: asyncio.run(serve(args)))


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = dict(getattr(args, "overrides", None) or {})
    s: dict[str, Any] = {}
    for key, value in (("listen", args.listen), ("socket", args.socket)):
        if value is not None:
            s[key] = value
    for key, value in (("allow", args.allow), ("satellites", args.satellite),
                       ("memory_rooms", args.memory_room)):
        if value:
            s[key] = list(value)
    if s:
        out["serve"] = s
    if args.state_dir:
        out["state_dir"] = args.state_dir
    return out


async def serve(args: argparse.Namespace) -> int:
    from samantha.inference.engines import load_engines, room_slots
    from samantha.serve.server import Server, plan

    cfg = config.load(args.config, overrides=overrides(args))
    checked = plan(cfg)  # a bad [serve] table fails before half a gigabyte of models loads
    if args.unit_dropin:
        print(unit_dropin(cfg), end="")
        return 0
    netguard.allow([(e.host, e.port) for e in checked.endpoints])
    netguard.allow_config(cfg)
    netguard.install()
    engines = load_engines(cfg, progress=lambda m: log.info("%s", m), slots=room_slots(cfg))
    server: Server | None = None
    try:
        if cfg.engine.warm_up:
            from samantha.companion.conversation import from_config

            brain = from_config(cfg, persist=False)
            engines.warm_up(brain.base_messages())
            brain.close()
        server = Server(cfg, engines)
        await server.start()
        where = [f"tcp://{checked.listen.host}:{server.port}"] if checked.listen else []
        where += [f"unix://{checked.socket}"] if checked.socket else []
        where += [f"{s.room}={s.endpoint}" for s in checked.satellites]
        print(f"samantha serve: ready on {', '.join(where)}", flush=True)
        notify("READY=1", "STATUS=serving Wyoming")
        await _until_stopped(Watchdog())
        notify("STOPPING=1")
    finally:
        if server is not None:
            await server.stop()
        engines.close()
    return 0


def unit_dropin(cfg: config.Config) -> str:
    """``IPAddressAllow`` for loopback, the allowed clients and the satellites, and
    ``SocketBindAllow`` for the listening port only; each list reset first."""
    from samantha.serve.server import plan

    checked = plan(cfg)
    peers = ["localhost", *cfg.serve.allow,
             *dict.fromkeys(s.endpoint.host for s in checked.satellites),
             *netguard.config_addresses(cfg)]
    lines = ["# written by `samantha serve --unit-dropin` from [serve]", "[Service]",
             "IPAddressAllow=", f"IPAddressAllow={' '.join(peers)}", "SocketBindAllow="]
    if checked.listen is not None:
        lines.append(f"SocketBindAllow=tcp:{checked.listen.port}")
    return "\n".join(lines) + "\n"


async def _until_stopped(watchdog: Watchdog) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        watchdog()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
