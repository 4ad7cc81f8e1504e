"""``samantha doctor [--json]``: can she run here? A table with a fix for every failure.

Exits 1 when she cannot run (a FAIL row), 0 otherwise; warnings do not fail.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from samantha import boards, config
from samantha.appliance import checks as doctor_checks
from samantha.appliance import egress, homeserver, netguard
from samantha.appliance.checks import FAIL, OK, WARN, Check
from samantha.errors import ConfigError

if TYPE_CHECKING:
    from samantha.cli import Subparsers

log = logging.getLogger(__name__)
UNIT_PATHS = (Path("/etc/systemd/system/samantha.service"),
              Path("/lib/systemd/system/samantha.service"))
SANDBOX_KEYS = ("PrivateNetwork=yes", "IPAddressDeny=any", "RestrictAddressFamilies=AF_UNIX",
                "ProtectSystem=strict", "DevicePolicy=closed")


def guard_check() -> Check:
    """Install the guard here and try a TCP socket (to a documentation address, where an
    ``[llm] endpoint`` lets sockets be made): it must be refused."""
    netguard.install()
    guard_log = logging.getLogger(netguard.__name__)
    level = guard_log.level
    guard_log.setLevel(logging.ERROR)  # this refusal is the test, not news
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(("192.0.2.1", 9))
    except netguard.NetworkRefused:
        return Check("network guard", OK, "an AF_INET connection was refused in-process "
                     "(the daemon installs the same guard)")
    except OSError:
        pass
    finally:
        guard_log.setLevel(level)
    return Check("network guard", FAIL, "an AF_INET socket was allowed",
                 "reinstall samantha: the audit hook did not take effect")


def sandbox_check(units: tuple[Path, ...] = UNIT_PATHS, net: Path = Path("/proc/self/net/dev"),
                  status: Path = Path("/proc/self/status")) -> Check:
    if os.environ.get("INVOCATION_ID"):  # running under systemd: look at ourselves
        # /proc/self/net/dev lists this network namespace's interfaces (sysfs may not)
        rows = net.read_text().splitlines()[2:] if net.is_file() else []
        interfaces = sorted(row.split(":")[0].strip() for row in rows if ":" in row)
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                      if ":" in line)
        nnp, seccomp = fields.get("NoNewPrivs", "?").strip(), fields.get("Seccomp", "?").strip()
        detail = (f"under systemd: interfaces {', '.join(interfaces) or 'none'}, "
                  f"NoNewPrivs {nnp}, Seccomp {seccomp}")
        if interfaces not in ([], ["lo"]) or nnp != "1":
            return Check("sandbox", FAIL, detail, "use the unit in systemd/samantha.service")
        return Check("sandbox", OK, detail)
    for unit in units:
        if unit.is_file():
            text = unit.read_text()
            missing = [key for key in SANDBOX_KEYS if key not in text]
            if missing:
                return Check("sandbox", FAIL, f"{unit} lacks {', '.join(missing)}",
                             "sudo make install (it installs the hardened unit)")
            return Check("sandbox", OK, f"{unit}: {', '.join(SANDBOX_KEYS)}")
    return Check("sandbox", WARN, "not installed as a service: no systemd sandbox",
                 "sudo make install")


def collect(cfg: config.Config, config_path: str | None = None) -> list[Check]:
    checks = [Check("board", OK, f"{cfg.board or 'no profile'} ({boards.describe()})")]
    checks += [doctor_checks.audio_device(cfg, True), doctor_checks.audio_device(cfg, False)]
    model_checks = doctor_checks.models(cfg)
    checks += model_checks
    checks += [doctor_checks.cpu_features(), doctor_checks.memory(cfg),
               doctor_checks.memory_file(cfg), doctor_checks.temperature()]
    gpu = doctor_checks.gpu(cfg)
    if gpu is not None:
        checks.append(gpu)
    home = homeserver.check(cfg)
    if home is not None:
        checks.append(home)
        with contextlib.suppress(ConfigError):  # a bad address is the row above
            netguard.allow_config(cfg)  # the [llm] endpoint, and nothing else
    checks += [guard_check(), sandbox_check()]
    if all(c.status == OK for c in model_checks):
        checks.append(egress.check(config_path))  # loads the models: only verified ones
    else:
        checks.append(Check("egress", WARN, "C-level egress was not probed: a model is not "
                            "verified", "fix the model rows above, then run doctor again"))
    return checks


def render(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"{'check':<{width}}  status  detail", f"{'-' * width}  ------  ------"]
    for c in checks:
        lines.append(f"{c.name:<{width}}  {c.status:<6}  {c.detail}")
        if c.status != OK and c.fix:
            lines.append(f"{'':<{width}}  {'':<6}  fix: {c.fix}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.config, overrides=getattr(args, "overrides", None))
    checks = collect(cfg, args.config)
    can_run = not any(c.status == FAIL for c in checks)
    if args.json:
        print(json.dumps({"can_run": can_run, "board": cfg.board,
                          "checks": [{"name": c.name, "status": c.status, "detail": c.detail,
                                      "fix": c.fix} for c in checks]}))
    else:
        print(render(checks))
        failed = sum(c.status == FAIL for c in checks)
        warned = sum(c.status == WARN for c in checks)
        print(f"\nshe {'can' if can_run else 'cannot'} run here: {failed} failed, {warned} "
              "warnings")
    return 0 if can_run else 1


def register(sub: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "doctor", help="check devices, models, CPU, memory, temperature, the sandbox, and "
        "that nothing leaves (a short turn under strace)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)
    return parser
