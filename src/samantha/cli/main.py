"""The ``samantha`` command. Errors are one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import Any

from samantha import __version__
from samantha.errors import SamanthaError

log = logging.getLogger("samantha")


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if getattr(args, "asr", None):
        out.setdefault("asr", {})["model"] = args.asr
    if getattr(args, "llm", None):
        out.setdefault("llm", {})["model"] = args.llm
    if getattr(args, "voice", None):
        out.setdefault("tts", {})["voice"] = args.voice
    if getattr(args, "threads", None):
        for section in ("asr", "llm"):
            out.setdefault(section, {})["threads"] = args.threads
    return out


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--asr", help="speech recognition model (manifest name)")
    p.add_argument("--llm", help="language model (manifest name)")
    p.add_argument("--voice", help="Piper voice (manifest name)")
    p.add_argument("--threads", type=int, help="CPU threads for whisper.cpp and llama.cpp")


def _cmd_demo(args: argparse.Namespace) -> int:
    from samantha.appliance import netguard
    from samantha.cli.demo import demo

    netguard.install()  # a turn never needs the network (but the [llm] endpoint, if set)

    return asyncio.run(demo(args))


def _cmd_chat(args: argparse.Namespace) -> int:
    from samantha.cli.chat import chat

    return asyncio.run(chat(args))


def _cmd_run(args: argparse.Namespace) -> int:
    from samantha.appliance.daemon import run

    if args.unit_dropin:
        from samantha import config
        from samantha.appliance.homeserver import unit_dropin

        print(unit_dropin(config.load(args.config, overrides=args.overrides)), end="")
        return 0

    return asyncio.run(run(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samantha", description="Samantha, an on-device voice "
                                     "companion: nothing she hears or says leaves this box.")
    parser.add_argument("--version", action="version", version=f"samantha {__version__}")
    parser.add_argument("--config", help="config file (TOML); default $SAMANTHA_CONFIG or "
                        "/etc/samantha/samantha.toml")
    parser.add_argument("--debug", action="store_true", help="debug logging (shows transcripts)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("demo", help="one real spoken turn from a WAV file")
    p.add_argument("--in", dest="input", metavar="WAV", help="the question (default: bundled)")
    p.add_argument("--out", default="out/reply.wav", metavar="WAV", help="where her reply goes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--fast", action="store_true", help="feed the WAV faster than real time")
    _engine_options(p)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("chat", help="talk to her by typing")
    p.add_argument("--once", metavar="TEXT", help="one message, one reply, then exit")
    p.add_argument("--state-dir", help="where her memory lives")
    p.add_argument("--json", action="store_true", help='print {"reply": ...}')
    _engine_options(p)
    p.set_defaults(func=_cmd_chat)

    p = sub.add_parser("run", help="the daemon, on the microphone and speaker")
    _engine_options(p)
    p.add_argument("--unit-dropin", action="store_true",
                   help="print the systemd drop-in that lets exactly the [llm] endpoint through "
                   "(for samantha.service.d/homeserver.conf), and exit")
    p.set_defaults(func=_cmd_run)

    from samantha.cli import models as models_cli
    models_cli.register(sub)
    from samantha.cli import memory as memory_cli
    memory_cli.register(sub)
    from samantha.cli import doctor
    doctor.register(sub)
    from samantha.cli import bench as bench_cli

    bench_cli.register(sub)
    from samantha.cli import eval as eval_cli

    eval_cli.register(sub)
    from samantha.cli import serve as serve_cli

    serve_cli.register(sub)
    from samantha.cli import soak as soak_cli

    soak_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.debug else getattr(
        logging, os.environ.get("SAMANTHA_LOG", "WARNING").upper(), logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    args.overrides = _overrides(args)
    try:
        return int(args.func(args) or 0)
    except SamanthaError as err:
        print(str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line, the traceback only with --debug
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
