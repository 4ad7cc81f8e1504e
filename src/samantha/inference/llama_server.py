"""One brain for many rooms: llama.cpp's own ``llama-server``, started and watched by the hub.

``samantha serve`` with two or more rooms runs the language model in ``llama-server`` (built by
``make llama-server`` from the same llama.cpp source that llama-cpp-python vendors) instead of
in-process: one slot per room (``-np N``), each with its own context and prompt cache, all
decoded together by continuous batching, so eight rooms no longer wait in one line. It listens
on a Unix socket in a private directory (no TCP port, nothing to open in the unit), is restarted
if it dies, and stopped when she stops. Each room talks to its own slot (``id_slot``) through
``OpenAIModel``, the same client as the home-network brain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from samantha.errors import LlmError
from samantha.inference.llm import Sampling
from samantha.inference.openai_llm import Endpoint, OpenAIModel, run_sync
from samantha.inference.openmp import server_env
from samantha.inference.protocols import LanguageModel, Message

log = logging.getLogger(__name__)
INSTALLED = Path("/opt/samantha/bin/llama-server")
BUILD_FIX = "run `make llama-server` (or set [serve] llama_server to the binary)"
START_TIMEOUT_S = 180.0
RESTARTS = 5
"""Restarts allowed within ``RESTART_WINDOW_S`` before she gives up on it."""
RESTART_WINDOW_S = 300.0


def find_binary(configured: str = "") -> Path:
    """The llama-server binary, or an LlmError saying how to build it."""
    here = Path(__file__).resolve().parents[3] / "build" / "llama-server" / "bin" / "llama-server"
    options = [configured, os.environ.get("SAMANTHA_LLAMA_SERVER", ""), str(here), str(INSTALLED),
               shutil.which("llama-server") or ""]
    for option in options:
        if option and os.access(option, os.X_OK) and Path(option).is_file():
            return Path(option)
    if configured:
        raise LlmError("no-server", f"[serve] llama_server {configured!r} is not an executable",
                       BUILD_FIX)
    raise LlmError("no-server", "llama-server is not built, and two or more rooms need it",
                   BUILD_FIX + ", or set [serve] slots = 1 to have rooms take turns")


def server_args(binary: Path, model: Path, sock: Path, slots: int, n_ctx: int, threads: int,
                gpu_layers: int = 0, mmap: bool = False) -> list[str]:
    """The command line: every slot its own ``n_ctx`` (no unified pool, so one room's long
    history cannot crowd out another), no web UI, no host-RAM prompt cache beyond the slots,
    and the weights held once (``[llm] mmap``)."""
    return [str(binary), "-m", str(model), "--host", str(sock), "--port", "1",
            "-np", str(slots), "-c", str(n_ctx * slots), "--no-kv-unified", "--cont-batching",
            "-t", str(threads), "-tb", str(threads), "-b", "256", "-ngl", str(gpu_layers),
            "--cache-ram", "0", "--no-webui", "--jinja", "--slot-prompt-similarity", "0",
            "--load-mode", "mmap" if mmap else "none"]


def health(where: Endpoint, timeout_s: float = 2.0) -> int:
    """The HTTP status of llama-server's ``GET /health`` (200 ready, 503 loading), 0 if
    nothing answers."""
    family = socket.AF_UNIX if where.unix else socket.AF_INET6 if ":" in where.host \
        else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout_s)
            s.connect(where.unix or (where.host, where.port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            status = s.recv(64).split(b" ")
            return int(status[1]) if len(status) > 1 and status[1].isdigit() else 0
    except OSError:
        return 0


class LlamaServer:
    """The child process, its socket, and the thread that restarts it when it dies."""

    def __init__(self, args: list[str], where: Endpoint,
                 env: dict[str, str] | None = None) -> None:
        self.args, self.where, self.env = args, where, env
        self.sock = Path(where.unix) if where.unix else None
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts: deque[float] = deque()
        self.tail: deque[str] = deque(maxlen=30)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else 0

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start it and wait until it answers; LlmError with its last words if it cannot."""
        self._spawn()
        self._wait_ready(timeout_s)
        self._watcher = threading.Thread(target=self._watch, name="llama-server", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        with self._lock:
            if self.sock is not None:
                self.sock.unlink(missing_ok=True)
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, env=self.env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out = self.proc.stdout
        threading.Thread(target=self._read, args=(out,), name="llama-server-log",
                         daemon=True).start()
        log.info("llama-server started (pid %d): %s", self.pid, " ".join(self.args[1:]))

    def _read(self, out: Any) -> None:
        for raw in out:
            line = raw.decode("utf-8", "replace").rstrip()
            self.tail.append(line)
            log.debug("llama-server: %s", line)

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            proc = self.proc
            if proc is None or proc.poll() is not None:
                time.sleep(0.2)  # its last lines
                raise LlmError("server-start", "llama-server exited while starting: "
                               + " | ".join(list(self.tail)[-4:]),
                               "check the model file and [llm] n_ctx, or " + BUILD_FIX)
            if health(self.where) == 200:
                return
            time.sleep(0.2)
        self._stop_child()
        raise LlmError("server-start", f"llama-server did not answer in {timeout_s:.0f} s",
                       "check the machine's load and memory")

    def _watch(self) -> None:
        while not self._stopping.is_set():
            proc = self.proc
            if proc is None:
                return
            code = proc.wait()
            if self._stopping.is_set():
                return
            now = time.monotonic()
            while self.restarts and now - self.restarts[0] > RESTART_WINDOW_S:
                self.restarts.popleft()
            if len(self.restarts) >= RESTARTS:
                log.error("llama-server died %d times in %.0f s (last exit %s); not restarting",
                          RESTARTS + 1, RESTART_WINDOW_S, code)
                return
            self.restarts.append(now)
            log.error("llama-server died (exit %s); restarting it: %s", code,
                      " | ".join(list(self.tail)[-3:]))
            time.sleep(1.0)
            if self._stopping.is_set():
                return
            try:
                self._spawn()
                self._wait_ready(START_TIMEOUT_S)
                log.info("llama-server is back (pid %d)", self.pid)
            except (LlmError, OSError) as exc:
                log.error("llama-server could not be restarted: %s", exc)

    def rss_bytes(self) -> int:
        """Its resident memory now (0 where /proc cannot tell)."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _stop_child(self) -> None:
        with self._lock:
            proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(5.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5.0)

    def close(self) -> None:
        self._stopping.set()
        self._stop_child()
        if self._watcher is not None:
            self._watcher.join(10.0)
        if self.sock is not None:
            self.sock.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.sock.parent.rmdir()  # its private directory, if nothing else is in it


class RoomBrain:
    """``llama-server`` as the household's language model: ``for_room`` gives each room the
    client of its own slot; the protocol's methods (warm-up, side prompts outside a room) use
    whichever slot is free."""

    def __init__(self, server: LlamaServer, slots: int, model: Path, sampling: Sampling,
                 seed: int = 7) -> None:
        self.server, self.slots, self.model = server, slots, model
        self.sampling, self.seed = sampling, seed
        self.endpoint = server.where
        self.any = self._client(None)
        self._rooms: dict[str, OpenAIModel] = {}

    def _client(self, slot: int | None) -> OpenAIModel:
        return OpenAIModel(self.endpoint, sampling=self.sampling, seed=self.seed, slot=slot,
                           llama_server=True, prefix_cache=self.prefix_cache)

    prefix_cache: bool = True

    def for_room(self, room: str) -> LanguageModel:
        """The room's own slot (rooms beyond the slots share them, in order of arrival)."""
        if room not in self._rooms:
            self._rooms[room] = self._client(len(self._rooms) % self.slots)
        return self._rooms[room]

    @property
    def size_bytes(self) -> int:
        return os.path.getsize(self.model)

    def astream(self, messages: list[Message],
                max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        return self.any.astream(messages, max_tokens)

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return self.any.complete(messages, max_tokens)

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        return await self.any.acomplete_json(messages, schema, max_tokens)

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        return self.any.complete_json(messages, schema, max_tokens)

    async def forget(self) -> None:
        return None

    def warm_up(self, messages: list[Message]) -> None:
        """The persona read into every slot's cache at once (one batch)."""
        async def every() -> None:
            clients = [self._client(i) for i in range(self.slots)]
            await asyncio.gather(*(c.acomplete(messages, 1) for c in clients))

        run_sync(every)

    async def prime(self, messages: list[Message]) -> None:
        return None

    def prompt_tokens(self) -> int:
        return self.any.prompt_tokens() + sum(c.prompt_tokens() for c in self._rooms.values())

    def close(self) -> None:
        self.server.close()


def start_room_brain(binary: Path, model: Path, slots: int, n_ctx: int, threads: int,
                     sampling: Sampling, gpu_layers: int = 0, spin: int = 0,
                     mmap: bool = False) -> RoomBrain:
    """Start ``llama-server`` with ``slots`` slots on a private socket and wait for it."""
    where = Path(tempfile.mkdtemp(prefix="samantha-brain-"))
    sock = where / "llama.sock"
    server = LlamaServer(server_args(binary, model, sock, slots, n_ctx, threads, gpu_layers,
                                     mmap),
                         Endpoint(unix=str(sock)), server_env(spin))
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return RoomBrain(server, slots, model, sampling)
