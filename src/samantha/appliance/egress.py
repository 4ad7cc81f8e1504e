"""The C-level egress probe: a command run under ``strace -f``, and what its system calls did.

The network guard (``netguard``) sees what Python does; C libraries open sockets and files on
their own (onnxruntime's telemetry client did both). This reads every thread and child process's
system calls: a ``socket()`` of any family but AF_UNIX and AF_NETLINK, a ``connect``, ``bind`` or
send to a network address or on a network socket, and every file written, renamed, removed or
made outside the places she may write. The tests and ``samantha doctor`` run the same probe.

Transient places (the run's own ``$TMPDIR``, ``/dev/shm``) may be written only by files that are
gone again before the run ends: ``ctypes.util.find_library`` runs gcc, whose temporary files
land there, and multiprocessing's semaphores live in ``/dev/shm`` for a moment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from samantha.appliance.checks import FAIL, OK, WARN, Check

SYSCALLS = ("socket", "connect", "bind", "sendto", "sendmsg", "sendmmsg", "open", "openat",
            "creat", "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "rename", "renameat",
            "renameat2", "link", "linkat", "symlink", "symlinkat", "truncate")
LOCAL_FAMILIES = ("AF_UNIX", "AF_LOCAL", "AF_NETLINK")
ADDRESSED = ("connect", "bind", "sendto", "sendmsg", "sendmmsg")
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
# which arguments are (dir fd, path) pairs that a call creates or changes, and that it removes
_WRITTEN: dict[str, tuple[tuple[int | None, int], ...]] = {
    "open": ((None, 0),), "openat": ((0, 1),), "creat": ((None, 0),),
    "mkdir": ((None, 0),), "mkdirat": ((0, 1),), "truncate": ((None, 0),),
    "rename": ((None, 1),), "renameat": ((2, 3),), "renameat2": ((2, 3),),
    "link": ((None, 1),), "linkat": ((2, 3),), "symlink": ((None, 1),), "symlinkat": ((1, 2),),
}
_REMOVED: dict[str, tuple[tuple[int | None, int], ...]] = {
    "unlink": ((None, 0),), "unlinkat": ((0, 1),), "rmdir": ((None, 0),),
    "rename": ((None, 0),), "renameat": ((0, 1),), "renameat2": ((0, 1),),
}
_LINE = re.compile(r"^(?:(\d+)\s+)?([a-z0-9_]+)\((.*)\)\s+=\s+(.*)$")
_NET_FD = re.compile(r"^\d+<(?!UNIX|NETLINK)[A-Za-z][A-Za-z0-9-]*:")


@dataclass(frozen=True, slots=True)
class Egress:
    """What a traced run did that is not hers to do, as strace printed it."""

    sockets: tuple[str, ...]
    """``socket()`` calls of a network family (any but AF_UNIX, AF_NETLINK)."""
    addressed: tuple[str, ...]
    """``connect``/``bind``/send calls to a network address or on a network socket."""
    lookups: int
    """Of ``addressed``, those to port 53 (DNS)."""
    writes: tuple[str, ...]
    """Files written, renamed, removed or made outside her places, or left in a transient one."""
    calls: int
    """System calls read from the trace (a trace with none proves nothing)."""

    @property
    def clean(self) -> bool:
        return self.calls > 0 and not (self.sockets or self.addressed or self.writes)

    def summary(self) -> str:
        return (f"{len(self.sockets)} network sockets, {len(self.addressed)} connections or sends "
                f"to a network ({self.lookups} DNS), {len(self.writes)} files written outside "
                f"her places, in {self.calls} traced calls")

    def first(self) -> str:
        """The first finding, for a one-line report."""
        return next(iter(self.sockets + self.addressed + self.writes), "")


def command(argv: Sequence[str], trace: Path, strace: str = "strace") -> list[str]:
    """``argv`` under strace, following every thread and child, the calls above into ``trace``.

    ``-yy`` prints what each descriptor is (a path, a UDP socket and its peer); ``?`` lets a
    call that this architecture lacks (``open`` on arm64) be skipped.
    """
    return [strace, "-f", "-qq", "-yy", "-s", "48", "-o", str(trace),
            "-e", "trace=" + ",".join(f"?{name}" for name in SYSCALLS), "--", *argv]


def netns_prefix() -> list[str] | None:
    """A prefix that runs a command in a new network namespace with no interfaces (only a down
    ``lo``), as root or in a user namespace; None where neither can be made here."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def calls(lines: Iterable[str]) -> Iterator[tuple[str, str, list[str], str]]:
    """(pid, name, arguments, result) for each finished call; split calls are joined."""
    pending: dict[str, str] = {}
    for raw in lines:
        line = raw.rstrip("\n")
        pid, _, rest = line.partition(" ") if line[:1].isdigit() else ("", "", line)
        rest = rest.lstrip()
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            continue
        if rest.startswith("<... "):
            head = pending.pop(pid, None)
            if head is None:
                continue
            rest = head + rest.partition(" resumed>")[2]
        match = _LINE.match(rest)
        if match:
            yield pid, match[2], split_args(match[3]), match[4]


def split_args(text: str) -> list[str]:
    """Top-level arguments of one call: commas inside quotes, braces and brackets stay."""
    out, depth, quoted, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "{[(<":
            depth += 1
        elif ch in "}])>":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out


def _unquote(token: str) -> str | None:
    if not (token.startswith('"') and '"' in token[1:]):
        return None
    body = token[1: token.rindex('"')]
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _annotation(token: str) -> str | None:
    """The path strace -y prints after a descriptor: ``AT_FDCWD</home/x>`` gives /home/x."""
    if token.endswith(">") and "<" in token:
        return token[token.index("<") + 1: -1]
    return None


def _path(args: list[str], dir_at: int | None, path_at: int, cwd: str) -> str | None:
    if path_at >= len(args):
        return None
    path = _unquote(args[path_at])
    if path is None:
        return None
    if not path.startswith("/"):
        base = cwd
        if dir_at is not None and dir_at < len(args):
            base = _annotation(args[dir_at]) or cwd
        path = os.path.join(base, path)
    return os.path.normpath(path)


def _under(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _roots(paths: Iterable[Path | str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        for form in (os.path.normpath(os.path.abspath(p)), os.path.realpath(p)):
            if form not in out:
                out.append(form)
    return out


def audit(lines: Iterable[str], allowed: Sequence[Path | str], cwd: Path | str,
          transient: Sequence[Path | str] = ()) -> Egress:
    """Read a trace made by ``command``. ``allowed``: the places she may write (her state
    directory, the output asked for); ``transient``: places files may pass through."""
    keep, passing = _roots(allowed), _roots([*transient, "/dev/shm"])
    sockets: list[str] = []
    addressed: list[str] = []
    writes: list[str] = []
    lookups = count = 0
    cwds: dict[str, str] = {}
    made: dict[str, str] = {}  # transient path -> the call that made it, until it is removed
    for pid, name, args, result in calls(lines):
        count += 1
        shown = f"{name}({', '.join(args)}) = {result}"
        if name == "socket":
            if args and args[0] not in LOCAL_FAMILIES:
                sockets.append(shown)
            continue
        if name in ADDRESSED:
            joined = ", ".join(args)
            if "sa_family=AF_INET" in joined or _NET_FD.match(args[0] if args else ""):
                addressed.append(shown)
                lookups += "htons(53)" in joined or ":53]" in args[0]
            continue
        if args and args[0].startswith("AT_FDCWD<"):
            cwds[pid] = _annotation(args[0]) or cwds.get(pid, "")
        if result.startswith("-1") or result.startswith("?"):
            continue  # it failed: nothing was written
        here = cwds.get(pid) or os.fspath(cwd)
        if name in ("open", "openat"):
            flags_at = 2 if name == "openat" else 1
            flags = args[flags_at] if len(args) > flags_at else ""
            if not any(flag in flags for flag in WRITE_FLAGS):
                continue  # read only
        for dir_at, path_at in _REMOVED.get(name, ()):
            path = _path(args, dir_at, path_at, here)
            if path is None:
                continue
            if path in made:
                del made[path]
            elif not _under(path, keep):
                writes.append(shown)
        for dir_at, path_at in _WRITTEN.get(name, ()):
            path = _path(args, dir_at, path_at, here)
            if name in ("open", "openat"):
                path = _annotation(result) or path  # the real path of what was opened
            if path is None or _under(path, keep):
                continue
            if _under(path, passing):
                made[path] = shown
            elif not (path.startswith("/dev/") or path == "/dev"):  # a device, not a file
                writes.append(shown)
    writes += [f"{shown} (left behind)" for shown in made.values()]
    return Egress(tuple(sockets), tuple(addressed), lookups, tuple(writes), count)


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (strace's child is the traced command)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _probe_runs(config_path: str | None, state: Path) -> list[tuple[str, list[str]]]:
    top = [sys.executable, "-m", "samantha"] + (["--config", config_path] if config_path else [])
    speak = [sys.executable, "-m", "samantha.appliance.egress"] + ([config_path] if config_path
                                                                   else [])
    return [("samantha chat --once", [*top, "chat", "--once", "Hello.", "--state-dir",
                                      str(state)]),
            ("a synthesis", speak)]


def check(config_path: str | None = None, strace: str | None = None,
          timeout: float = 180.0) -> Check:
    """doctor's probe: a typed turn (the language model) and a synthesis (Piper on onnxruntime)
    under strace, in a network namespace where one can be made."""
    strace = strace if strace is not None else shutil.which("strace")
    if not strace:
        return Check("egress", WARN, "strace is not installed: C-level egress was not probed",
                     "sudo apt-get install -y strace (make setup installs it), then run doctor "
                     "again")
    netns = netns_prefix()
    where = "in a network namespace" if netns else "(no network namespace could be made here)"
    with tempfile.TemporaryDirectory(prefix="samantha-egress-") as tmp:
        work = Path(tmp)
        state, scratch = work / "state", work / "tmp"
        state.mkdir(mode=0o700)
        scratch.mkdir()
        env = dict(os.environ, TMPDIR=str(scratch), PYTHONDONTWRITEBYTECODE="1")
        total = 0
        for label, argv in _probe_runs(config_path, state):
            trace = work / "trace"
            try:
                proc = subprocess.run([*(netns or []), *command(argv, trace, strace)], env=env,
                                      cwd=work, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return Check("egress", WARN, f"{label} under strace took over {timeout:.0f} s",
                             "run doctor again when the box is idle")
            try:
                with trace.open(errors="replace") as lines:
                    found = audit(lines, [state], work, [scratch])
            except OSError:
                found = audit([], [state], work)
            if not found.clean and found.calls:
                return Check("egress", FAIL, f"{label}: {found.summary()}; first: "
                             f"{found.first()[:160]}",
                             "report it with `samantha doctor --json`; until it is fixed run her "
                             "only as the systemd unit (PrivateNetwork=yes holds C code in)")
            if proc.returncode != 0 or not found.calls:
                last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                return Check("egress", WARN, f"{label} did not run under strace ({last[:160]})",
                             "fix what the other rows say, or allow ptrace (strace) here")
            total += found.calls
    return Check("egress", OK, f"strace -f of a typed turn and a synthesis {where}: no network "
                 f"socket, no connection, no file outside her state directory ({total} calls)")


def _speak(config_path: str | None) -> int:
    """One synthesis with the configured voice, as every command loads it (the probe's child)."""
    from samantha import config
    from samantha.errors import SamanthaError
    from samantha.inference.engines import build_voice

    try:
        voice = build_voice(config.load(config_path))
    except SamanthaError as err:
        print(err, file=sys.stderr)
        return 2
    try:
        return 0 if len(voice.synthesize("Nothing I hear leaves this box.").samples) else 1
    finally:
        voice.close()


if __name__ == "__main__":
    raise SystemExit(_speak(sys.argv[1] if len(sys.argv) > 1 else None))
