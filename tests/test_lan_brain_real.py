"""The home-network brain and the rooms' brain on a REAL OpenAI-compatible server: llama.cpp's
own llama-server (``make llama-server``), on loopback, on the small provisioned models.

A spoken turn is answered through it under the network guard, with the endpoint the only
address let through; a conversation falls back to her own model when the server is stopped
mid-way and says so once; the rooms' server batches two rooms, is restarted when it dies and is
gone when she stops."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from samantha import config
from samantha.appliance import netguard
from samantha.errors import LlmError
from samantha.inference.fallback import NOTICE
from samantha.inference.llama_server import LlamaServer, find_binary, health, start_room_brain
from samantha.inference.llm import Sampling
from samantha.inference.openai_llm import Endpoint
from samantha.models import store as modelstore

pytestmark = pytest.mark.slow
SERVER_MODEL = "smollm2-135m-instruct-q4_1"
"""The home server's model: not hers, so which one answered shows in the counts."""


def binary() -> Path:
    try:
        return find_binary()
    except LlmError as err:
        pytest.fail(f"{err} (make test builds it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Home:
    """llama-server on 127.0.0.1, as a home server would run it (one slot, TCP)."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        model = modelstore.path_for(SERVER_MODEL)
        args = [str(binary()), "-m", str(model), "--host", "127.0.0.1", "--port",
                str(self.port), "-c", "2048", "-np", "1", "-t", "2", "--no-webui", "--jinja"]
        self.server = LlamaServer(args, Endpoint("127.0.0.1", self.port))
        self.log = log
        netguard.allow([("127.0.0.1", self.port)])  # as `samantha run` does for [llm] endpoint

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def requests(self) -> int:
        """Prompts it evaluated (llama-server logs one timing line per request)."""
        return sum("prompt eval time" in line for line in self.server.tail)


@pytest.fixture
def home(tmp_path: Path, models_ready: None) -> Iterator[Home]:
    h = Home(tmp_path / "server.log")
    h.server.tail = deque(maxlen=5000)
    h.server.start()
    yield h
    h.server.close()


def test_a_spoken_turn_is_answered_by_the_home_server_under_the_guard(
        home: Home, tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.toml"
    cfg.write_text(f'[llm]\nendpoint = "{home.url}"\nendpoint_timeout_s = 30.0\n'
                   f'[engine]\nwarm_up = false\n')
    done = run_cli("--config", str(cfg), "demo", "--json", "--fast", "--out",
                   str(tmp_path / "reply.wav"), env={"SAMANTHA_LOG": "info"}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["transcript"].strip() and result["reply"].strip()
    assert NOTICE not in result["reply"]  # the server answered: no fallback
    assert home.requests() >= 1, list(home.server.tail)[-10:]
    assert "network guard: the home server http://127.0.0.1" in done.stderr
    assert "network guard refused" not in done.stderr


def test_she_falls_back_when_the_home_server_stops_mid_conversation(home: Home) -> None:
    from samantha.companion.conversation import from_config
    from samantha.inference.engines import build_llm
    from samantha.inference.fallback import FallbackModel
    from samantha.pipeline.turn import typed

    cfg = config.from_dict({"llm": {"endpoint": home.url, "endpoint_timeout_s": 30.0}})
    llm = build_llm(cfg)
    assert isinstance(llm, FallbackModel)
    brain = from_config(cfg, persist=False)

    async def talk() -> list[str]:
        replies = [await typed("Hi, how are you today?", llm, brain)]
        home.server.close()  # the server goes away between two turns
        replies.append(await typed("What should I cook tonight?", llm, brain))
        replies.append(await typed("Something with rice, maybe?", llm, brain))
        return replies

    try:
        first, second, third = asyncio.run(talk())
        assert first.strip() and NOTICE not in first
        assert home.requests() >= 1
        assert second.startswith(NOTICE) and len(second) > len(NOTICE) + 5
        assert third.strip() and NOTICE not in third  # said once
        assert llm.fell_back >= 2 and llm.local.prompt_tokens() > 0
    finally:
        brain.close()
        llm.close()


def test_doctor_sees_the_home_server_and_its_model(home: Home) -> None:
    from samantha.appliance.checks import OK
    from samantha.appliance.homeserver import check

    row = check(config.from_dict({"llm": {"endpoint": home.url, "endpoint_timeout_s": 30.0}}))
    assert row is not None and row.status == OK, row
    assert "answers: model" in row.detail and "first word in" in row.detail


def test_the_rooms_brain_batches_rooms_and_is_restarted_when_it_dies(models_ready: None) -> None:
    brain = start_room_brain(binary(), modelstore.path_for(SERVER_MODEL), 2, 1024, 2,
                             Sampling(max_tokens=24))
    ask = [{"role": "user", "content": "Name a fruit."}]
    try:
        kitchen, hall = brain.for_room("kitchen"), brain.for_room("hall")
        assert brain.for_room("kitchen") is kitchen

        async def both() -> list[str]:
            return list(await asyncio.gather(kitchen.acomplete(ask), hall.acomplete(ask)))

        assert all(r.strip() for r in asyncio.run(both()))
        pid = brain.server.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (brain.server.pid != pid and
                                                   health(brain.endpoint) == 200):
            time.sleep(0.5)
        assert brain.server.pid != pid, "llama-server was not restarted"
        assert asyncio.run(kitchen.acomplete(ask)).strip()
        assert brain.server.rss_bytes() > 50e6
    finally:
        brain.close()
    proc = brain.server.proc
    assert proc is not None and proc.poll() is not None
    assert brain.server.sock is not None and not brain.server.sock.exists()


def test_make_builds_llama_server_from_the_vendored_source() -> None:
    version = os.popen(f"{binary()} --version 2>&1").read()
    assert "version" in version.lower(), version
    assert (REPO / "scripts" / "build-llama-server.sh").is_file()
